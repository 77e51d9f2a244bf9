"""Shared helpers for the Azure provider tests (import as ``providers.azure.azure_support``)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nhiscan.model import Inventory
from nhiscan.providers import get
from nhiscan.providers.azure.settings import AzureSettings
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
from support import REPO, shared_dir

DEMO = REPO / "examples" / "demo" / "azure"
AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)
CANARY = "nhiscan-CANARY-Zq8~secret-value-4f1d2c"


def real_dir() -> Path:
    """The real exported files beside the repository; a missing folder fails the test."""
    path = shared_dir() / "real-exports" / "azure"
    assert path.is_dir(), f"real exports missing at {path}"
    return path


PLUGIN = get("azure")
TENANT = "6a1f3c2e-9b4d-4e8a-a1c7-3f5e2d8b9c10"
PROD = "2f8e6d4c-1a3b-4c5d-9e7f-0a1b2c3d4e5f"
DEV = "9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a"
SP = {
    "ci": "000000a3-4a2b-4c3d-8e4f-0000000000a3",
    "gha": "000000b3-4a2b-4c3d-8e4f-0000000000b3",
    "graph_auto": "000000c3-4a2b-4c3d-8e4f-0000000000c3",
    "legacy": "000000d3-4a2b-4c3d-8e4f-0000000000d3",
    "vendor": "000000e3-4a2b-4c3d-8e4f-0000000000e3",
    "helpdesk": "000000f3-4a2b-4c3d-8e4f-0000000000f3",
    "msgraph": "0000006a-4a2b-4c3d-8e4f-00000000006a",
    "mi_vm": "00000113-4a2b-4c3d-8e4f-000000000113",
    "mi_user": "00000123-4a2b-4c3d-8e4f-000000000123",
    "app_only": "00000101-4a2b-4c3d-8e4f-000000000101",
    "mi_foundry": "00000133-4a2b-4c3d-8e4f-000000000133",
}
# Entra Agent ID objects of the demo tenant.
AGENT = {
    "helpdesk_bp": "00000201-4a2b-4c3d-8e4f-000000000201",
    "helpdesk_bp_app": "00000202-4a2b-4c3d-8e4f-000000000202",
    "helpdesk_bp_sp": "00000203-4a2b-4c3d-8e4f-000000000203",
    "triage": "00000211-4a2b-4c3d-8e4f-000000000211",
    "autofix": "00000212-4a2b-4c3d-8e4f-000000000212",
    "research": "00000213-4a2b-4c3d-8e4f-000000000213",
    "research_bp": "00000221-4a2b-4c3d-8e4f-000000000221",
    "research_bp_app": "00000222-4a2b-4c3d-8e4f-000000000222",
    "research_bp_sp": "00000223-4a2b-4c3d-8e4f-000000000223",
}
AGENT_IDENTITY_IDS = {
    AGENT["triage"],
    AGENT["autofix"],
    AGENT["research"],
    AGENT["helpdesk_bp"],
    AGENT["research_bp"],
}


def loaded(path: Path) -> LoadedFile:
    # Mimic the generic loader: UTF-8 JSON parses, anything else arrives with data=None.
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, ValueError):
        data, text = None, ""
    return LoadedFile(path=path, text=text, data=data)


def build(paths: list[Path], **settings: Any) -> Inventory:
    """Recognise and import files the way ``--from`` does."""
    files = []
    for p in paths:
        lf = loaded(p)
        doc_type = PLUGIN.recognise(lf)
        assert doc_type, f"{p.name} not recognised"
        files.append(RecognisedFile(lf, doc_type, "azure"))
    return PLUGIN.build(files, CollectOptions(as_of=AS_OF, settings=(AzureSettings(**settings),)))


def by_id(inv: Inventory) -> dict[str, Any]:
    return {i.id: i for i in inv.identities}
