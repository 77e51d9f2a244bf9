"""Small MCP inventories built by the real builder from the server definitions below, for the MCP
provider's own tests. (The rule goldens run on exported files: tests/rules/NHI-MCP-*.yaml.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nhiscan.model import Credential, Identity, Inventory, Scope
from nhiscan.providers.mcp import documents as d
from nhiscan.providers.mcp.build import ConfigFile, build_file, host_scope, repo_scope

REPO = repo_scope(Path("/src/acme-app"))
HOST = host_scope("dev-laptop")
HOME = "/Users/alice"
# Obviously fake values with real token shapes (they must look real to be detected).
FAKE_PAT = "ghp_" + "GOLDENfakeTOKENforNHISCANtests000001"
FAKE_BEARER = "Bearer " + "goldenFakeBearer7Qx2Lm9Zp"
FAKE_AWS = "AKIA" + "GOLDENFAKE000001"

# rule id -> [(scope, label, client, document)]
CASES: dict[str, list[tuple[Scope, str, str, dict[str, Any]]]] = {
    "NHI-MCP-001": [
        (
            REPO,
            ".mcp.json",
            "claude-code",
            {
                "mcpServers": {
                    "github": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
                        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": FAKE_PAT},
                    },
                    "clean": {
                        "command": "npx",
                        "args": ["-y", "srv@1.0.0"],
                        "env": {"TOKEN": "${GITHUB_TOKEN}"},
                    },
                }
            },
        ),
        (
            HOST,
            "~/.cursor/mcp.json",
            "cursor",
            {
                "mcpServers": {
                    "api": {"url": "https://api.example.com/mcp", "headers": {"Authorization": FAKE_BEARER}}
                }
            },
        ),
    ],
    "NHI-MCP-002": [
        (
            REPO,
            ".vscode/mcp.json",
            "vscode",
            {
                "servers": {
                    "open": {"type": "http", "url": "https://mcp.example.com/mcp"},
                    "sse": {"type": "sse", "url": "https://mcp.example.org/sse"},
                    "with-header": {
                        "type": "http",
                        "url": "https://mcp.example.com/mcp",
                        "headers": {"Authorization": "Bearer ${input:tok}"},
                    },
                    "local": {"type": "http", "url": "http://localhost:7071/mcp"},
                    "off": {"type": "http", "url": "https://old.example.com/mcp", "disabled": True},
                    "stdio": {"command": "my-server"},
                }
            },
        ),
        (
            HOST,
            "~/.gemini/settings.json",
            "gemini-cli",
            {
                "mcpServers": {
                    "google": {
                        "httpUrl": "https://mcp.example.com/mcp",
                        "authProviderType": "google_credentials",
                    }
                }
            },
        ),
    ],
    "NHI-MCP-003": [
        (
            HOST,
            "~/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
            "cline",
            {
                "mcpServers": {
                    "all": {"command": "srv", "autoApprove": ["*"]},
                    "some": {"command": "srv", "autoApprove": ["read_file", "list_dir"]},
                    "none": {"command": "srv", "autoApprove": []},
                }
            },
        ),
        (
            REPO,
            ".gemini/settings.json",
            "gemini-cli",
            {
                "mcpServers": {
                    "trusted": {"command": "srv", "trust": True},
                    "careful": {"command": "srv", "trust": False},
                }
            },
        ),
    ],
    "NHI-MCP-004": [
        (
            HOST,
            "~/Library/Application Support/Claude/claude_desktop_config.json",
            "claude-desktop",
            {
                "mcpServers": {
                    "root": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "/"],
                    },
                    "home": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "/Users/alice"],
                    },
                    "drive": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "C:\\"],
                    },
                    "ssh": {
                        "command": "npx",
                        "args": [
                            "-y",
                            "@modelcontextprotocol/server-filesystem@2025.8.21",
                            "/Users/alice/.ssh",
                        ],
                    },
                    "mount": {
                        "command": "docker",
                        "args": ["run", "-i", "--rm", "-v", "/:/host", "fs-mcp:1.2.0"],
                    },
                    "project": {
                        "command": "npx",
                        "args": [
                            "-y",
                            "@modelcontextprotocol/server-filesystem@2025.8.21",
                            "/Users/alice/projects/app",
                        ],
                    },
                }
            },
        ),
    ],
    "NHI-MCP-005": [
        (
            REPO,
            ".cursor/mcp.json",
            "cursor",
            {
                "mcpServers": {
                    "npx-bare": {"command": "npx", "args": ["-y", "@acme/mcp-server"]},
                    "npx-latest": {"command": "npx", "args": ["@acme/mcp-server@latest"]},
                    "uvx-bare": {"command": "uvx", "args": ["mcp-server-fetch"]},
                    "image-latest": {"command": "docker", "args": ["run", "-i", "--rm", "acme/mcp:latest"]},
                    "npx-pinned": {"command": "npx", "args": ["-y", "@acme/mcp-server@1.4.2"]},
                    "uvx-pinned": {"command": "uvx", "args": ["mcp-server-fetch==2025.4.7"]},
                    "image-digest": {
                        "command": "docker",
                        "args": ["run", "-i", "--rm", "acme/mcp@sha256:" + "ab" * 32],
                    },
                    "local-script": {"command": "node", "args": ["build/index.js"]},
                }
            },
        ),
    ],
    "NHI-MCP-006": [
        (
            REPO,
            ".mcp.json",
            "claude-code",
            {
                "mcpServers": {
                    "cleartext": {
                        "type": "http",
                        "url": "http://mcp.corp.example.net/mcp",
                        "headers": {"Authorization": "Bearer ${TOKEN}"},
                    },
                    "tls": {"type": "http", "url": "https://mcp.corp.example.net/mcp"},
                    "loopback": {"type": "sse", "url": "http://127.0.0.1:8080/sse"},
                }
            },
        ),
    ],
}


def golden_inventory(rule_id: str) -> Inventory:
    identities: list[Identity] = []
    credentials: list[Credential] = []
    scopes: dict[str, Scope] = {}
    for scope, label, client, doc in CASES[rule_id]:
        doc_type = d.recognise_data(doc)
        assert doc_type is not None, label
        cfg = ConfigFile(Path(label), label, scope, doc_type, doc, client, scope.type == "repository")
        ids, creds = build_file(cfg, HOME)
        identities += ids
        credentials += creds
        scopes[scope.key] = scope
    if rule_id == "NHI-MCP-001":
        # A credential of another kind on an MCP identity: the rule is about config-file tokens only.
        credentials.append(
            Credential(id="AKIA-metadata-only", identity_id=identities[-1].id, kind="aws.access_key")
        )
    return Inventory(
        identities=tuple(identities),
        credentials=tuple(credentials),
        scopes=tuple(scopes.values()),
        providers=("mcp",),
    )
