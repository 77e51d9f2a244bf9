"""Every real MCP config collected from public repositories (shared/real-exports/mcp, read in
place) is recognised and yields exactly the servers it defines; other providers' exports are not
claimed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nhiscan.inventory_io import to_jsonable
from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
from nhiscan.providers.mcp import Plugin
from nhiscan.sources import load_path, read_file
from providers.mcp.mcp_support import AS_OF
from support import DEMO, shared_dir

MCP_EXPORTS = shared_dir() / "real-exports" / "mcp"

# file -> {server name: (client, transport, selected attributes)}
EXPECTED: dict[str, dict[str, tuple[str, str, dict[str, Any]]]] = {
    "12Knocksinna__Office365itpros__.vscode__mcp.json": {
        "m365agentstoolkit": (
            "vscode",
            "stdio",
            {"unpinned_package": "@microsoft/m365agentstoolkit-mcp@latest"},
        ),
    },
    "Apillon__mcp-server__claude_desktop_config.json": {
        "apillon-mcp-server": (
            "claude-desktop",
            "stdio",
            {"env_names": ["APILLON_API_KEY", "APILLON_API_SECRET"], "hardcoded_secrets": 0},
        ),
        "filesystem": (
            "claude-desktop",
            "stdio",
            {"filesystem_roots": ["/Users/your-username/Desktop"], "broad_filesystem": False},
        ),
    },
    "Azure-Samples__remote-mcp-functions-python__.vscode__mcp.json@52d869e_inputs_headers.json": {
        "remote-mcp-function": ("vscode", "http", {"auth": "header", "header_names": ["x-functions-key"]}),
        "local-mcp-function": ("vscode", "http", {"loopback": True, "plain_http": False, "auth": "none"}),
    },
    "Azure__azure-mcp__.vscode__mcp.json@52c2688_jsonc_comments.json": {},
    "Azure__azure-mcp__.vscode__mcp.json@c7abf23_stdio_abs_path.json": {
        "azure-mcp-server": (
            "vscode",
            "stdio",
            {
                "command": "D:/dev/github.com/BrianCollet/azure-mcp/src/bin/Debug/net9.0/azmcp.exe",
                "package": None,
            },
        ),
    },
    "cloudflare__workers-sdk__.mcp.json": {
        "rules": ("claude-code", "stdio", {"unpinned_package": "llm-rules@latest"}),
        "context7": (
            "claude-code",
            "sse",
            {"remote": True, "auth": "none", "url": "https://mcp.context7.com/sse"},
        ),
        "playwright": ("claude-code", "stdio", {"unpinned_package": "@playwright/mcp@latest"}),
    },
    "microsoft__azure-devops-mcp__mcp.json": {
        "ado": ("vscode", "stdio", {"args": ["${input:ado_org}"], "env_names": ["LOG_LEVEL"]}),
    },
    "microsoft__vscode__.vscode__mcp.json": {
        "vscode-playwright-mcp": ("vscode", "stdio", {"cwd": "${workspaceFolder}/test/mcp", "package": None}),
    },
    "modelcontextprotocol__inspector__sample-config.json": {
        "everything": ("unknown", "stdio", {"unpinned_package": "@modelcontextprotocol/server-everything"}),
        "myserver": ("unknown", "stdio", {"env_names": ["KEY", "KEY2"], "hardcoded_secrets": 0}),
        "hosted-everything": ("unknown", "http", {"remote": True, "auth": "none"}),
    },
}


def test_the_folder_holds_exactly_the_expected_files() -> None:
    assert MCP_EXPORTS.is_dir(), f"missing {MCP_EXPORTS}"
    assert sorted(p.name for p in MCP_EXPORTS.iterdir()) == sorted(EXPECTED)


def _build(path: Path) -> Inventory:
    plugin = Plugin()
    loaded, _ = read_file(path)
    doc_type = plugin.recognise(loaded)
    assert doc_type is not None, path.name
    return plugin.build([RecognisedFile(loaded, doc_type, "mcp")], CollectOptions(as_of=AS_OF))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_export(name: str) -> None:
    inv = _build(MCP_EXPORTS / name)
    found = {i.name: i for i in inv.identities}
    assert set(found) == set(EXPECTED[name])
    for server, (client, transport, selected) in EXPECTED[name].items():
        attrs = to_jsonable(found[server].facts)
        assert (attrs["client"], attrs["transport"]) == (client, transport), server
        for key, value in selected.items():
            assert attrs[key] == value, (server, key)
        assert attrs["config_file"] == name and attrs["in_repository"] is True
    assert not inv.credentials  # none of these public files carries a literal secret
    assert [s.type for s in inv.scopes] == ["repository"]


def test_the_whole_folder_through_the_loader() -> None:
    inv = load_path(MCP_EXPORTS, CollectOptions(as_of=AS_OF))
    assert len(inv.identities) == sum(len(v) for v in EXPECTED.values()) == 14
    assert inv.providers == ("mcp",)


def test_other_providers_exports_are_not_claimed() -> None:
    plugin = Plugin()
    others = [p for p in (shared_dir() / "real-exports").rglob("*") if p.is_file() and "mcp" not in p.parts]
    others += [p for p in DEMO.rglob("*") if p.is_file() and "mcp" not in p.relative_to(DEMO).parts]
    assert len(others) > 10
    for path in others:
        assert plugin.recognise(_load(path)) is None, path


def _load(path: Path) -> LoadedFile:
    """As the loader offers a file; big YAML manifests parsed with libyaml to keep this fast."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return read_file(path)[0]
    text = path.read_text(encoding="utf-8")
    docs = [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
    return LoadedFile(path=path, text=text, data=docs[0] if len(docs) == 1 else docs)


@pytest.mark.parametrize(
    "doc",
    [
        {"servers": [{"host": "a"}]},
        {"servers": {"web": {"host": "a", "port": 80}}},
        {"servers": {}, "version": 2},
        {"mcpServers": ["a", "b"]},
        {"mcpServers": "x"},
        {"context_servers": {"a": "b"}},
        {"projects": {"/p": {"allowedTools": []}}},
        {"mcp": {"allowed": ["x"]}},
        {"kind": "List", "items": []},
        [{"mcpServers": {}}],
    ],
)
def test_lookalikes_are_not_claimed(doc: Any) -> None:
    from nhiscan.providers.mcp.documents import recognise_data

    assert recognise_data(doc) is None


def test_every_fixture_is_claimed_by_mcp_through_the_loader() -> None:
    # other providers' recognisers run first in the loader; none of them may take an MCP config
    from providers.mcp.mcp_support import FIXTURES, TOML

    inv = load_path(FIXTURES, CollectOptions(as_of=AS_OF))
    assert {i.provider for i in inv.identities} == {"mcp"}
    assert len(inv.identities) == (25 if TOML else 22)
