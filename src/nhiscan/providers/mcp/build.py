"""MCP config files -> inventory: one ``agent.mcp_server`` identity per configured server, one
``mcp.static_token`` credential per hard-coded secret.

Identity ids are ``mcp://<scope id>/<config file>#<server name>``: the scope is the host (user
files, labelled ``~/...``) or the repository (files labelled relative to its root).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nhiscan.facts import AgentFacts, InboundAuth
from nhiscan.model import Credential, Evidence, Identity, Scope, Usage
from nhiscan.providers.mcp import documents as d
from nhiscan.providers.mcp.facts import McpAuth, McpCredentialFacts, McpIdentityFacts, McpSecretSource
from nhiscan.providers.mcp.servers import analyse

PROVIDER = "mcp"
KIND = "agent.mcp_server"
CREDENTIAL_KIND = "mcp.static_token"
PLATFORM = "mcp_config"

# Which client a file belongs to, by where it lives (for the ``client`` attribute only; what a file
# *is* is decided by content). ``__`` counts as a separator so flattened exported names match too.
CLIENT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (client, re.compile(pattern, re.IGNORECASE))
    for client, pattern in (
        ("claude-desktop", r"claude_desktop_config\.json"),
        ("claude-code", r"(^|/)\.claude\.json$|managed-mcp\.json|(^|/)\.mcp\.json"),
        ("cline", r"cline_mcp_settings\.json"),
        ("roo-code", r"rooveterinaryinc\.roo-cline|(^|/)\.roo/mcp\.json"),
        ("kilo-code", r"kilocode|kilo-code"),
        ("cursor", r"(^|/)\.cursor/"),
        ("windsurf", r"windsurf|codeium"),
        ("antigravity", r"antigravity"),
        ("gemini-cli", r"(^|/)\.gemini/|gemini-cli"),
        ("kiro", r"(^|/)\.kiro/"),
        ("amazon-q", r"amazonq"),
        ("copilot-cli", r"(^|/)\.copilot/"),
        ("continue", r"(^|/)\.continue/"),
        ("zed", r"(^|/)\.?zed/"),
        ("codex", r"(^|/)\.codex/|config\.toml$"),
        ("vscode", r"(^|/)\.vscode/|/Code( - Insiders)?/User/|vscodium"),
    )
)
DOC_TYPE_CLIENT = {
    d.VSCODE: "vscode",
    d.VSCODE_SETTINGS: "vscode",
    d.CLAUDE_CODE: "claude-code",
    d.ZED: "zed",
    d.CONTINUE: "continue",
    d.CODEX: "codex",
}


def client_for(path: Path, doc_type: str) -> str:
    text = path.as_posix().replace("__", "/")
    for client, pattern in CLIENT_PATTERNS:
        if pattern.search(text):
            return client
    return DOC_TYPE_CLIENT.get(doc_type, "unknown")


@dataclass(frozen=True)
class ConfigFile:
    """A parsed config file and where it belongs."""

    path: Path
    label: str  # shown in ids and reports: relative to the repository, or ~/... on a host
    scope: Scope
    doc_type: str
    data: Any
    client: str
    in_repository: bool


def host_scope(hostname: str) -> Scope:
    return Scope(provider=PROVIDER, type="host", id=hostname, name=hostname)


def repo_scope(root: Path) -> Scope:
    """The scope id must not depend on where the repository is checked out, or fingerprints (and
    so baselines and suppressions) would differ between a laptop and CI: use the origin remote
    (``github.com/org/repo``), else the folder name."""
    return Scope(provider=PROVIDER, type="repository", id=repo_identity(root), name=root.name or str(root))


_REMOTE = re.compile(r'^\s*\[remote "origin"\]\s*$')
_URL = re.compile(r"^\s*url\s*=\s*(\S+)\s*$")


def _git_config(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / "config"
    if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>", config lives in the common dir
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = (root / text.split(":", 1)[1].strip()).resolve()
            common = gitdir / "commondir"
            if common.is_file():
                gitdir = (gitdir / common.read_text(encoding="utf-8", errors="replace").strip()).resolve()
            return gitdir / "config"
    return None


def repo_identity(root: Path) -> str:
    config = _git_config(root)
    try:
        lines = config.read_text(encoding="utf-8", errors="replace").splitlines() if config else []
    except OSError:
        lines = []
    in_origin = False
    for line in lines:
        if line.lstrip().startswith("["):
            in_origin = bool(_REMOTE.match(line))
            continue
        m = _URL.match(line) if in_origin else None
        if m:
            return normalise_remote(m.group(1))
    return root.name or "repository"


def normalise_remote(url: str) -> str:
    """``https://user:token@github.com/org/repo.git`` and ``git@github.com:org/repo`` both become
    ``github.com/org/repo``; credentials in the URL are dropped, never kept."""
    text = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url)
    text = text.split("@", 1)[1] if "@" in text.split("/", 1)[0] else text
    first = text.split("/", 1)[0]
    if ":" in first:
        host, _, after = first.partition(":")
        if after.isdigit():  # host:port/path
            text = host + text[len(first) :]
        else:  # scp-like host:org/repo
            text = f"{host}/{text[len(host) + 1 :]}"
    text = text.rstrip("/")
    return text[:-4] if text.endswith(".git") else text


def host_label(path: Path, home: Path) -> str:
    try:
        return "~/" + path.relative_to(home).as_posix()
    except ValueError:
        return path.as_posix()


def repo_label(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def build_file(cfg: ConfigFile, home: str | None) -> tuple[list[Identity], list[Credential]]:
    identities: list[Identity] = []
    credentials: list[Credential] = []
    for json_path, name, definition in d.servers(cfg.doc_type, cfg.data):
        # Claude Code's per-project servers may reuse a name across projects: keep their ids apart.
        fragment = json_path if json_path.startswith("projects[") else name
        identity_id = f"mcp://{cfg.scope.id}/{cfg.label}#{fragment}"
        found = analyse(definition, json_path, home)
        facts = replace(
            found.facts,
            client=cfg.client,
            config_file=cfg.label,
            json_path=json_path,
            in_repository=cfg.in_repository,
        )
        identities.append(
            Identity(
                id=identity_id,
                provider=PROVIDER,
                kind=KIND,
                scope=cfg.scope.key,
                name=name,
                usage=Usage.MACHINE.value,
                evidence=(Evidence(source=cfg.label, detail=json_path),),
                facts=facts,
                agent=agent_facts(facts),
            )
        )
        credentials.extend(
            Credential(
                id=secret.path,
                identity_id=identity_id,
                kind=CREDENTIAL_KIND,
                active=not facts.disabled,
                location=f"{cfg.label}:{secret.path}",
                fingerprint=secret.fingerprint,
                facts=McpCredentialFacts(
                    token_kind=secret.token_kind,
                    source=McpSecretSource(secret.source),
                    in_repository=cfg.in_repository,
                    client=cfg.client,
                    config_file=cfg.label,
                    server=name,
                ),
            )
            for secret in found.secrets
        )
    return identities, credentials


# What a client configuration shows about how the server authenticates its callers: only the
# credential the client is given. "No credential configured" does not prove the server accepts
# anyone (it may sit behind a network control), so it stays unknown; NHI-MCP-002 reports it.
_INBOUND = {
    McpAuth.OAUTH: InboundAuth.OAUTH,
    McpAuth.HEADER: InboundAuth.API_KEY,
    McpAuth.QUERY: InboundAuth.API_KEY,
}


def agent_facts(facts: McpIdentityFacts) -> AgentFacts:
    """The provider-neutral agent facts of a configured server (``identity.agent.*``)."""
    return AgentFacts(
        platform=PLATFORM,
        source="config",
        inbound_auth=_INBOUND.get(facts.auth, InboundAuth.UNKNOWN),
        # The client keeps its own credential for the server; nothing is forwarded to tools.
        token_passthrough=False,
        endpoint=facts.url,
    )
