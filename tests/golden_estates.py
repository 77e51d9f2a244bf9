"""Estates for the rule goldens and the demo snapshot: folders of files in the providers' own export
formats, imported with the real importers (the same ``load_path`` as ``nhiscan scan --from``) and
scanned with the CLI's pipeline (``nhiscan.scan.run``).

An estate is named in ``tests/rules/estates.yaml`` as a list of folders. One folder is loaded as it
is; several (a demo base plus a small delta) are loaded as one folder of links to their files, so
the importers join them exactly as they would join the files of one ``--from`` folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from nhiscan.engine import CompiledRule
from nhiscan.findings import Finding
from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions
from nhiscan.scan import run
from nhiscan.sources import load_path
from support import REPO

ESTATES_FILE = REPO / "tests" / "rules" / "estates.yaml"
# placeholder for the repository part of MCP ids: it is the origin remote, or the checkout's
# folder name, so it differs between a laptop, a worktree and CI
REPO_MARK = "<repo>"


def estate_folders() -> dict[str, list[Path]]:
    """``{estate name: folders}`` from ``tests/rules/estates.yaml`` (paths relative to the repo)."""
    data = yaml.safe_load(ESTATES_FILE.read_text(encoding="utf-8"))
    return {str(name): [REPO / str(f) for f in folders] for name, folders in data.items()}


class Estates:
    """Imports each (estate, as_of) once; the golden and snapshot tests share one per session."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._folders = estate_folders()
        self._loaded: dict[tuple[str, datetime], Inventory] = {}

    def names(self) -> list[str]:
        return sorted(self._folders)

    def get(self, name: str, as_of: datetime) -> Inventory:
        key = (name, as_of)
        if key not in self._loaded:
            if name not in self._folders:
                raise KeyError(f"estate {name!r} is not in {ESTATES_FILE}")
            self._loaded[key] = load_path(self._root(name), CollectOptions(as_of=as_of))
        return self._loaded[key]

    def _root(self, name: str) -> Path:
        folders = self._folders[name]
        if len(folders) == 1:
            return folders[0]
        # The k8s importer names an offline cluster after the folder holding its files, so the
        # combined folder is named after the estate (stable across runs).
        root = self._tmp.mktemp("estate") / name
        for n, folder in enumerate(folders):
            for src in sorted(folder.rglob("*")):
                if src.is_file():
                    link = root / f"{n}-{folder.name}" / src.relative_to(folder)
                    link.parent.mkdir(parents=True, exist_ok=True)
                    # a link, not a copy: MCP ids are built from the resolved path in the repository
                    link.symlink_to(src.resolve())
        return root


def scan(inventory: Inventory, rules: Sequence[CompiledRule], as_of: datetime) -> tuple[Finding, ...]:
    """The findings ``nhiscan scan --from`` reports for this inventory and these rules."""
    result, _ = run(inventory, rules, as_of=as_of, started=as_of, providers=inventory.providers)
    return result.findings


def stable_id(inventory: Inventory, target_id: str) -> str:
    """A target id that does not depend on where the repository is checked out."""
    for scope in inventory.scopes:
        if scope.provider == "mcp" and scope.type == "repository":
            target_id = target_id.replace(f"mcp://{scope.id}/", f"mcp://{REPO_MARK}/")
    return target_id


def targets(inventory: Inventory, target: str) -> set[str]:
    """Every target id of one kind (identity, credential, logging, edge) a rule could flag."""
    ids: Iterable[str]
    if target == "identity":
        ids = (i.id for i in inventory.identities)
    elif target == "credential":
        owners = {i.id for i in inventory.identities}
        ids = (f"{c.identity_id}#{c.id}" for c in inventory.credentials if c.identity_id in owners)
    elif target == "logging":
        ids = (s.scope for s in inventory.logging)
    elif target == "edge":
        ids = (f"{e.src}->{e.dst}" for e in inventory.edges)
    else:
        raise ValueError(f"unknown rule target {target!r}")
    return {stable_id(inventory, i) for i in ids}
