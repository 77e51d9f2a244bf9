"""The contract every provider implements: collect live, or build from exported files.

A provider is one package under ``nhiscan.providers`` registered in ``PROVIDERS``. The live
collector and the offline importer must produce the same :class:`~nhiscan.model.Inventory` for the
same estate: the usual way is for the collector to fetch the same documents the provider's CLI
exports and hand them to the same builder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from nhiscan.model import Edge, Identity, Inventory
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


@dataclass(frozen=True)
class DelegationContext:
    """What a provider's delegation analysis is given."""

    inventory: Inventory
    """The whole (merged) inventory: edges may cross providers."""
    sink_of: Callable[[Identity], str]
    """Names the admin-sink node of an identity's scope (``admin:<scope key>``); an edge into it
    means "can act with full control of that scope"."""


class Delegation:
    """One provider's contribution to the provider-neutral delegation graph
    (:mod:`nhiscan.analyse.graph`). The defaults contribute nothing."""

    hub_prefix: ClassVar[str | None] = None
    """Node names starting with this prefix are hubs (nodes that stand for a group of identities
    with identical permissions), not identities."""

    empower_kind: ClassVar[str] = "empower_then_act_as"
    """Kind of the edge :meth:`empower` findings become (from the principal to the target's
    admin sink)."""

    expands_hubs: ClassVar[bool] = False
    """Its edges expand a node that the provided edges name (a tenant-wide hub) into the
    identities it stands for; they are added after every other edge."""

    def edges(self) -> Iterable[Edge]:
        """Edges derived from the identities' permissions and trust (``attributes["conditional"]``
        marks an edge that holds only under a condition nhiscan cannot decide)."""
        return ()

    def external_trust(self, ident: Identity) -> Sequence[Mapping[str, Any]]:
        """Principals outside the inventory that ``ident`` trusts directly
        (``{type, value, ...}``)."""
        return ()

    def may_empower(self, ident: Identity) -> bool:
        """Cheap pre-check for :meth:`empower`: could ``ident`` add permissions to anyone?"""
        return False

    def empower(self, src: Identity, target: Identity) -> tuple[str, bool] | None:
        """How ``src`` can add permissions to ``target`` (which it can act as), and whether that
        is conditional; None when it cannot."""
        return None


class ProviderPlugin(ABC):
    """One cloud or platform."""

    name: ClassVar[str]
    extra: ClassVar[str]  # pip extra that installs its SDK
    description: ClassVar[str]

    identity_facts: ClassVar[type | None] = None
    """Frozen dataclass of this provider's identity facts (``Identity.facts``; rules read
    ``identity.<provider>.<field>``). Every field has a default and a docstring."""
    credential_facts: ClassVar[type | None] = None
    """Frozen dataclass of ``Credential.facts`` (``credential.<provider>.<field>``)."""
    edge_facts: ClassVar[type | None] = None
    """Frozen dataclass of ``Edge.facts`` (``edge.<provider>.<field>``)."""
    logging_facts: ClassVar[type | None] = None
    """Frozen dataclass of ``LoggingState.facts`` (``logging.<provider>.<field>``)."""
    identity_kinds: ClassVar[Mapping[str, str]] = {}
    """Every identity kind the provider emits (including ``agent.*`` kinds), with a one-line
    description; rule values for ``identity.kind`` are checked against them."""
    credential_kinds: ClassVar[Mapping[str, str]] = {}
    """Every credential kind the provider emits, with a description."""
    edge_kinds: ClassVar[Mapping[str, str]] = {}
    """Every edge kind the provider emits or derives, with a description."""

    external_source_edge_kinds: ClassVar[frozenset[str]] = frozenset()
    """Kinds of this provider's edges whose source is a principal outside the organisation (an
    OIDC issuer and subject, a federated credential): the graph records them as external trust of
    the edge's target."""

    derives_admin_edges: ClassVar[bool] = False
    """The provider's :class:`Delegation` emits the edges from administrators to their scope's
    sink itself; otherwise the graph adds one for every identity with permission class ``admin``."""

    def delegation(self, context: DelegationContext) -> Delegation | None:
        """This provider's contribution to the delegation graph, or None (the default)."""
        return None

    def sink_scope(self, ident: Identity, parents: Mapping[str, str | None]) -> str:
        """The scope whose administrator ``ident`` would be: its own scope by default.
        ``parents`` maps a scope key to its parent scope's key."""
        return ident.scope

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
