"""Typed facts of the MCP provider: what a client configuration file says about one MCP server
(``identity.mcp.*``) and about one secret written into it (``credential.mcp.*``). Values are
never stored: secrets are known by JSON path, kind and fingerprint, URLs lose userinfo and
secret query values, arguments that carry a secret are ``<redacted>``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class McpTransport(str, Enum):
    """How the client reaches the server."""

    STDIO = "stdio"
    """The client starts the server as a local process and talks over stdin/stdout."""
    HTTP = "http"
    """Streamable HTTP."""
    SSE = "sse"
    """Server-sent events (the older HTTP transport)."""
    WS = "ws"
    """WebSocket."""
    UNKNOWN = "unknown"
    """The definition names neither a command nor a URL nhiscan understands."""


class McpAuth(str, Enum):
    """What credential the configuration gives the client for the server."""

    NONE = "none"
    """None: a remote server called without credentials, or a local one given no secret."""
    HEADER = "header"
    """An ``Authorization`` (or secret-named) header or a bearer token setting."""
    OAUTH = "oauth"
    """OAuth, as the MCP authorization specification describes (``oauth``/``auth`` settings)."""
    ENV = "env"
    """A token taken from an environment variable (or, for a local server, a secret-named one)."""
    QUERY = "query"
    """A secret-named query parameter in the URL."""
    UNKNOWN = "unknown"
    """Headers are sent, but none says what it carries."""


class McpSecretSource(str, Enum):
    """Where in the server definition a hard-coded secret sits."""

    ENV = "env"
    """An ``env`` value."""
    HEADER = "header"
    """A header value or ``bearer_token``."""
    ARG = "arg"
    """A command-line argument."""
    URL = "url"
    """The URL (userinfo password or a query value)."""
    AUTH = "auth"
    """The ``auth``/``oauth`` settings."""
    SETTING = "setting"
    """The server's ``settings`` object."""
    COMMAND = "command"
    """The command itself."""


@dataclass(frozen=True)
class McpIdentityFacts:
    """One configured MCP server (an ``agent.mcp_server`` identity)."""

    client: str = "unknown"
    """The AI client the file belongs to (``claude-code``, ``cursor``, ``vscode``, ...), by location."""
    config_file: str = ""
    """The file, relative to the repository root or as ``~/...`` on a host."""
    json_path: str = ""
    """Where in the file the server is defined (``mcpServers.github``)."""
    in_repository: bool = False
    """The file is inside a source repository (so whatever it holds is shared with everyone who
    can read the repository)."""
    transport: McpTransport = McpTransport.UNKNOWN
    """How the client reaches the server."""
    command: str | None = None
    """The command a stdio server is started with (``<redacted>`` when it holds a secret)."""
    args: tuple[str, ...] = ()
    """Its arguments, with secret-bearing ones ``<redacted>``."""
    url: str | None = None
    """The server URL without userinfo and with secret query values redacted."""
    cwd: str | None = None
    """Working directory the server starts in."""
    env_file: str | None = None
    """An env file the client loads for it (``envFile``)."""
    env_names: tuple[str, ...] = ()
    """Names of the environment variables it is given (never the values)."""
    header_names: tuple[str, ...] = ()
    """Names of the HTTP headers the client sends (never the values)."""
    auth: McpAuth = McpAuth.NONE
    """What credential the configuration gives the client for the server."""
    hardcoded_secrets: int = 0
    """How many secrets are written into the definition (each is a ``mcp.static_token``)."""
    auto_approve: tuple[str, ...] = ()
    """Tools the client runs without asking (``*`` when every tool is approved by wildcard; empty
    when nothing is, or when approval comes from ``trust``)."""
    auto_approve_all: bool = False
    """Every tool runs without confirmation (a ``*`` approval, ``trust: true``, or a Claude Code
    ``permissions.allow`` entry for the whole server)."""
    auto_approve_source: str | None = None
    """The Claude Code settings file whose ``permissions.allow`` approved tools."""
    trust: bool | None = None
    """Gemini CLI ``trust``: bypass every tool confirmation (null when not set)."""
    disabled: bool = False
    """The client has the server turned off (``disabled: true`` / ``enabled: false``)."""
    remote: bool = False
    """It is reached over the network (a URL, or a remote proxy such as ``mcp-remote``)."""
    loopback: bool = False
    """Its URL points at this machine (localhost, 127.0.0.0/8, ::1)."""
    plain_http: bool = False
    """Its URL is ``http://`` or ``ws://`` to another machine (no TLS)."""
    package: str | None = None
    """The package a runner fetches and starts (``@modelcontextprotocol/server-github@1.0``)."""
    package_runner: str | None = None
    """Which runner: ``npm``, ``python`` or ``container``."""
    unpinned_package: str | None = None
    """That package spec when it pins no exact version (or asks for ``@latest`` / ``:latest``)."""
    filesystem_roots: tuple[str, ...] = ()
    """Directories a filesystem server is given."""
    broad_filesystem: bool = False
    """One of them is the home directory, the filesystem root or another very broad place."""


@dataclass(frozen=True)
class McpCredentialFacts:
    """A secret written into an MCP client configuration (an ``mcp.static_token`` credential)."""

    token_kind: str = "generic_secret"
    """What it looks like: ``aws_access_key``, ``github_pat``, ``openai_key``, ``anthropic_key``,
    ``slack_token``, ``google_api_key``, ``gitlab_pat``, ``jwt``, ``bearer`` or ``generic_secret``."""
    source: McpSecretSource = McpSecretSource.ENV
    """Where in the server definition it sits."""
    in_repository: bool = False
    """The file is inside a source repository."""
    client: str = "unknown"
    """The AI client the file belongs to."""
    config_file: str = ""
    """The file, relative to the repository root or as ``~/...`` on a host."""
    server: str = ""
    """Name of the server whose definition holds it."""
