"""The contract every provider implements: collect live, or build from exported files.

A provider is one package under ``nhiscan.providers`` registered in ``PROVIDERS``. The live
collector and the offline importer must produce the same :class:`~nhiscan.model.Inventory` for the
same estate: the usual way is for the collector to fetch the same documents the provider's CLI
exports and hand them to the same builder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from nhiscan.model import Inventory
from nhiscan.providers.settings import ProviderSettings, S


class ProgressSink(Protocol):
    """Receives progress events; the CLI attaches a rich progress display on stderr."""

    def step(self, message: str) -> None: ...


class NullProgress:
    def step(self, message: str) -> None:
        return None


@dataclass(frozen=True)
class CollectOptions:
    """What the user asked for."""

    as_of: datetime
    """The time ages are measured against."""
    settings: tuple[ProviderSettings, ...] = ()
    """Typed settings, at most one object per provider settings class (``AwsSettings(...)``,
    ``K8sSettings(...)``); a provider with none here gets its class's defaults."""
    progress: ProgressSink = field(default_factory=NullProgress)
    """Where progress events go."""

    def __post_init__(self) -> None:
        kinds = [type(s) for s in self.settings]
        if len(set(kinds)) != len(kinds):
            raise ValueError("CollectOptions.settings holds two objects of the same settings class")

    def settings_for(self, cls: type[S]) -> S:
        """This provider's settings: the object of class ``cls`` in ``settings``, else defaults."""
        for s in self.settings:
            if type(s) is cls:
                return s
        return cls()


@dataclass(frozen=True)
class LoadedFile:
    """A file offered to importers, read once. ``data`` is the parsed JSON/YAML document (None if
    the file did not parse as either); ``text`` is the raw text."""

    path: Path
    text: str
    data: Any = None


@dataclass(frozen=True)
class RecognisedFile:
    """A file an importer claimed, with the document type it found (``aws.gaad``, ...)."""

    file: LoadedFile
    doc_type: str
    provider: str


class ProviderPlugin(ABC):
    """One cloud or platform."""

    name: ClassVar[str]
    extra: ClassVar[str]  # pip extra that installs its SDK
    description: ClassVar[str]

    @abstractmethod
    def credentials_hint(self, options: CollectOptions) -> str | None:
        """Return None when credentials for this provider appear to be configured, else a short
        reason why the provider is skipped in a scan that names no provider. Must be cheap: no
        network calls, no SDK imports where avoidable."""

    @abstractmethod
    def collect(self, options: CollectOptions) -> Inventory:
        """Read the live estate with read-only calls. Record every unreadable source as a
        coverage gap and carry on; raise CollectionError only when nothing at all could be read."""

    @abstractmethod
    def recognise(self, file: LoadedFile) -> str | None:
        """Return the document type if this provider understands the file, else None. Decide by
        content, never by file name."""

    @abstractmethod
    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        """Build the inventory from recognised files. Raise InputError naming the file and field
        for malformed content."""

    # Registry metadata (read by nhiscan.providers and the CLI without instantiating the plugin).
    display_name: ClassVar[str] = ""
    """How ``--help`` titles its options (``AWS``, ``Kubernetes``); default: ``name``."""
    settings_class: ClassVar[type[ProviderSettings]] = ProviderSettings
    """Its typed settings class (``providers/<name>/settings.py``); the CLI builds the provider's
    options from the class's :func:`~nhiscan.providers.settings.cli_option` fields."""
    sdk_modules: ClassVar[tuple[str, ...]] = ()
    """Modules live collection needs, installed by ``extra``. When one cannot be found a scan that
    names the provider stops with the ``pip install 'nhiscan[<extra>]'`` advice and a scan that
    names none skips it with that reason. Offline import never needs them."""


def file_label(path: Path) -> str:
    return str(path)
