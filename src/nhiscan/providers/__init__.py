"""Registry of providers. Each entry names the module that defines ``Plugin``, imported only
when the provider is used, so ``nhiscan --help`` never pays for a cloud SDK."""

from __future__ import annotations

import importlib
import importlib.util

from nhiscan.providers.interface import ProviderPlugin

PROVIDER_MODULES: dict[str, str] = {
    "aws": "nhiscan.providers.aws",
    "azure": "nhiscan.providers.azure",
    "gcp": "nhiscan.providers.gcp",
    "k8s": "nhiscan.providers.k8s",
    "mcp": "nhiscan.providers.mcp",
}


def available() -> list[str]:
    """Providers whose module exists in this build."""
    names = []
    for name, module in PROVIDER_MODULES.items():
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names


def get(name: str) -> ProviderPlugin:
    module = importlib.import_module(PROVIDER_MODULES[name])
    plugin: ProviderPlugin = module.Plugin()
    return plugin
