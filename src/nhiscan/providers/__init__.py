"""Registry of providers: the one place a provider is listed.

Each entry names the package whose ``Plugin`` class declares everything else: its typed settings
and their command-line options (``settings_class``), the SDK modules live collection needs
(``sdk_modules``) and the pip extra that installs them (``extra``). The package is imported only
when the provider is used or its options are shown, so ``nhiscan --help`` never pays for it, and
plugin packages import no cloud SDK at import time.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nhiscan.providers.interface import ProviderPlugin

PROVIDER_MODULES: dict[str, str] = {
    "aws": "nhiscan.providers.aws",
    "azure": "nhiscan.providers.azure",
    "gcp": "nhiscan.providers.gcp",
    "k8s": "nhiscan.providers.k8s",
    "mcp": "nhiscan.providers.mcp",
}


def names() -> tuple[str, ...]:
    """Every registered provider, in registry order."""
    return tuple(PROVIDER_MODULES)


def available() -> list[str]:
    """Providers whose module exists in this build."""
    found = []
    for name, module in PROVIDER_MODULES.items():
        if importlib.util.find_spec(module) is not None:
            found.append(name)
    return found


def plugin_class(name: str) -> type[ProviderPlugin]:
    """The provider's plugin class (imports its package, never its SDK)."""
    module = importlib.import_module(PROVIDER_MODULES[name])
    cls: type[ProviderPlugin] = module.Plugin
    return cls


def get(name: str) -> ProviderPlugin:
    return plugin_class(name)()


def missing_sdk(name: str) -> str | None:
    """The first of the provider's ``sdk_modules`` that cannot be found, else None. Looks modules
    up without importing them (a dotted name imports only its parent packages)."""
    for module in plugin_class(name).sdk_modules:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):  # a parent package is missing or broken
            spec = None
        if spec is None:
            return module
    return None
