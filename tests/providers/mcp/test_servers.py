"""Facts derived from one server definition: transport, auth, packages, filesystem reach."""

from __future__ import annotations

from typing import Any

import pytest

from nhiscan.inventory_io import to_jsonable
from nhiscan.providers.mcp.servers import analyse, broad_root, package, url_facts


def facts(definition: dict[str, Any]) -> dict[str, Any]:
    return dict(to_jsonable(analyse(definition, "mcpServers.s", "/home/alice").facts))


@pytest.mark.parametrize(
    ("command", "args", "spec", "pinned"),
    [
        ("npx", ["-y", "@modelcontextprotocol/server-github"], "@modelcontextprotocol/server-github", False),
        (
            "npx",
            ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
            "@modelcontextprotocol/server-github@2025.4.8",
            True,
        ),
        ("npx", ["@playwright/mcp@latest"], "@playwright/mcp@latest", False),
        ("npx", ["-y", "pkg@^1.2.0"], "pkg@^1.2.0", False),
        ("npx", ["--yes", "--package", "tool@1.0.0", "tool-bin"], "tool@1.0.0", True),
        ("C:\\Program Files\\nodejs\\npx.cmd", ["-y", "pkg"], "pkg", False),
        ("cmd", ["/c", "npx", "-y", "pkg@1.0.0"], "pkg@1.0.0", True),
        ("bun", ["x", "llm-rules@latest"], "llm-rules@latest", False),
        ("pnpm", ["dlx", "srv@2.0.1"], "srv@2.0.1", True),
        ("uvx", ["mcp-server-fetch"], "mcp-server-fetch", False),
        ("uvx", ["mcp-server-fetch==2025.4.7"], "mcp-server-fetch==2025.4.7", True),
        ("uvx", ["--from", "git-mcp==1.0", "mcp-git"], "git-mcp==1.0", True),
        ("uvx", ["awslabs.core-mcp-server@latest"], "awslabs.core-mcp-server@latest", False),
        ("uv", ["tool", "run", "srv"], "srv", False),
        (
            "docker",
            ["run", "-i", "--rm", "-e", "TOKEN", "ghcr.io/github/github-mcp-server"],
            "ghcr.io/github/github-mcp-server",
            False,
        ),
        ("docker", ["run", "-i", "img:latest"], "img:latest", False),
        ("docker", ["run", "-i", "--rm", "-v", "/data:/data", "img:1.4.2"], "img:1.4.2", True),
        ("podman", ["run", "img@sha256:" + "0" * 64], "img@sha256:" + "0" * 64, True),
    ],
)
def test_packages(command: str, args: list[str], spec: str, pinned: bool) -> None:
    pkg = package(command, args)
    assert pkg is not None and (pkg.spec, pkg.pinned) == (spec, pinned)


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("node", ["build/index.js"]),
        ("npm", ["run", "start-stdio"]),
        ("npx", ["./local-server"]),
        ("uv", ["run", "server.py"]),
        ("D:/dev/azure-mcp/azmcp.exe", ["server", "start"]),
        ("docker", ["compose", "up"]),
        (None, []),
    ],
)
def test_not_a_fetched_package(command: str | None, args: list[str]) -> None:
    assert package(command, args) is None


@pytest.mark.parametrize(
    ("root", "broad"),
    [
        ("/", True),
        ("~", True),
        ("$HOME", True),
        ("${userHome}", True),
        ("C:\\", True),
        ("D:/", True),
        ("/Users/bob", True),
        ("/home/alice", True),
        ("C:\\Users\\bob", True),
        ("/home/alice/.aws", True),
        ("/Users/bob/.ssh/", True),
        ("/Users/bob/projects/app", False),
        ("C:\\Users\\bob\\src\\app", False),
        ("./data", False),
        ("/srv/share", False),
    ],
)
def test_broad_roots(root: str, broad: bool) -> None:
    assert broad_root(root, "/home/alice") is broad


