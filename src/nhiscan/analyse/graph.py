"""Delegation-graph facts per identity (who can become whom). The full graph analysis is built
in the delegation-graph work; until then every identity gets only the facts the inventory states
directly, so rules reading ``identity.graph.*`` see nulls rather than guesses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.model import Inventory


def graph_facts(inventory: Inventory) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for ident in inventory.identities:
        out[ident.id] = {"is_admin": "admin" in ident.permissions.classes}
    return out
