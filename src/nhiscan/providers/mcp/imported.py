"""``nhiscan scan --from``: config files handed over by the loader instead of discovered.

A file that sits in one of this user's well-known client locations belongs to the host scope;
any other file belongs to the repository that contains it (its git work tree, else its folder),
because a config someone hands over as a file is usually one that travels with a project.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nhiscan.model import CoverageEntry, CoverageStatus, Credential, Identity, Inventory, Scope
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.mcp import documents as d
from nhiscan.providers.mcp.build import (
    PROVIDER,
    ConfigFile,
    build_file,
    client_for,
    host_label,
    host_scope,
    repo_label,
    repo_scope,
)
from nhiscan.providers.mcp.collector import repository_root, system_locations, user_locations


def build_imported(files: Sequence[tuple[Path, str, Any, str]], options: CollectOptions) -> Inventory:
    home = Path.home()
    known = {str(p.resolve()) for p in user_locations(home, os.environ) + system_locations()}
    identities: list[Identity] = []
    credentials: list[Credential] = []
    coverage: list[CoverageEntry] = []
    scopes: dict[str, Scope] = {}
    for path, doc_type, data, text in files:
        resolved = path.resolve()
        toml = doc_type == d.CODEX and d.looks_like_toml(text)
        if data is None and not (toml and not d.toml_supported()):
            data = d.parse_text(text, str(path), toml=toml)
        if str(resolved) in known:
            scope, label, in_repo = host_scope(socket.gethostname()), host_label(resolved, home), False
        else:
            root = repository_root(resolved)
            scope, label, in_repo = repo_scope(root), repo_label(resolved, root), True
        scopes.setdefault(scope.key, scope)
        if data is None:
            coverage.append(
                CoverageEntry(
                    PROVIDER, scope.key, label, CoverageStatus.NOT_ENABLED.value, d.TOML_UNSUPPORTED
                )
            )
            continue
        cfg = ConfigFile(resolved, label, scope, doc_type, data, client_for(resolved, doc_type), in_repo)
        ids, creds = build_file(cfg, str(home))
        identities += ids
        credentials += creds
        coverage.append(
            CoverageEntry(PROVIDER, scope.key, label, CoverageStatus.OK.value, f"{len(ids)} MCP server(s)")
        )
    return Inventory(
        identities=tuple(identities),
        credentials=tuple(credentials),
        coverage=tuple(coverage),
        scopes=tuple(scopes.values()),
        providers=(PROVIDER,),
        generated_at=options.as_of,
    )