def test_url_facts() -> None:
    assert url_facts("http://localhost:8080/mcp").loopback
    assert url_facts("http://127.0.0.1/mcp").loopback
    assert url_facts("http://0.0.0.0:7071/runtime/webhooks/mcp").loopback
    assert url_facts("http://[::1]:3000/mcp").loopback
    assert not url_facts("https://${input:app}.azurewebsites.net/mcp").loopback
    assert url_facts("https://${input:app}.azurewebsites.net/mcp").scheme == "https"
    assert not url_facts("http://localhost.evil.example/mcp").loopback


def test_transport_and_auth() -> None:
    assert facts({"command": "srv"})["transport"] == "stdio"
    assert facts({"url": "https://x.example/sse"})["transport"] == "sse"
    assert facts({"url": "https://x.example/mcp"})["transport"] == "http"
    assert facts({"type": "streamable-http", "url": "https://x.example/mcp"})["transport"] == "http"
    assert facts({"httpUrl": "https://x.example/mcp"})["transport"] == "http"
    assert facts({"url": "https://x.example/mcp", "headers": {"X-Trace": "1"}})["auth"] == "unknown"
    assert facts({"url": "https://x.example/mcp", "oauth": {"clientId": "abc"}})["auth"] == "oauth"
    assert (
        facts({"url": "https://x.example/mcp", "auth": {"CLIENT_ID": "abc", "scopes": []}})["auth"] == "oauth"
    )
    assert facts({"url": "https://x.example/mcp?api_key=${KEY}"})["auth"] == "query"
    assert facts({"url": "https://x.example/mcp", "bearer_token_env_var": "TOK"})["auth"] == "env"


def test_mcp_remote_proxy_is_a_remote_server() -> None:
    f = facts(
        {
            "command": "npx",
            "args": [
                "-y",
                "mcp-remote@0.1.29",
                "http://mcp.corp.example.net/sse",
                "--header",
                "Authorization: ${AUTH}",
            ],
        }
    )
    assert (f["remote"], f["plain_http"], f["auth"], f["header_names"]) == (
        True,
        True,
        "header",
        ["Authorization"],
    )
    assert f["transport"] == "stdio" and f["unpinned_package"] is None


