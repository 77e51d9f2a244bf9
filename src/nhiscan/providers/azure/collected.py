"""The canonical documents of one scan, before the inventory is built: what the live collector
and the offline importer both hand to :func:`nhiscan.providers.azure.build.build_inventory`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nhiscan.model import CoverageEntry


@dataclass
class Collected:
    """Canonical documents gathered from files or API calls, before the inventory is built.

    Mutable on purpose: the collector and importer add to it as they read; the builder only reads."""

    items: dict[str, list[tuple[dict[str, Any], str]]] = field(default_factory=lambda: defaultdict(list))
    """Document type -> (object, where it was read) pairs."""
    read: set[str] = field(default_factory=set)
    """Types read completely; a type absent from ``read`` is unknown, not empty."""
    activity_log_read: set[str] = field(default_factory=set)
    """Subscriptions whose Activity Log diagnostic settings were read."""
    subscriptions: dict[str, str | None] = field(default_factory=dict)
    """Subscription id -> display name (None when only the id is known)."""
    tenant_id: str | None = None
    """The tenant the live collector resolved, if any."""
    tenant_name: str | None = None
    """The tenant's display name, if read."""
    coverage: list[CoverageEntry] = field(default_factory=list)
    """Sources read or not read so far."""

    def add(self, doc_type: str, objects: Iterable[dict[str, Any]], source: str) -> None:
        """Append objects of one type read from ``source``."""
        self.items[doc_type].extend((o, source) for o in objects)
