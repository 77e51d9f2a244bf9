"""Finding MCP client configs: the well-known per-user files of each client on this machine, and
the commit-able files in the repositories (or single files) the user names.

Locations are resolved against ``Path.home()`` and the environment (``APPDATA``,
``XDG_CONFIG_HOME``, ``CODEX_HOME``) at call time, so tests point them at a temporary folder.
Nothing here touches the network or imports an SDK: it must be fast enough for a pre-commit hook.

Bad files: a file the user named, or one committed in a repository they named, that does not parse
is an InputError (exit 2). A per-user file that merely sits in a well-known location and does not
parse is a coverage gap, because the user did not ask for it and the rest of the scan is still good.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nhiscan.errors import InputError
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
from nhiscan.providers.mcp.settings import McpSettings

# Commit-able config files, relative to a repository root.
REPO_FILES: tuple[str, ...] = (
    ".mcp.json",
    "mcp.json",
    ".vscode/mcp.json",
    ".vscode/settings.json",
    ".cursor/mcp.json",
    ".gemini/settings.json",
    ".kilocode/mcp.json",
    ".roo/mcp.json",
    ".kiro/settings/mcp.json",
    ".amazonq/mcp.json",
    ".windsurf/mcp_config.json",
    ".zed/settings.json",
    ".codex/config.toml",
    ".copilot/mcp-config.json",
    ".github/copilot/mcp.json",
    "claude_desktop_config.json",
)
REPO_GLOBS: tuple[str, ...] = (
    ".continue/mcpServers/*.yaml",
    ".continue/mcpServers/*.yml",
    ".continue/mcpServers/*.json",
)
MAX_CONFIG_BYTES = 16 * 1024 * 1024


def _code_user_dirs(home: Path, appdata: Path | None, xdg: Path) -> list[Path]:
    dirs: list[Path] = []
    for product in ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"):
        dirs.append(home / "Library" / "Application Support" / product / "User")
        dirs.append(xdg / product / "User")
        if appdata is not None:
            dirs.append(appdata / product / "User")
    return dirs


def user_locations(home: Path, env: Mapping[str, str]) -> list[Path]:
    """Every per-user config file the known MCP clients read, on macOS, Linux and Windows."""
    appdata = Path(env["APPDATA"]) if env.get("APPDATA") else None
    xdg = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    codex = Path(env["CODEX_HOME"]) if env.get("CODEX_HOME") else home / ".codex"
    mac = home / "Library" / "Application Support"
    files: list[Path] = [
        mac / "Claude" / "claude_desktop_config.json",
        xdg / "Claude" / "claude_desktop_config.json",
        xdg / "claude-desktop" / "claude_desktop_config.json",
        home / ".claude.json",
        home / ".cursor" / "mcp.json",
        home / ".codeium" / "windsurf" / "mcp_config.json",
        home / ".codeium" / "windsurf-next" / "mcp_config.json",
        home / ".gemini" / "settings.json",
        home / ".gemini" / "antigravity" / "mcp_config.json",
        home / ".kiro" / "settings" / "mcp.json",
        home / ".aws" / "amazonq" / "mcp.json",
        home / ".copilot" / "mcp-config.json",
        home / ".continue" / "config.yaml",
        home / ".continue" / "config.json",
        xdg / "zed" / "settings.json",
        codex / "config.toml",
    ]
    if appdata is not None:
        files += [appdata / "Claude" / "claude_desktop_config.json", appdata / "Zed" / "settings.json"]
    for user in _code_user_dirs(home, appdata, xdg):
        files += [
            user / "mcp.json",
            user / "settings.json",
            user / "globalStorage" / "saoudrizwan.claude-dev" / "settings" / "cline_mcp_settings.json",
            user / "globalStorage" / "rooveterinaryinc.roo-cline" / "settings" / "mcp_settings.json",
            user / "globalStorage" / "kilocode.kilo-code" / "settings" / "mcp_settings.json",
        ]
    continue_dir = home / ".continue" / "mcpServers"
    if continue_dir.is_dir():
        files += sorted(p for p in continue_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json"))
    return _unique(files)


def system_locations() -> list[Path]:
    """Machine-wide files administrators deploy (Claude Code managed servers, Gemini CLI)."""
    if sys.platform == "win32":  # pragma: no cover - platform-specific
        return [Path(r"C:\ProgramData\ClaudeCode\managed-mcp.json")]
    return [
        Path("/Library/Application Support/ClaudeCode/managed-mcp.json"),
        Path("/etc/claude-code/managed-mcp.json"),
        Path("/etc/gemini-cli/settings.json"),
    ]


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[str] = set()
    out: list[Path] = []
    for p in paths:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def existing_user_files(env: Mapping[str, str] | None = None) -> list[Path]:
    env = os.environ if env is None else env
    return [p for p in user_locations(Path.home(), env) + system_locations() if p.is_file()]


def repo_files(root: Path) -> list[Path]:
    found = [root / rel for rel in REPO_FILES if (root / rel).is_file()]
    for pattern in REPO_GLOBS:
        found += sorted(p for p in root.glob(pattern) if p.is_file())
    return found


def repository_root(path: Path) -> Path:
    """The enclosing git work tree of a file, else its folder."""
    start = path if path.is_dir() else path.parent
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def read_config(path: Path, where: str) -> Any:
    """Read and parse one config file (JSON, JSONC, YAML for Continue, TOML for Codex)."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise InputError(where, "file is larger than 16 MiB; not an MCP client configuration")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"not a UTF-8 text file (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(where, f"cannot read file: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise InputError(where, f"invalid YAML{at}: {getattr(exc, 'problem', 'parse error')}") from None
    if not text.strip():
        return None
    return d.parse_text(text, where, toml=suffix == ".toml")


def _toml_unsupported(path: Path) -> bool:
    return path.suffix.lower() == ".toml" and not d.toml_supported()


class _Collected:
    def __init__(self) -> None:
        self.identities: list[Identity] = []
        self.credentials: list[Credential] = []
        self.coverage: list[CoverageEntry] = []
        self.scopes: dict[str, Scope] = {}

    def add(self, cfg: ConfigFile, home: str | None) -> int:
        identities, credentials = build_file(cfg, home)
        self.identities += identities
        self.credentials += credentials
        return len(identities)

    def note(self, scope: Scope, source: str, status: CoverageStatus, detail: str) -> None:
        self.coverage.append(CoverageEntry(PROVIDER, scope.key, source, status.value, detail))

    def claude_permissions(self, scope: Scope, files: Sequence[tuple[Path, str]]) -> None:
        """Fold Claude Code ``permissions.allow`` from settings files into the scope's servers.
        These files are auxiliary: one that does not parse is a gap, never a stopped scan."""
        from nhiscan.providers.mcp import claude

        for path, label in files:
            if not path.is_file():
                continue
            try:
                entries = claude.allow_entries(read_config(path, label))
            except InputError as exc:
                self.note(scope, label, CoverageStatus.ERROR, exc.problem)
                continue
            self.note(
                scope, label, CoverageStatus.OK, f"Claude Code settings; {len(entries)} MCP approval(s)"
            )
            inside = [i for i in self.identities if i.scope == scope.key]
            others = [i for i in self.identities if i.scope != scope.key]
            self.identities = others + claude.apply(inside, entries, label)

    def inventory(self, generated_at: Any) -> Inventory:
        return Inventory(
            identities=tuple(self.identities),
            credentials=tuple(self.credentials),
            coverage=tuple(self.coverage),
            scopes=tuple(self.scopes.values()),
            providers=(PROVIDER,),
            generated_at=generated_at,
        )


def _offer(
    out: _Collected, path: Path, label: str, scope: Scope, *, repo: bool, explicit: bool, home: str
) -> None:
    """Parse one file and add its servers. Which problems abort the scan is in the module doc."""
    if _toml_unsupported(path):
        out.note(scope, label, CoverageStatus.NOT_ENABLED, d.TOML_UNSUPPORTED)
        return
    try:
        data = read_config(path, label if repo else str(path))
    except InputError as exc:
        if repo or explicit:
            raise InputError(str(path), exc.problem) from None
        status = CoverageStatus.DENIED if "Permission denied" in exc.problem else CoverageStatus.ERROR
        out.note(scope, label, status, exc.problem)
        return
    doc_type = d.recognise_data(data)
    if doc_type is None:
        if explicit:
            raise InputError(
                str(path),
                "not an MCP client configuration (no mcpServers, servers, context_servers or mcp_servers map)",
            )
        out.note(scope, label, CoverageStatus.OK, "read; defines no MCP servers")
        return
    cfg = ConfigFile(path, label, scope, doc_type, data, client_for(path, doc_type), repo)
    count = out.add(cfg, home)
    out.note(scope, label, CoverageStatus.OK, f"{count} MCP server(s)")


def collect(options: CollectOptions) -> Inventory:
    """With the ``paths`` setting: the repositories or files named there. Without: this machine's
    per-user and system-wide client configs."""
    home = Path.home()
    out = _Collected()
    paths = list(options.settings_for(McpSettings).paths)
    if paths:
        for given in paths:
            _collect_path(out, given, str(home))
    else:
        _collect_host(out, home)
    return out.inventory(options.as_of)


def _collect_host(out: _Collected, home: Path) -> None:
    import socket  # only host scans need it; a repository scan (pre-commit) skips the import

    scope = host_scope(socket.gethostname())
    out.scopes[scope.key] = scope
    files = existing_user_files()
    for path in files:
        _offer(out, path, host_label(path, home), scope, repo=False, explicit=False, home=str(home))
    if not files:
        out.note(
            scope, "well-known client locations", CoverageStatus.OK, "no MCP client configuration files found"
        )
    settings = home / ".claude" / "settings.json"
    out.claude_permissions(scope, [(settings, host_label(settings, home))])


def _collect_path(out: _Collected, given: Path, home: str) -> None:
    if not given.exists():
        raise InputError(str(given), "no such file or directory")
    resolved = given.resolve()
    if resolved.is_file():
        root = repository_root(resolved)
        scope = repo_scope(root)
        out.scopes.setdefault(scope.key, scope)
        _offer(out, resolved, repo_label(resolved, root), scope, repo=True, explicit=True, home=home)
        return
    scope = repo_scope(resolved)
    out.scopes.setdefault(scope.key, scope)
    files = repo_files(resolved)
    for path in files:
        _offer(out, path, repo_label(path, resolved), scope, repo=True, explicit=False, home=home)
    if not files:
        out.note(scope, str(resolved), CoverageStatus.OK, "no MCP client configuration files found")
    out.claude_permissions(
        scope, [(resolved / rel, rel) for rel in (".claude/settings.json", ".claude/settings.local.json")]
    )