def test_filesystem_roots_from_server_filesystem_and_docker_mounts() -> None:
    f = facts({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/srv/a", "~"]})
    assert f["filesystem_roots"] == ["/srv/a", "~"] and f["broad_filesystem"] is True
    d = facts(
        {
            "command": "docker",
            "args": ["run", "--mount", "type=bind,src=/,dst=/host", "-v", "vol:/x", "img:1"],
        }
    )
    assert d["filesystem_roots"] == ["/"] and d["broad_filesystem"] is True
    w = facts({"command": "docker", "args": ["run", "-v", "C:\\Users\\bob:/data", "img:1"]})
    assert w["filesystem_roots"] == ["C:\\Users\\bob"] and w["broad_filesystem"] is True
    assert facts({"command": "mcp-server-filesystem", "args": ["/"]})["broad_filesystem"] is True


def test_auto_approve_shapes() -> None:
    assert facts({"command": "s", "autoApprove": ["*"]})["auto_approve"] == ["*"]
    assert facts({"command": "s", "alwaysAllow": ["read", "*"]})["auto_approve_all"] is True
    assert facts({"command": "s", "trust": True})["auto_approve"] == []
    assert facts({"command": "s", "trust": True})["auto_approve_all"] is True
    assert facts({"command": "s", "autoApprove": ["b", "a"]})["auto_approve"] == ["a", "b"]
    assert facts({"command": "s"})["auto_approve"] == []
    assert facts({"command": "s"})["auto_approve_all"] is False


def test_disabled_shapes() -> None:
    assert facts({"command": "s", "disabled": True})["disabled"] is True
    assert facts({"command": "s", "enabled": False})["disabled"] is True
    assert facts({"command": "s"})["disabled"] is False


def test_whole_command_line_in_command() -> None:
    f = facts({"command": "npx -y @acme/server"})
    assert (f["command"], f["args"], f["unpinned_package"]) == ("npx", ["-y", "@acme/server"], "@acme/server")


def test_secret_locations_in_one_definition() -> None:
    token = "ghp_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"
    result = analyse(
        {
            "command": "npx",
            "args": [
                "-y",
                "srv@1.0.0",
                f"--token={token}",
                "--api-key",
                "Kx9mQ2vL7pR4wZ3n",
                "-e",
                f"GH={token}",
            ],
            "env": {"GITHUB_TOKEN": token, "LOG": "debug"},
            "headers": {"Authorization": f"Bearer {token}"},
            "url": f"https://u:{token}@x.example/mcp?access_token={token}&q=1",
            "oauth": {"clientSecret": "Qw3rTy7UiOp2AsDf"},
        },
        "mcpServers.s",
        None,
    )
    paths = {s.path: (s.token_kind, s.source) for s in result.secrets}
    assert paths == {
        "mcpServers.s.env.GITHUB_TOKEN": ("github_pat", "env"),
        "mcpServers.s.headers.Authorization": ("github_pat", "header"),
        "mcpServers.s.args[2]": ("github_pat", "arg"),
        "mcpServers.s.args[4]": ("generic_secret", "arg"),
        "mcpServers.s.args[6]": ("github_pat", "arg"),
        "mcpServers.s.url@password": ("github_pat", "url"),
        "mcpServers.s.url?access_token": ("github_pat", "url"),
        "mcpServers.s.oauth.clientSecret": ("generic_secret", "auth"),
    }
    attrs = to_jsonable(result.facts)
    assert token not in repr(attrs) and "Kx9mQ2vL7pR4wZ3n" not in repr(attrs)
    assert attrs["args"][:3] == ["-y", "srv@1.0.0", "<redacted>"]
    assert attrs["url"] == "https://x.example/mcp?access_token=<redacted>&q=1"
    assert attrs["hardcoded_secrets"] == 8


def test_displayed_args_never_carry_header_or_env_values() -> None:
    generic = "Zx8Qw2Er6Ty4Ui0P"
    f = facts(
        {
            "command": "npx",
            "args": [
                "-y",
                "mcp-remote@0.1.29",
                f"https://mcp.example.com/sse?api_key={generic}&team=core",
                "--header",
                "X-Trace: opaque-but-not-secret-looking",
                "--header",
                "Authorization: Bearer ${AUTH_TOKEN}",
            ],
        }
    )
    assert f["args"] == [
        "-y",
        "mcp-remote@0.1.29",
        "https://mcp.example.com/sse?api_key=<redacted>&team=core",
        "--header",
        "X-Trace: <redacted>",
        "--header",
        "Authorization: Bearer ${AUTH_TOKEN}",
    ]
    assert generic not in repr(f) and f["url"] == "https://mcp.example.com/sse?api_key=<redacted>&team=core"
    d = facts({"command": "docker", "args": ["run", "-i", "-e", "TOKEN", "-e", "LOG=debug", "img:1"]})
    assert d["args"] == ["run", "-i", "-e", "TOKEN", "-e", "LOG=<redacted>", "img:1"]


def test_config_folder_reach() -> None:
    assert broad_root("/home/alice/.config", None) is True
    assert broad_root("/home/alice/.config/gcloud", None) is True
    assert broad_root("/home/alice/.config/myapp", None) is False


def test_connection_string_argument() -> None:
    result = analyse(
        {
            "command": "npx",
            "args": [
                "-y",
                "@modelcontextprotocol/server-postgres@0.6.2",
                "postgresql://app:Xq7v2LpR9sT4@db.example.net/app",
            ],
            "env": {"DATABASE_URL": "mysql://root:Wq8z3NbV6mK1@mysql.example.net/x"},
        },
        "mcpServers.s",
        None,
    )
    assert {s.path for s in result.secrets} == {
        "mcpServers.s.args[2]@password",
        "mcpServers.s.env.DATABASE_URL",
    }
    assert result.facts.args[2] == "<redacted>"
    assert "Xq7v2LpR9sT4" not in repr(result)
