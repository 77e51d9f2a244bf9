"""One MCP server definition -> the facts rules read, and the secrets hard-coded in it.

Everything here is pure: a definition (a JSON object from any client's config) goes in, a
:class:`ServerFacts` comes out. Secret values are classified and fingerprinted by
:mod:`nhiscan.providers.mcp.secrets` and then forgotten; only their JSON path, kind and
fingerprint are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nhiscan.providers.mcp.documents import key_path
from nhiscan.providers.mcp.facts import McpAuth, McpIdentityFacts, McpTransport
from nhiscan.providers.mcp.secrets import REFERENCE, Hit, detect, literal_part, secret_name

NPM_RUNNERS = frozenset({"npx", "bunx", "pnpx"})
NPM_SUBCOMMAND_RUNNERS = {"bun": "x", "pnpm": "dlx", "npm": "exec", "yarn": "dlx"}
PY_RUNNERS = frozenset({"uvx"})
PY_SUBCOMMAND_RUNNERS = {"uv": ("tool", "run"), "pipx": ("run",)}
CONTAINER_RUNNERS = frozenset({"docker", "podman", "nerdctl"})
# Flags of the runners above that take the next argument as their value.
NPM_VALUE_FLAGS = frozenset({"-p", "--package", "-c", "--call", "--registry", "--cache", "-w", "--workspace"})
PY_VALUE_FLAGS = frozenset({"--from", "--with", "--python", "-p", "--index-url", "--index", "-w", "--spec"})
DOCKER_VALUE_FLAGS = frozenset(
    {
        "-e",
        "--env",
        "-v",
        "--volume",
        "--name",
        "-p",
        "--publish",
        "--network",
        "--net",
        "--env-file",
        "-w",
        "--workdir",
        "--entrypoint",
        "-u",
        "--user",
        "--mount",
        "--platform",
        "-l",
        "--label",
        "--add-host",
        "--cap-add",
        "--cap-drop",
        "-h",
        "--hostname",
        "--memory",
        "-m",
        "--cpus",
        "--pull",
        "--restart",
        "--security-opt",
        "--device",
        "--ulimit",
        "--tmpfs",
        "--ipc",
        "--pid",
    }
)
EXACT_NPM_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
EXACT_PY_VERSION = re.compile(r"^\d+(\.\d+)*([a-z0-9.+-]*)$")
FILESYSTEM_PACKAGE = re.compile(r"(^|[/@-])(server-)?filesystem($|@)|mcp-server-filesystem", re.IGNORECASE)
REMOTE_PROXIES = frozenset({"mcp-remote", "@modelcontextprotocol/mcp-remote", "supergateway", "mcp-proxy"})
AUTH_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
SENSITIVE_DIRS = frozenset({".ssh", ".aws", ".gnupg", ".kube", ".azure", ".docker", ".password-store"})
# ~/.config as a whole, or the parts of it that hold CLI credentials (gcloud ADC, gh tokens).
SENSITIVE_CONFIG = re.compile(r"/\.config(/(gcloud|gh|hub|op|rclone))?$")
HOME_REFS = frozenset(
    {
        "~",
        "$HOME",
        "${HOME}",
        "${env:HOME}",
        "${userHome}",
        "%USERPROFILE%",
        "${env:USERPROFILE}",
        "%HOMEPATH%",
    }
)
HOME_DIR = re.compile(
    r"^(/Users/[^/]+|/home/[^/]+|/root|[A-Za-z]:/Users/[^/]+|[A-Za-z]:/Documents and Settings/[^/]+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundSecret:
    """A hard-coded secret: where (JSON path below the server), its kind and fingerprint."""

    path: str
    token_kind: str
    fingerprint: str
    source: str  # env | header | arg | url | auth | setting | command


@dataclass(frozen=True)
class ServerFacts:
    """What one definition says; ``facts`` lacks what only the file knows (client, location)."""

    facts: McpIdentityFacts
    secrets: tuple[FoundSecret, ...] = field(default_factory=tuple)


def _str_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def _str_map(value: object) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _basename(command: str) -> str:
    name = PurePath(command.replace("\\", "/")).name.lower()
    for suffix in (".exe", ".cmd", ".bat", ".ps1"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def command_line(definition: Mapping[str, Any]) -> tuple[str | None, list[str], dict[str, Any]]:
    """(command, args, env), unwrapping Zed's ``command: {path, args, env}`` and a whole command
    line written into ``command``."""
    command = definition.get("command")
    args = _str_list(definition.get("args"))
    env = _str_map(definition.get("env"))
    if isinstance(command, Mapping):  # Zed before 0.190
        args = _str_list(command.get("args")) + args
        env = {**_str_map(command.get("env")), **env}
        command = command.get("path")
    if isinstance(command, list):
        parts = _str_list(command)
        command, args = (parts[0], parts[1:] + args) if parts else (None, args)
    if isinstance(command, str) and " " in command.strip() and not args:
        import shlex

        try:
            parts = shlex.split(command)
        except ValueError:
            parts = command.split()
        if parts and "/" not in parts[0] and "\\" not in parts[0]:
            command, args = parts[0], parts[1:]
    return (command if isinstance(command, str) and command else None), args, env


def _positionals(args: list[str], value_flags: frozenset[str]) -> Iterator[tuple[int, str]]:
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--":
            continue
        if arg.startswith("-"):
            skip = arg in value_flags
            continue
        yield i, arg


@dataclass(frozen=True)
class Package:
    runner: str  # npm | python | container
    spec: str
    pinned: bool
    rest: tuple[str, ...]  # arguments after the package: the server's own arguments


def _npm_pinned(spec: str) -> bool:
    at = spec.rfind("@")
    if at <= 0:
        return False
    return bool(EXACT_NPM_VERSION.match(spec[at + 1 :]))


def _py_pinned(spec: str) -> bool:
    if "==" in spec:
        return bool(EXACT_PY_VERSION.match(spec.split("==", 1)[1].strip()))
    if "@" in spec:
        version = spec.rsplit("@", 1)[1]
        return version != "latest" and bool(EXACT_PY_VERSION.match(version))
    return False


def _image_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and not last.endswith(":latest")


def _local(spec: str) -> bool:
    return (
        spec.startswith((".", "/", "~", "file:", "git+", "http:", "https:"))
        or "\\" in spec
        or REFERENCE.search(spec) is not None
    )


def package(command: str | None, args: list[str]) -> Package | None:
    """The package a launcher fetches at start-up (``npx -y pkg``, ``uvx pkg``, ``docker run img``)."""
    if not command:
        return None
    name = _basename(command)
    if name == "cmd" and args[:1] and args[0].lower() in ("/c", "/k") and len(args) > 1:
        return package(args[1], args[2:])
    if name in NPM_SUBCOMMAND_RUNNERS and args[:1] == [NPM_SUBCOMMAND_RUNNERS[name]]:
        name, args = "npx", args[1:]
    if name in PY_SUBCOMMAND_RUNNERS:
        sub = PY_SUBCOMMAND_RUNNERS[name]
        if tuple(args[: len(sub)]) != sub:
            return None
        name, args = "uvx", args[len(sub) :]
    if name in NPM_RUNNERS:
        explicit = _flag_value(args, ("-p", "--package"))
        for i, spec in _positionals(args, NPM_VALUE_FLAGS):
            target = explicit or spec
            if _local(target):
                return None
            return Package("npm", target, _npm_pinned(target), tuple(args[i + 1 :]))
        return None
    if name in PY_RUNNERS:
        explicit = _flag_value(args, ("--from",))
        for i, spec in _positionals(args, PY_VALUE_FLAGS):
            target = explicit or spec
            if _local(target):
                return None
            return Package("python", target, _py_pinned(target), tuple(args[i + 1 :]))
        return None
    if name in CONTAINER_RUNNERS and args[:1] == ["run"]:
        for i, image in _positionals(args[1:], DOCKER_VALUE_FLAGS):
            return Package("container", image, _image_pinned(image), tuple(args[i + 2 :]))
    return None


def _bare_name(spec: str) -> str:
    """``@scope/pkg@1.2.3`` -> ``@scope/pkg``."""
    at = spec.rfind("@")
    return spec[:at] if at > 0 else spec


def _flag_value(args: list[str], flags: tuple[str, ...]) -> str | None:
    for i, arg in enumerate(args):
        if arg in flags and i + 1 < len(args):
            return args[i + 1]
        for flag in flags:
            if flag.startswith("--") and arg.startswith(flag + "="):
                return arg.split("=", 1)[1]
    return None


def _mounts(args: list[str]) -> list[str]:
    """Host paths a ``docker run`` mounts (``-v src:dst``, ``--mount type=bind,src=...``)."""
    roots: list[str] = []
    for i, arg in enumerate(args):
        value = None
        if arg in ("-v", "--volume", "--mount") and i + 1 < len(args):
            value, flag = args[i + 1], arg
        elif arg.startswith(("--volume=", "--mount=")):
            flag, value = arg.split("=", 1)
        if value is None:
            continue
        if flag == "--mount":
            fields = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
            src = fields.get("source") or fields.get("src")
            if src:
                roots.append(src)
            continue
        drive = re.match(r"^[A-Za-z]:[\\/]", value)
        cut = value.find(":", 2 if drive else 0)
        src = value if cut < 0 else value[:cut]
        if src.startswith(("/", "~", "$", "%")) or drive:
            roots.append(src)  # a named volume is not a host path
    return roots


def filesystem_roots(command: str | None, args: list[str], pkg: Package | None) -> list[str]:
    roots: list[str] = []
    if pkg is not None and pkg.runner == "container":
        roots.extend(_mounts(args))
    if pkg is not None and FILESYSTEM_PACKAGE.search(pkg.spec):
        roots.extend(a for a in pkg.rest if not a.startswith("-"))
    elif command and FILESYSTEM_PACKAGE.search(_basename(command)):
        roots.extend(a for a in args if not a.startswith("-"))
    repo = _flag_value(args, ("--repository", "-r"))
    if repo and pkg is not None and "git" in pkg.spec:
        roots.append(repo)
    return roots


def broad_root(root: str, home: str | None) -> bool:
    """``/``, a drive root, a home directory (literal or by reference) or a credentials folder."""
    r = root.strip().strip("\"'")
    if r in HOME_REFS or r.rstrip("/\\") in HOME_REFS:
        return True
    norm = r.replace("\\", "/")
    if norm.rstrip("/") == "" and norm.startswith("/"):
        return True
    if re.fullmatch(r"[A-Za-z]:/?", norm):
        return True
    trimmed = norm.rstrip("/")
    if HOME_DIR.match(trimmed) or (home and trimmed == home.replace("\\", "/").rstrip("/")):
        return True
    return any(part in SENSITIVE_DIRS for part in trimmed.split("/")) or bool(
        SENSITIVE_CONFIG.search(trimmed)
    )


@dataclass(frozen=True)
class UrlFacts:
    scheme: str
    host: str
    loopback: bool


def url_facts(url: str) -> UrlFacts:
    # A ${input:...} host is a name the user types at start-up: parse around it, never as loopback.
    safe = REFERENCE.sub("placeholder", url)
    try:
        parts = urlsplit(safe)
        host = (parts.hostname or "").lower()
    except ValueError:
        return UrlFacts("", "", False)
    loopback = (
        host in ("localhost", "0.0.0.0", "::1", "::")
        or host.startswith("127.")
        or host.endswith(".localhost")
    )
    return UrlFacts(parts.scheme.lower(), host, loopback)


def _transport(
    definition: Mapping[str, Any], url_key: str | None, url: str | None, command: str | None
) -> str:
    declared = str(definition.get("type") or definition.get("transport") or "").lower()
    declared = declared.replace("-", "").replace("_", "")
    if declared in ("http", "streamablehttp", "httpstream"):
        return "http"
    if declared == "sse":
        return "sse"
    if declared == "stdio":
        return "stdio"
    if declared in ("ws", "websocket"):
        return "ws"
    if url:
        if url_key == "httpUrl":
            return "http"
        return "sse" if urlsplit(REFERENCE.sub("x", url)).path.rstrip("/").endswith("/sse") else "http"
    return "stdio" if command else "unknown"


def _auto_approve(definition: Mapping[str, Any]) -> tuple[tuple[str, ...], bool]:
    """Tools approved without confirmation (``("*",)`` for all) and whether that is every tool."""
    approved: list[str] = []
    for key in ("autoApprove", "alwaysAllow", "auto_approve"):
        value = definition.get(key)
        if value is True or value == "*":
            return ("*",), True
        approved.extend(_str_list(value))
    if definition.get("trust") is True:  # Gemini: every confirmation bypassed, no tool named
        return (), True
    if "*" in approved:
        return ("*",), True
    return tuple(sorted(set(approved))), False


class _Secrets:
    def __init__(self, base: str) -> None:
        self.base = base
        self.found: dict[str, FoundSecret] = {}

    def check(self, path: str, value: object, name: str | None, source: str) -> None:
        hit: Hit | None = detect(value, name)
        if hit is not None and path not in self.found:
            self.found[path] = FoundSecret(path, hit.token_kind, hit.fingerprint, source)

    def walk(self, path: str, value: object, source: str, name: str | None = None) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                self.walk(key_path(path, str(k)), v, source, str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.walk(key_path(path, i), v, source, name)
        else:
            self.check(path, value, name, source)


HEADER_ARG = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*:\s*(.*)$")
NAME_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$")
URL_ARG = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
HEADER_FLAGS = frozenset({"--header", "-H", "--headers"})
ENV_FLAGS = frozenset({"-e", "--env"})


def _scan_args(found: _Secrets, args: list[str], args_path: str, header_names: set[str]) -> None:
    i = 0
    while i < len(args):
        arg, path = args[i], key_path(args_path, i)
        nxt = args[i + 1] if i + 1 < len(args) else None
        if arg in HEADER_FLAGS and nxt is not None:
            m = HEADER_ARG.match(nxt)
            if m:
                header_names.add(m.group(1))
                found.check(key_path(args_path, i + 1), m.group(2), m.group(1), "arg")
            i += 2
            continue
        if arg in ENV_FLAGS and nxt is not None:
            m = NAME_VALUE.match(nxt)
            if m:
                found.check(key_path(args_path, i + 1), m.group(2), m.group(1), "arg")
            i += 2
            continue
        if arg.startswith("-") and "=" in arg:
            flag, value = arg.split("=", 1)
            found.check(path, value, flag.lstrip("-"), "arg")
        elif (
            arg.startswith("-")
            and nxt is not None
            and not nxt.startswith("-")
            and secret_name(arg.lstrip("-"))
        ):
            found.check(key_path(args_path, i + 1), nxt, arg.lstrip("-"), "arg")
            i += 2
            continue
        elif URL_ARG.match(arg):
            _scan_url(found, arg, path, "arg")
        else:
            m = HEADER_ARG.match(arg) or NAME_VALUE.match(arg)
            found.check(path, m.group(2) if m else arg, m.group(1) if m else None, "arg")
        i += 1


def _scan_url(found: _Secrets, url: str, path: str, source: str) -> None:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        found.check(path, url, None, source)
        return
    before = len(found.found)
    if password:
        found.check(f"{path}@password", password, "password", source)
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        found.check(f"{path}?{name}", value, name, source)
    if len(found.found) == before:
        found.check(path, url, None, source)


def analyse(definition: Mapping[str, Any], base: str, home: str | None) -> ServerFacts:
    """Facts about one server definition at JSON path ``base``."""
    command, args, env = command_line(definition)
    url_key = next((k for k in ("url", "serverUrl", "httpUrl") if isinstance(definition.get(k), str)), None)
    url: str | None = definition[url_key] if url_key else None
    headers = {**_str_map(definition.get("headers")), **_str_map(definition.get("http_headers"))}
    header_names = set(headers)
    pkg = package(command, args)
    if url is None and pkg is not None and pkg.runner == "npm" and _bare_name(pkg.spec) in REMOTE_PROXIES:
        url = next((a for a in pkg.rest if a.startswith(("http://", "https://"))), None)
    remote = url is not None
    transport = _transport(definition, url_key, definition.get(url_key) if url_key else None, command)

    found = _Secrets(base)
    for name, value in env.items():
        found.check(key_path(key_path(base, "env"), name), value, name, "env")
    for key in ("headers", "http_headers"):
        for name, value in _str_map(definition.get(key)).items():
            found.check(key_path(key_path(base, key), name), value, name, "header")
    _scan_args(found, args, key_path(base, "args"), header_names)
    if url_key and url is not None:
        _scan_url(found, url, key_path(base, url_key), "url")
    for key in ("auth", "oauth"):
        if isinstance(definition.get(key), Mapping):
            found.walk(key_path(base, key), definition[key], "auth")
    if isinstance(definition.get("settings"), Mapping):
        found.walk(key_path(base, "settings"), definition["settings"], "setting")
    if isinstance(definition.get("bearer_token"), str):
        found.check(key_path(base, "bearer_token"), definition["bearer_token"], "bearer_token", "header")
    if command:
        found.check(key_path(base, "command"), command, None, "command")

    oauth = (
        isinstance(definition.get("oauth"), Mapping)
        or definition.get("oauth") is True
        or isinstance(definition.get("auth"), Mapping)
        or bool(definition.get("authProviderType"))
    )
    env_auth = bool(definition.get("bearer_token_env_var") or definition.get("env_http_headers"))
    auth_header = any(n.lower() in AUTH_HEADERS or secret_name(n) for n in header_names)
    query_auth = bool(url) and any(secret_name(n) for n, _ in parse_qsl(urlsplit(url or "").query))
    if oauth:
        auth = "oauth"
    elif auth_header or isinstance(definition.get("bearer_token"), str):
        auth = "header"
    elif env_auth:
        auth = "env"
    elif query_auth:
        auth = "query"
    elif remote:
        auth = "unknown" if header_names else "none"
    else:
        auth = "env" if any(secret_name(n) for n in env) else "none"

    facts = url_facts(url) if url else None
    roots = filesystem_roots(command, args, pkg)
    auto, auto_all = _auto_approve(definition)
    disabled = definition.get("disabled") is True or definition.get("enabled") is False
    unpinned = pkg.spec if pkg is not None and not pkg.pinned else None
    secrets = tuple(found.found.values())
    shown_args = display_args(args, key_path(base, "args"), {s.path for s in secrets if s.source == "arg"})
    if command and any(s.source == "command" for s in secrets):
        command = "<redacted>"
    server = McpIdentityFacts(
        transport=McpTransport(transport),
        command=command,
        args=tuple(shown_args),
        url=_redact_url(url) if url else None,
        env_names=tuple(sorted(env)),
        header_names=tuple(sorted(header_names)),
        auth=McpAuth(auth),
        auto_approve=auto,
        auto_approve_all=auto_all,
        trust=definition.get("trust") if isinstance(definition.get("trust"), bool) else None,
        disabled=disabled,
        remote=remote,
        loopback=bool(facts and facts.loopback),
        plain_http=bool(facts and facts.scheme in ("http", "ws") and not facts.loopback),
        package=pkg.spec if pkg else None,
        package_runner=pkg.runner if pkg else None,
        unpinned_package=unpinned,
        filesystem_roots=tuple(roots),
        broad_filesystem=any(broad_root(r, home) for r in roots),
        cwd=definition.get("cwd") if isinstance(definition.get("cwd"), str) else None,
        env_file=definition.get("envFile") if isinstance(definition.get("envFile"), str) else None,
        hardcoded_secrets=len(secrets),
    )
    return ServerFacts(server, secrets)


def _literal(value: str) -> bool:
    """Whether a value holds anything besides references and an auth scheme word."""
    return bool(
        re.sub(r"^(bearer|basic|token|apikey)\b", "", literal_part(value), flags=re.IGNORECASE).strip()
    )


def display_args(args: list[str], args_path: str, secret_paths: set[str]) -> list[str]:
    """Arguments as reports show them. Like env and header values, a value passed with
    ``--header``/``-e`` is never kept unless it is only a reference; URLs lose userinfo and secret
    query values; any argument that holds a detected secret becomes ``<redacted>``."""
    shown: list[str] = []
    previous = None
    for i, arg in enumerate(args):
        path = key_path(args_path, i)
        hit = any(p == path or p.startswith((path + "?", path + "@")) for p in secret_paths)
        is_url = arg.startswith(("http://", "https://", "ws://", "wss://"))
        header = HEADER_ARG.match(arg) if previous in HEADER_FLAGS else None
        env = NAME_VALUE.match(arg) if previous in ENV_FLAGS else None
        if is_url:
            shown.append(_redact_url(arg))
        elif header is not None and _literal(header.group(2)):
            shown.append(f"{header.group(1)}: <redacted>")
        elif env is not None and _literal(env.group(2)):
            shown.append(f"{env.group(1)}=<redacted>")
        elif hit or _secret_in_arg(arg):
            shown.append("<redacted>")
        else:
            shown.append(arg)
        previous = arg
    return shown


def _secret_in_arg(arg: str) -> bool:
    m = HEADER_ARG.match(arg) or NAME_VALUE.match(arg)
    return detect(arg) is not None or (m is not None and detect(m.group(2), m.group(1)) is not None)


def _redact_url(url: str) -> str:
    """The URL without userinfo and with every query value that holds a secret blanked."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        query = "&".join(
            f"{k}=<redacted>" if detect(v, k) is not None else f"{k}={v}"
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        )
    except ValueError:
        return "<redacted>" if detect(url) is not None else url
    rebuilt = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    if detect(rebuilt) is not None:
        return "<redacted>"
    return rebuilt
