"""One error root for everything nhiscan reports to a user.

Every error carries a one-line ``diagnostics()`` that names what is wrong and where (file, field,
provider). Only the CLI turns errors into output and exit codes; everything else raises.
"""

from __future__ import annotations


class NhiscanError(Exception):
    """Base of every error nhiscan raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def diagnostics(self) -> str:
        return str(self)


class InputError(NhiscanError):
    """A file a user gave us (export, saved inventory, baseline) is unreadable or malformed."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class ConfigError(InputError):
    """nhiscan.yaml, a suppression file or a command-line option is invalid."""


class RuleError(InputError):
    """A rule file is invalid."""


class CollectionError(NhiscanError):
    """Nothing could be read from a provider (no credentials, every call denied)."""

    exit_code = 3


class MissingExtraError(NhiscanError):
    """A provider's SDK is not installed. ``reason`` is the message without the provider."""

    def __init__(self, provider: str, module: str, extra: str | None = None) -> None:
        self.provider = provider
        self.reason = (
            f"the {module!r} package is not installed; "
            f"install it with: pip install 'nhiscan[{extra or provider}]'"
        )
        super().__init__(f"{provider}: {self.reason}")


class Gap(NhiscanError):
    """One source could not be read (an API call, a page, a file): the collector records it as a
    coverage entry with ``status`` (a :class:`~nhiscan.model.CoverageStatus` value) and carries
    on. Raised and caught inside providers; never reaches the CLI."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
