"""Discovery of per-user client configs (HOME, APPDATA, XDG_CONFIG_HOME pointed at a temporary
folder) and of commit-able configs in a repository, each client in its documented shape."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import InputError
from nhiscan.inventory_io import to_jsonable
from nhiscan.model import Identity, Inventory
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.mcp import Plugin
from nhiscan.providers.mcp.settings import McpSettings
from providers.mcp.mcp_support import AS_OF, CODEX_SERVERS, FIXTURES, HOME_LAYOUT, TOML, place


def by_name(inv: Inventory) -> dict[str, Identity]:
    return {i.name: i for i in inv.identities}


def attrs(inv: Inventory, name: str) -> dict[str, Any]:
    return dict(to_jsonable(by_name(inv)[name].facts))


def test_every_client_in_its_home_location(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    place(fake_home, HOME_LAYOUT)
    inv = collect_mcp()
    host = socket.gethostname()
    assert {s.key for s in inv.scopes} == {f"mcp:host:{host}"}
    clients = {(i.facts.client, i.name) for i in inv.identities}
    assert clients == {
        ("claude-desktop", "filesystem"),
        ("claude-desktop", "slack"),
        ("claude-code", "sentry"),
        ("claude-code", "postgres"),
        ("cursor", "linear"),
        ("cursor", "browser"),
        ("vscode", "github"),
        ("vscode", "perplexity"),
        ("vscode", "fetch"),
        ("windsurf", "remote-docs"),
        ("windsurf", "git"),
        ("cline", "github.com/modelcontextprotocol/servers/tree/main/src/brave-search"),
        ("cline", "everything"),
        ("continue", "Playwright"),
        ("continue", "Remote"),
        ("zed", "local"),
        ("zed", "legacy"),
        ("zed", "remote"),
        ("gemini-cli", "pythonTools"),
        ("gemini-cli", "httpServer"),
        ("gemini-cli", "sseServer"),
        ("kiro", "aws-docs"),
    } | (CODEX_SERVERS if TOML else set())
    assert not inv.credentials, [c.location for c in inv.credentials]
    assert all(i.kind == "agent.mcp_server" and i.provider == "mcp" for i in inv.identities)
    assert [(g.source, g.status) for g in inv.gaps] == (
        [] if TOML else [("~/.codex/config.toml", "not_enabled")]
    )
    for ident in inv.identities:
        assert ident.facts.in_repository is False
        fragment = ident.facts.json_path if ident.name == "postgres" else ident.name
        assert ident.id == f"mcp://{host}/{ident.facts.config_file}#{fragment}"
        assert ident.facts.config_file.startswith("~/")


def test_shapes_normalise(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    place(fake_home, HOME_LAYOUT)
    inv = collect_mcp()
    postgres = attrs(inv, "postgres")
    assert postgres["json_path"] == 'projects["/Users/alice/src/app"].mcpServers.postgres'
    assert postgres["config_file"] == "~/.claude.json"
    assert attrs(inv, "sentry") | {} == attrs(inv, "sentry")
    assert (attrs(inv, "sentry")["transport"], attrs(inv, "sentry")["auth"]) == ("http", "none")
    linear = attrs(inv, "linear")
    assert (linear["transport"], linear["auth"], linear["header_names"]) == (
        "sse",
        "header",
        ["Authorization"],
    )
    github = attrs(inv, "github")  # JSONC with comments, trailing commas and // inside a URL
    assert github["url"] == "https://api.githubcopilot.com/mcp/" and github["transport"] == "http"
    perplexity = attrs(inv, "perplexity")
    assert (
        perplexity["env_names"] == ["PERPLEXITY_API_KEY"]
        and perplexity["env_file"] == "${workspaceFolder}/.env"
    )
    assert (
        perplexity["unpinned_package"] == "mcp/perplexity-ask" and perplexity["package_runner"] == "container"
    )
    assert attrs(inv, "fetch")["json_path"] == "mcp.servers.fetch"
    assert attrs(inv, "fetch")["unpinned_package"] is None
    docs = attrs(inv, "remote-docs")  # Windsurf serverUrl
    assert (docs["remote"], docs["url"], docs["auth"]) == (True, "https://docs.example.com/mcp", "header")
    git = attrs(inv, "git")
    assert git["disabled"] is True and git["broad_filesystem"] is True and git["filesystem_roots"] == ["/"]
    brave = attrs(inv, "github.com/modelcontextprotocol/servers/tree/main/src/brave-search")
    assert brave["auto_approve"] == ["brave_web_search"] and brave["auto_approve_all"] is False
    assert (
        brave["json_path"]
        == 'mcpServers["github.com/modelcontextprotocol/servers/tree/main/src/brave-search"]'
    )
    everything = attrs(inv, "everything")
    assert (
        everything["transport"] == "http"
        and everything["auto_approve"] == ["*"]
        and everything["auto_approve_all"]
    )
    playwright = attrs(inv, "Playwright")
    assert (
        playwright["json_path"] == "mcpServers[0]"
        and playwright["unpinned_package"] == "@playwright/mcp@latest"
    )
    assert attrs(inv, "Remote")["transport"] == "http"
    legacy = attrs(inv, "legacy")  # Zed's older command object
    assert (legacy["command"], legacy["args"], legacy["env_names"]) == (
        "/usr/local/bin/mcp-legacy",
        ["serve"],
        ["LOG"],
    )
    assert attrs(inv, "remote")["auth"] == "header"  # "Bearer <token>" is a placeholder, not a secret
    python_tools = attrs(inv, "pythonTools")
    assert python_tools["trust"] is False and python_tools["cwd"] == "./mcp-servers/python"
    assert attrs(inv, "httpServer")["transport"] == "http" and attrs(inv, "sseServer")["transport"] == "sse"
    assert attrs(inv, "sseServer")["auto_approve_all"] is True and attrs(inv, "sseServer")["trust"] is True
    if TOML:
        assert attrs(inv, "figma")["auth"] == "env" and attrs(inv, "docs")["disabled"] is True
        assert attrs(inv, "context7")["unpinned_package"] == "@upstash/context7-mcp"
    assert attrs(inv, "aws-docs")["unpinned_package"] == "awslabs.aws-documentation-mcp-server@latest"
    assert attrs(inv, "filesystem")["filesystem_roots"] == ["/Users/alice/Desktop", "/Users/alice/Downloads"]
    assert attrs(inv, "filesystem")["broad_filesystem"] is False


def test_appdata_and_xdg_locations(fake_home: Path, tmp_path: Path, collect_mcp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    appdata, xdg = tmp_path / "AppData" / "Roaming", tmp_path / "xdg"
    monkeypatch.setenv("APPDATA", str(appdata))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    place(appdata, {"claude_desktop_config.json": "Claude/claude_desktop_config.json"})
    place(xdg, {"zed_settings.json": "zed/settings.json"})
    inv = collect_mcp()
    files = {i.facts.config_file for i in inv.identities}
    assert files == {
        (appdata / "Claude" / "claude_desktop_config.json").as_posix(),
        (xdg / "zed" / "settings.json").as_posix(),
    }


def test_macos_location(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    place(
        fake_home,
        {"claude_desktop_config.json": "Library/Application Support/Claude/claude_desktop_config.json"},
    )
    inv = collect_mcp()
    assert {i.name for i in inv.identities} == {"filesystem", "slack"}
    assert inv.identities[0].facts.client == "claude-desktop"


def test_no_configs_on_host_is_an_empty_inventory(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    inv = collect_mcp()
    assert inv.identities == () and inv.credentials == ()
    assert [c.detail for c in inv.coverage] == ["no MCP client configuration files found"]
    assert Plugin().credentials_hint(CollectOptions(as_of=AS_OF)) is not None


def test_credentials_hint_sees_a_config(fake_home: Path) -> None:
    assert Plugin().credentials_hint(CollectOptions(as_of=AS_OF)) is not None
    place(fake_home, {"cursor_mcp.json": ".cursor/mcp.json"})
    assert Plugin().credentials_hint(CollectOptions(as_of=AS_OF)) is None
    assert (
        Plugin().credentials_hint(CollectOptions(as_of=AS_OF, settings=(McpSettings(paths=(Path("."),)),)))
        is None
    )


def test_a_broken_user_file_is_a_gap_not_a_crash(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    place(fake_home, {"cursor_mcp.json": ".cursor/mcp.json"})
    broken = fake_home / ".gemini" / "settings.json"
    broken.parent.mkdir()
    broken.write_text('{"mcpServers": {"x": {"command": "a",}')
    inv = collect_mcp()
    assert {i.name for i in inv.identities} == {"linear", "browser"}
    (gap,) = inv.gaps
    assert gap.source == "~/.gemini/settings.json" and gap.status == "error"
    assert gap.detail.startswith("invalid JSON at line 1")


def test_settings_without_mcp_are_read_and_noted(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    settings = fake_home / ".config" / "Code" / "User" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"editor.fontSize": 12, // comment\n}')
    inv = collect_mcp()
    assert inv.identities == ()
    assert [(c.source, c.status, c.detail) for c in inv.coverage] == [
        ("~/.config/Code/User/settings.json", "ok", "read; defines no MCP servers")
    ]


# --- repositories -------------------------------------------------------------------------------


def make_repo(root: Path) -> Path:
    place(
        root,
        {
            "cursor_mcp.json": ".cursor/mcp.json",
            "vscode_mcp.json": ".vscode/mcp.json",
            "claude_desktop_config.json": ".mcp.json",
            "gemini_settings.json": ".gemini/settings.json",
            "codex_config.toml": ".codex/config.toml",
            "continue_config.yaml": ".continue/mcpServers/playwright.yaml",
        },
    )
    (root / ".git").mkdir()
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("print('hello')\n")
    return root


def test_repository_scope_follows_the_origin_remote(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    a, b = make_repo(tmp_path / "laptop" / "app"), make_repo(tmp_path / "ci" / "checkout")
    for root in (a, b):
        (root / ".git" / "config").write_text(
            '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://bot:s3cr3t-token@github.com/acme/app.git\n'
        )
    ids_a = sorted(i.id for i in collect_mcp([a]).identities)
    ids_b = sorted(i.id for i in collect_mcp([b]).identities)
    assert ids_a == ids_b and ids_a[0].startswith("mcp://github.com/acme/app/")
    assert not any("s3cr3t-token" in i for i in ids_a)


def test_repository_configs(tmp_path: Path, fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    place(fake_home, HOME_LAYOUT)  # user files are not part of a repository scan
    repo = make_repo(tmp_path / "repo")
    inv = collect_mcp([repo])
    # no origin remote: the folder name, never the checkout's absolute path
    assert [s.key for s in inv.scopes] == ["mcp:repository:repo"]
    files = {i.facts.config_file for i in inv.identities}
    assert files == {
        ".cursor/mcp.json",
        ".vscode/mcp.json",
        ".mcp.json",
        ".gemini/settings.json",
        ".continue/mcpServers/playwright.yaml",
    } | ({".codex/config.toml"} if TOML else set())
    assert all(i.facts.in_repository is True for i in inv.identities)
    clients = {i.facts.config_file: i.facts.client for i in inv.identities}
    assert clients[".mcp.json"] == "claude-code"
    assert clients.get(".codex/config.toml", "codex") == "codex"
    assert clients[".continue/mcpServers/playwright.yaml"] == "continue"
    ident = by_name(inv)["linear"]
    assert ident.id == "mcp://repo/.cursor/mcp.json#linear"


def test_a_single_config_file_given_explicitly(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(tmp_path / "repo")
    inv = collect_mcp([repo / ".vscode" / "mcp.json"])
    assert {i.name for i in inv.identities} == {"github", "perplexity"}
    assert inv.identities[0].facts.config_file == ".vscode/mcp.json"  # relative to the git root


def test_an_explicit_file_that_is_not_an_mcp_config(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "package.json"
    other.write_text('{"name": "x", "version": "1.0.0"}')
    with pytest.raises(InputError) as exc:
        collect_mcp([other])
    assert (
        str(other) in exc.value.diagnostics() and "not an MCP client configuration" in exc.value.diagnostics()
    )


def test_missing_path(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="no such file"):
        collect_mcp([tmp_path / "nope"])


def test_malformed_repository_config_is_an_input_error(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    (repo / ".vscode").mkdir(parents=True)
    (repo / ".vscode" / "mcp.json").write_text('{\n  "servers": {\n    "a": {"command": "x"\n')
    with pytest.raises(InputError) as exc:
        collect_mcp([repo])
    message = exc.value.diagnostics()
    assert message.startswith(str(repo / ".vscode" / "mcp.json") + ": invalid JSON at line")
    assert "\n" not in message


def test_malformed_toml_and_yaml(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    (repo / ".codex").mkdir(parents=True)
    (repo / ".codex" / "config.toml").write_text("[mcp_servers.x\ncommand = 1\n")
    if TOML:
        with pytest.raises(InputError, match=r"config\.toml: invalid TOML"):
            collect_mcp([repo])
    (repo / ".codex" / "config.toml").unlink()
    (repo / ".continue" / "mcpServers").mkdir(parents=True)
    (repo / ".continue" / "mcpServers" / "a.yaml").write_text("mcpServers: [\n  - name: x\n")
    with pytest.raises(InputError, match=r"a\.yaml: invalid YAML at line"):
        collect_mcp([repo])


def test_empty_repository(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "empty"
    repo.mkdir()
    inv = collect_mcp([repo])
    assert inv.identities == () and inv.credentials == () and not inv.gaps
    assert inv.providers == ("mcp",) and [s.type for s in inv.scopes] == ["repository"]


def test_fixtures_are_in_each_clients_documented_shape() -> None:
    # every fixture is recognised by content alone
    from nhiscan.providers.mcp import documents as d
    from nhiscan.providers.mcp.collector import read_config

    for fixture in HOME_LAYOUT:
        if fixture.endswith(".toml") and not TOML:
            continue
        data = read_config(FIXTURES / fixture, fixture)
        assert d.recognise_data(data) is not None, fixture


def test_from_a_file_in_a_user_location_is_host_scoped(fake_home: Path) -> None:
    from nhiscan.providers.interface import RecognisedFile
    from nhiscan.sources import read_file

    place(fake_home, {"cursor_mcp.json": ".cursor/mcp.json", "codex_config.toml": ".codex/config.toml"})
    plugin = Plugin()
    files = []
    for rel in (".cursor/mcp.json", ".codex/config.toml"):
        loaded, _ = read_file(fake_home / rel)
        doc_type = plugin.recognise(loaded)
        assert doc_type is not None, rel
        files.append(RecognisedFile(loaded, doc_type, "mcp"))
    inv = plugin.build(files, CollectOptions(as_of=AS_OF))
    assert {s.type for s in inv.scopes} == {"host"}
    assert {i.facts.config_file for i in inv.identities} == {"~/.cursor/mcp.json"} | (
        {"~/.codex/config.toml"} if TOML else set()
    )
    assert all(i.facts.in_repository is False for i in inv.identities)
    assert [g.source for g in inv.gaps] == ([] if TOML else ["~/.codex/config.toml"])


def test_without_tomllib_codex_files_are_gaps(
    fake_home: Path, tmp_path: Path, collect_mcp, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # What Python 3.10 does (no tomllib; tomli is not a dependency), simulated on any version.
    from nhiscan.providers.interface import RecognisedFile
    from nhiscan.providers.mcp import documents
    from nhiscan.sources import read_file

    monkeypatch.setattr(documents, "toml_supported", lambda: False)
    place(fake_home, {"codex_config.toml": ".codex/config.toml", "cursor_mcp.json": ".cursor/mcp.json"})
    inv = collect_mcp()
    assert {i.name for i in inv.identities} == {"linear", "browser"}
    assert [(g.source, g.status) for g in inv.gaps] == [("~/.codex/config.toml", "not_enabled")]
    repo = make_repo(tmp_path / "repo")
    inv = collect_mcp([repo])
    assert ".codex/config.toml" in {g.source for g in inv.gaps}
    loaded, _ = read_file(repo / ".codex" / "config.toml")
    assert Plugin().recognise(loaded) == documents.CODEX
    built = Plugin().build([RecognisedFile(loaded, documents.CODEX, "mcp")], CollectOptions(as_of=AS_OF))
    assert built.identities == () and [g.status for g in built.gaps] == ["not_enabled"]


def test_claude_code_permissions_approve_mcp_tools(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".mcp.json").write_text(
        '{"mcpServers": {"github": {"command": "gh-mcp"}, "fs": {"command": "fs-mcp"}, "other": {"command": "o"}}}'
    )
    (repo / ".claude" / "settings.json").write_text(
        '{"permissions": {"allow": ["mcp__github", "Bash(npm test)", "mcp__fs__read_file"], "deny": []}}'
    )
    (repo / ".claude" / "settings.local.json").write_text('{"permissions": {"allow": ["mcp__fs__list_dir"]}}')
    inv = collect_mcp([repo])
    assert attrs(inv, "github")["auto_approve"] == ["*"] and attrs(inv, "github")["auto_approve_all"] is True
    assert attrs(inv, "github")["auto_approve_source"] == ".claude/settings.json"
    assert attrs(inv, "fs")["auto_approve"] == ["list_dir", "read_file"]
    assert attrs(inv, "fs")["auto_approve_all"] is False
    assert attrs(inv, "other")["auto_approve"] == []
    assert by_name(inv)["github"].evidence[-1].source == ".claude/settings.json"


def test_claude_code_user_permissions(fake_home: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    place(fake_home, {"claude.json": ".claude.json", "cursor_mcp.json": ".cursor/mcp.json"})
    (fake_home / ".claude").mkdir()
    (fake_home / ".claude" / "settings.json").write_text(
        '{"permissions": {"allow": ["mcp__sentry__*", "mcp__linear"]}}'
    )
    inv = collect_mcp()
    assert attrs(inv, "sentry")["auto_approve_all"] is True
    assert attrs(inv, "postgres")["auto_approve"] == []
    assert attrs(inv, "linear")["auto_approve"] == []  # a Cursor server: Claude's settings don't apply


def test_broken_claude_settings_are_a_gap(tmp_path: Path, collect_mcp) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".mcp.json").write_text('{"mcpServers": {"github": {"command": "gh-mcp"}}}')
    (repo / ".claude" / "settings.json").write_text('{"permissions": ')
    inv = collect_mcp([repo])
    assert [g.source for g in inv.gaps] == [".claude/settings.json"]
    assert attrs(inv, "github")["auto_approve"] == []
