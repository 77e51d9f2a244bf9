"""AI agents and MCP servers on Kubernetes: kagent and ToolHive custom resources, and workloads
that look like agents or MCP servers without any CRD.

Custom resources read (live: listed cluster-wide after the CRD list says they are served; offline:
the same objects in ``kubectl get agents.kagent.dev,modelconfigs.kagent.dev,
remotemcpservers.kagent.dev,mcpservers.kagent.dev,mcpservers.toolhive.stacklok.dev -A -o json``
output or in manifests):

``Agent.kagent.dev``                -> ``agent.k8s_agent``, id ``k8s://<cluster>/ns/<ns>/agent/<name>``
``RemoteMCPServer.kagent.dev``,
``MCPServer.kagent.dev`` (kmcp),
``MCPServer.toolhive.stacklok.dev``,
``VirtualMCPServer.toolhive.stacklok.dev`` -> ``agent.mcp_server``, id ``k8s://<cluster>/ns/<ns>/mcpserver/<name>``
``ModelConfig.kagent.dev``          -> facts of the agents that use it (``token_passthrough``)

Workloads without a CRD (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and bare pods) are
scored by :func:`workload_signals` from their images, command lines, environment variable *names*
and labels. A workload scoring at least :data:`THRESHOLD` becomes an identity (``agent.mcp_server``
when an MCP signal contributed, else ``agent.k8s_agent``) with id
``k8s://<cluster>/ns/<ns>/workload/<kind>/<name>`` and ``attributes.detection = {score, threshold,
reasons}``. A workload that belongs to a kagent or ToolHive resource (owner reference, or the
``kagent`` / ``toolhive-name`` label the operators set) adds its service account, images and
environment facts to that resource's identity instead of becoming one of its own.

Only facts are kept, never values: environment variables contribute their names, and a name is in
``secret_env_names`` only when the manifest writes a literal ``value`` for it and the name looks like
a secret (``valueFrom.secretKeyRef`` is the right way and is not reported). Command lines are matched
against the patterns below and only the pattern's label is stored. URLs lose any user info and query.

Attributes (``identity.attributes.<key>``; the agent rules in ``rules/agents`` read them):

``source``                   kagent | kmcp | kagent_remote | toolhive | toolhive_vmcp | heuristic
``namespace``, ``cluster``   where it lives
``runs_as``                  the ServiceAccount identity id the agent's pods run as (kagent: the
                             ``serviceAccountName`` or, when unset, the SA named after the agent;
                             ToolHive: ``serviceAccount`` or ``<name>-sa``; a workload that
                             belongs to the resource overrides both with what really runs, for
                             ToolHive only the server's StatefulSet, not its proxy Deployment)
``service_account``          ``<ns>/<name>`` of that ServiceAccount
``runs_as_classes``          the ServiceAccount's permission classes (admin, can_escalate, ...)
``role_shared_with``         other agents and MCP servers running as the same ServiceAccount
``tools``                    kagent tools ``{type, kind, name, namespace, tool_names, require_approval}``
``uses_tools``               ids of the MCP servers / services it calls
``require_approval``         tool names that need human approval; ``tools_without_approval``
                             MCP tool references that have none
``delegates_to``, ``delegation_depth``, ``delegation_cycle``, ``delegation_reach_classes``
                             kagent ``tools[].type: Agent`` and the closure below it
``relay_history_to``         always empty (a kagent agent tool receives only the task)
``high_risk_builtin_tools``  ``executeCodeBlocks`` when a declarative agent runs model-written code
``model_config``, ``model_provider``, ``token_passthrough`` (ModelConfig ``apiKeyPassthrough``)
``inbound_auth``             none (ToolHive MCPServer without ``oidcConfig``, VirtualMCPServer
                             ``incomingAuth.type: anonymous``) | jwt (OIDC) | unknown;
                             ``jwt_audience_pinned`` for jwt; ``inbound_auth_detail`` says why
``env_names``, ``secret_env_names``, ``images``, ``workloads``, ``url``, ``transport``
``detection``                heuristic detections only: ``{score, threshold, reasons}``
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from nhiscan.errors import InputError

#: Minimum heuristic score for a workload to become an agent or MCP-server identity. Strong
#: signals (an MCP image, an MCP launcher on the command line, an operator label) score 3 each;
#: LLM API-key variable names score 1 each and at most 2 together, so an ordinary service that
#: calls an LLM API is not reported as an agent on its environment alone.
THRESHOLD = 3
ENV_POINTS_CAP = 2
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
OWNER_KEYS = ("nhiscan.io/owner", "owner", "team")
KAGENT = "kagent.dev"
TOOLHIVE = "toolhive.stacklok.dev"


@dataclass(frozen=True)
class CustomResource:
    """A custom resource this module reads, and the API versions to list it at."""

    group: str
    plural: str
    kind: str
    versions: tuple[str, ...]
    every_version: bool = False  # list each served version of ``versions``, not just the first

    @property
    def qualified(self) -> str:
        return f"{self.kind}.{self.group}"


RESOURCES: tuple[CustomResource, ...] = (
    CustomResource(KAGENT, "agents", "Agent", ("v1alpha2", "v1alpha3"), every_version=True),
    CustomResource(KAGENT, "modelconfigs", "ModelConfig", ("v1alpha2", "v1alpha1")),
    CustomResource(KAGENT, "remotemcpservers", "RemoteMCPServer", ("v1alpha2",)),
    CustomResource(KAGENT, "mcpservers", "MCPServer", ("v1alpha1",)),
    CustomResource(TOOLHIVE, "mcpservers", "MCPServer", ("v1alpha1", "v1beta1")),
    CustomResource(TOOLHIVE, "virtualmcpservers", "VirtualMCPServer", ("v1alpha1", "v1beta1")),
)
QUALIFIED_KINDS = frozenset(r.qualified for r in RESOURCES)
SOURCES = {
    f"Agent.{KAGENT}": "kagent",
    f"RemoteMCPServer.{KAGENT}": "kagent_remote",
    f"MCPServer.{KAGENT}": "kmcp",
    f"MCPServer.{TOOLHIVE}": "toolhive",
    f"VirtualMCPServer.{TOOLHIVE}": "toolhive_vmcp",
}

# ---- heuristics ------------------------------------------------------------------------------

#: (label, pattern on the image reference without tag/digest, points, is an MCP signal)
IMAGE_PATTERNS: tuple[tuple[str, re.Pattern[str], int, bool], ...] = (
    ("image mcp/* (Docker MCP catalog)", re.compile(r"^(?:docker\.io/)?mcp/[^/]+$"), 3, True),
    ("image ghcr.io/github/github-mcp-server", re.compile(r"^ghcr\.io/github/github-mcp-server$"), 3, True),
    ("image ghcr.io/stacklok/toolhive*", re.compile(r"^ghcr\.io/stacklok/(?:toolhive|dockyard)"), 3, True),
    ("image *mcp-server*", re.compile(r"mcp[-_]server"), 3, True),
    ("image *-mcp", re.compile(r"[-_]mcp$"), 3, True),
    ("image langchain/langgraph-api", re.compile(r"(?:^|/)langchain/langgraph-api$"), 3, False),
    ("image ghcr.io/kagent-dev/*", re.compile(r"^(?:cr\.kagent\.dev|ghcr\.io/kagent-dev)/"), 2, False),
)
#: (label, pattern on one command/args word, points, is an MCP signal)
ARG_PATTERNS: tuple[tuple[str, re.Pattern[str], int, bool], ...] = (
    ("runs @modelcontextprotocol/server-*", re.compile(r"@modelcontextprotocol/server-"), 3, True),
    ("runs mcp-server-*", re.compile(r"(?:^|[/@])mcp-server-[\w.-]+"), 3, True),
    ("runs mcp-proxy", re.compile(r"(?:^|/)mcp-proxy(?:$|@|==)"), 3, True),
    ("runs supergateway", re.compile(r"(?:^|/)supergateway(?:$|@)"), 3, True),
    ("runs mcp-remote", re.compile(r"(?:^|/)mcp-remote(?:$|@)"), 3, True),
    ("runs fastmcp", re.compile(r"(?:^|/)fastmcp(?:$|==|@)"), 3, True),
    ("runs langgraph", re.compile(r"(?:^|/)langgraph(?:$|-api)"), 2, False),
)
#: exact label key/value pairs (value None: any value)
LABEL_SIGNALS: tuple[tuple[str, str | None, int, bool], ...] = (
    ("app.kubernetes.io/component", "mcp-server", 3, True),
    ("kagenti.io/type", "agent", 3, False),
    ("toolhive-name", None, 3, True),
    ("toolhive-basename", None, 3, True),
    ("kagent", None, 2, False),
    ("app.kubernetes.io/managed-by", "kagent", 2, False),
)
LLM_ENV_NAMES = frozenset(
    {
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "AZURE_OPENAI_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "AWS_BEARER_TOKEN_BEDROCK",
        "MISTRAL_API_KEY",
        "OPENROUTER_API_KEY",
        "GITHUB_PERSONAL_ACCESS_TOKEN",
        "LANGSMITH_API_KEY",
        "LANGCHAIN_API_KEY",
    }
)
_LINK_LABELS = {"kagent": f"Agent.{KAGENT}", "toolhive-name": f"MCPServer.{TOOLHIVE}"}
_OWNER_KINDS = {
    "Agent": f"Agent.{KAGENT}",
    "RemoteMCPServer": f"RemoteMCPServer.{KAGENT}",
    "MCPServer": f"MCPServer.{TOOLHIVE}",
    "VirtualMCPServer": f"VirtualMCPServer.{TOOLHIVE}",
}
_ENV_REF = re.compile(r"^(?:\$\([A-Za-z_][A-Za-z0-9_]*\)\s*)*$")  # only $(VAR) substitutions


def secret_like(name: str) -> bool:
    from nhiscan.providers.mcp.secrets import secret_name

    return secret_name(name)


def _image_repo(image: str) -> str:
    """``docker.io/mcp/github:1.2@sha256:...`` -> ``docker.io/mcp/github`` (lower case)."""
    ref = image.split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref = ref[:colon]
    return ref.lower()


def _env_entries(where: str, path: str, env: Any, owner: str) -> list[tuple[str, bool]]:
    """``(name, has a literal value)`` for a container ``env`` list or a ``{name: value}`` map
    (kmcp). Values are looked at, never kept: ``$(VAR)`` substitutions and empty strings are not
    literal secrets, and a ``valueFrom`` reference never is."""
    if env is None:
        return []
    if isinstance(env, Mapping):
        return [(str(k), _literal(v)) for k, v in env.items()]
    if not isinstance(env, list):
        raise InputError(where, f"{path}: expected a list of {{name, value}} objects ({owner})")
    out = []
    for i, e in enumerate(env):
        if not isinstance(e, Mapping) or not isinstance(e.get("name"), str):
            raise InputError(where, f"{path}[{i}].name: missing or not a string ({owner})")
        out.append((e["name"], "valueFrom" not in e and _literal(e.get("value"))))
    return out


def _literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _ENV_REF.match(value)


def _env_facts(where: str, path: str, env: Any, owner: str) -> tuple[list[str], list[str]]:
    """(names, names with a literal secret-looking value)."""
    entries = _env_entries(where, path, env, owner)
    return [n for n, _ in entries], [n for n, lit in entries if lit and secret_like(n)]


def workload_signals(
    where: str,
    path: str,
    owner: str,
    labels: Mapping[str, Any],
    owner_refs: Sequence[Mapping[str, Any]],
    pod_spec: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The agent/MCP facts of one pod or pod template: score, reasons, images, env names and the
    kagent/ToolHive resource it belongs to. None when nothing points at an agent (most workloads),
    so ordinary clusters store nothing extra."""
    reasons: list[tuple[str, int, bool]] = []
    images: list[str] = []
    env_names: list[str] = []
    literal: list[str] = []
    env_points = 0
    containers: list[tuple[str, Mapping[str, Any]]] = []
    for key in ("initContainers", "containers"):
        value = pod_spec.get(key) or []
        if isinstance(value, list):
            containers.extend((f"{key}[{i}]", c) for i, c in enumerate(value) if isinstance(c, Mapping))
    for c_path, c in containers:
        image = c.get("image")
        if isinstance(image, str) and image:
            images.append(image)
            repo = _image_repo(image)
            for label, pattern, points, mcp in IMAGE_PATTERNS:
                if pattern.search(repo):
                    reasons.append((f"{label} ({image.split('@', 1)[0]})", points, mcp))
                    break
        argv = [a for a in list(c.get("command") or []) + list(c.get("args") or []) if isinstance(a, str)]
        for label, pattern, points, mcp in ARG_PATTERNS:
            if any(pattern.search(a) for a in argv):
                reasons.append((label, points, mcp))
        entries = _env_entries(where, f"{path}.{c_path}.env", c.get("env"), owner)
        env_names.extend(n for n, _ in entries)
        literal.extend(n for n, lit in entries if lit)
        for n, _ in entries:
            if n in LLM_ENV_NAMES and env_points < ENV_POINTS_CAP:
                env_points += 1
                reasons.append((f"env {n}", 1, False))
    for key, value, points, mcp in LABEL_SIGNALS:
        got = labels.get(key)
        if got is not None and (value is None or str(got) == value):
            reasons.append((f"label {key}={got}" if value else f"label {key}", points, mcp))
    link = None
    for ref in owner_refs:
        q = _OWNER_KINDS.get(str(ref.get("kind") or ""))
        if q and ref.get("name"):
            link = (q, str(ref["name"]))
    if link is None:
        for key, q in _LINK_LABELS.items():
            if labels.get(key):
                link = (q, str(labels[key]))
                break
    if link is None and sum({label: points for label, points, _ in reasons}.values()) < THRESHOLD:
        # below the threshold and owned by no agent resource: nothing will come of it, so
        # ordinary pods that merely call an LLM API cost no more than any other pod
        return None
    return {
        "reasons": [list(r) for r in reasons],
        "images": sorted(set(images)),
        "env_names": sorted(set(env_names)),
        # names only; judged here, once something marks the workload, not for every pod
        "secret_env_names": sorted({n for n in literal if secret_like(n)}),
        "link": list(link) if link else None,
    }


# ---- custom resources ------------------------------------------------------------------------


def qualified_kind(obj: Mapping[str, Any]) -> str | None:
    """``Agent.kagent.dev`` for a kagent Agent; None for kinds this module does not read."""
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str) or "/" not in api_version:
        return None
    q = f"{kind}.{api_version.split('/', 1)[0]}"
    return q if q in QUALIFIED_KINDS else None


class _Reader:
    """Typed access to one custom object, raising one-line InputErrors naming the field."""

    def __init__(self, where: str, path: str, what: str) -> None:
        self.where, self.path, self.what = where, path, what

    def fail(self, field: str, problem: str) -> InputError:
        return InputError(self.where, f"{self.path}.{field}: {problem} ({self.what})")

    def obj(self, value: Any, field: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(field, "expected an object")
        return value

    def lst(self, value: Any, field: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field, "expected a list")
        return value

    def text(self, value: Any, field: str) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(field, "expected a string")
        return value

    def strs(self, value: Any, field: str) -> list[str]:
        items = self.lst(value, field)
        if not all(isinstance(v, str) for v in items):
            raise self.fail(field, "expected a list of strings")
        return list(items)

    def flag(self, value: Any, field: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(field, "expected true or false")


def safe_url(url: str) -> str:
    """A URL without user info, query or fragment: those are where tokens hide."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def sanitise_resource(
    where: str, path: str, obj: Mapping[str, Any], qualified: str, meta: dict[str, Any]
) -> dict[str, Any]:
    """Keep the facts of one kagent/ToolHive object. ``meta`` is the already-cleaned metadata."""
    what = f"{qualified} {meta.get('namespace')}/{meta['name']}"
    r = _Reader(where, path, what)
    spec = r.obj(obj.get("spec"), "spec")
    out: dict[str, Any] = {"kind": qualified, "metadata": meta, "apiVersion": str(obj.get("apiVersion"))}
    facts: dict[str, Any] = {}
    if qualified == f"Agent.{KAGENT}":
        agent_type = r.text(spec.get("type"), "spec.type") or "Declarative"
        decl = r.obj(spec.get("declarative"), "spec.declarative")
        byo = r.obj(spec.get("byo"), "spec.byo")
        facts["agent_type"] = agent_type
        facts["model_config"] = r.text(decl.get("modelConfig"), "spec.declarative.modelConfig")
        facts["execute_code_blocks"] = bool(
            r.flag(decl.get("executeCodeBlocks"), "spec.declarative.executeCodeBlocks")
        )
        tools = []
        for i, t in enumerate(r.lst(decl.get("tools"), "spec.declarative.tools")):
            tp = f"spec.declarative.tools[{i}]"
            t = r.obj(t, tp)
            ttype = r.text(t.get("type"), f"{tp}.type") or ("Agent" if t.get("agent") else "McpServer")
            ref = r.obj(t.get("agent") if ttype == "Agent" else t.get("mcpServer"), f"{tp}.{ttype}")
            name = r.text(ref.get("name"), f"{tp}.name")
            if name is None:
                raise r.fail(f"{tp}.{'agent' if ttype == 'Agent' else 'mcpServer'}.name", "missing")
            tools.append(
                {
                    "type": ttype,
                    "kind": r.text(ref.get("kind"), f"{tp}.kind")
                    or ("Agent" if ttype == "Agent" else "MCPServer"),
                    "api_group": r.text(ref.get("apiGroup"), f"{tp}.apiGroup"),
                    "name": name,
                    "namespace": r.text(ref.get("namespace"), f"{tp}.namespace") or meta["namespace"],
                    "tool_names": r.strs(ref.get("toolNames"), f"{tp}.toolNames"),
                    "require_approval": r.strs(ref.get("requireApproval"), f"{tp}.requireApproval"),
                    "headers_from": len(r.lst(t.get("headersFrom"), f"{tp}.headersFrom")),
                }
            )
        facts["tools"] = tools
        section, dep_path = (byo, "spec.byo") if agent_type == "BYO" else (decl, "spec.declarative")
        dep = r.obj(section.get("deployment"), f"{dep_path}.deployment")
        facts["service_account"] = r.text(
            dep.get("serviceAccountName"), f"{dep_path}.deployment.serviceAccountName"
        )
        image = r.text(dep.get("image"), f"{dep_path}.deployment.image")
        facts["images"] = [image] if image else []
        names, secret = _env_facts(where, f"{path}.{dep_path}.deployment.env", dep.get("env"), what)
        facts["env_names"], facts["secret_env_names"] = names, secret
    elif qualified == f"ModelConfig.{KAGENT}":
        facts["provider"] = r.text(spec.get("provider"), "spec.provider")
        facts["model"] = r.text(spec.get("model"), "spec.model")
        facts["api_key_passthrough"] = bool(r.flag(spec.get("apiKeyPassthrough"), "spec.apiKeyPassthrough"))
        facts["api_key_secret"] = r.text(spec.get("apiKeySecret"), "spec.apiKeySecret")
        tls = r.obj(spec.get("tls"), "spec.tls")
        facts["tls_verify_disabled"] = bool(r.flag(tls.get("disableVerify"), "spec.tls.disableVerify"))
    elif qualified == f"RemoteMCPServer.{KAGENT}":
        url = r.text(spec.get("url"), "spec.url")
        facts["url"] = safe_url(url) if url else None
        facts["transport"] = r.text(spec.get("protocol"), "spec.protocol")
        facts["headers_from"] = len(r.lst(spec.get("headersFrom"), "spec.headersFrom"))
        facts["images"], facts["env_names"], facts["secret_env_names"] = [], [], []
    else:  # MCPServer: ToolHive or kmcp
        if qualified in (f"MCPServer.{TOOLHIVE}", f"VirtualMCPServer.{TOOLHIVE}"):
            image = r.text(spec.get("image"), "spec.image")
            facts["transport"] = r.text(spec.get("transport"), "spec.transport")
            facts["service_account"] = r.text(spec.get("serviceAccount"), "spec.serviceAccount")
            env, env_path = spec.get("env"), "spec.env"
            facts.update(_toolhive_auth(r, spec, qualified == f"VirtualMCPServer.{TOOLHIVE}"))
            facts["authz"] = spec.get("authzConfig") is not None
            profile = r.obj(spec.get("permissionProfile"), "spec.permissionProfile")
            facts["permission_profile"] = r.text(profile.get("name"), "spec.permissionProfile.name")
            facts["host_paths"] = sorted(
                {
                    str(r.obj(v, f"spec.volumes[{i}]").get("hostPath"))
                    for i, v in enumerate(r.lst(spec.get("volumes"), "spec.volumes"))
                    if isinstance(v, Mapping) and v.get("hostPath")
                }
            )
        else:
            dep = r.obj(spec.get("deployment"), "spec.deployment")
            image = r.text(dep.get("image"), "spec.deployment.image")
            facts["transport"] = r.text(spec.get("transportType"), "spec.transportType")
            facts["service_account"] = r.text(
                dep.get("serviceAccountName"), "spec.deployment.serviceAccountName"
            )
            env, env_path = dep.get("env"), "spec.deployment.env"
        facts["images"] = [image] if image else []
        names, secret = _env_facts(where, f"{path}.{env_path}", env, what)
        facts["env_names"], facts["secret_env_names"] = names, secret
    out["facts"] = facts
    return out


def _oidc_audience_pinned(r: _Reader, oidc: Mapping[str, Any], field: str) -> bool | None:
    """ToolHive OIDC: the ``kubernetes`` type defaults its audience to ``toolhive``; ``inline``
    pins one only when set; a ConfigMap's content is not in the object (unknown)."""
    kind = r.text(oidc.get("type"), f"{field}.type") or "kubernetes"
    if kind == "kubernetes":
        return True
    if kind == "inline":
        return bool(r.obj(oidc.get("inline"), f"{field}.inline").get("audience"))
    return None


def _toolhive_auth(r: _Reader, spec: Mapping[str, Any], virtual: bool) -> dict[str, Any]:
    """How a ToolHive server authenticates its callers. An MCPServer authenticates only with an
    ``oidcConfig`` (without one the proxy serves everyone); a VirtualMCPServer says so in
    ``incomingAuth.type`` (``anonymous`` or ``oidc``)."""
    if virtual:
        incoming = r.obj(spec.get("incomingAuth"), "spec.incomingAuth")
        kind = r.text(incoming.get("type"), "spec.incomingAuth.type")
        oidc = r.obj(incoming.get("oidcConfig"), "spec.incomingAuth.oidcConfig")
        if kind == "anonymous":
            return {"inbound_auth": "none", "inbound_auth_detail": "incomingAuth.type: anonymous"}
        if kind == "oidc":
            pinned = _oidc_audience_pinned(r, oidc, "spec.incomingAuth.oidcConfig") if oidc else None
            return {
                "inbound_auth": "jwt",
                "jwt_audience_pinned": pinned,
                "inbound_auth_detail": "incomingAuth.type: oidc",
            }
        return {"inbound_auth": "unknown", "inbound_auth_detail": f"incomingAuth.type: {kind}"}
    incoming = r.obj(spec.get("incomingAuth"), "spec.incomingAuth")
    if r.text(incoming.get("type"), "spec.incomingAuth.type") == "anonymous":
        return {"inbound_auth": "none", "inbound_auth_detail": "incomingAuth.type: anonymous"}
    oidc = r.obj(spec.get("oidcConfig"), "spec.oidcConfig")
    if not oidc:
        return {
            "inbound_auth": "none",
            "inbound_auth_detail": "no oidcConfig: the ToolHive proxy accepts unauthenticated calls",
        }
    return {
        "inbound_auth": "jwt",
        "jwt_audience_pinned": _oidc_audience_pinned(r, oidc, "spec.oidcConfig"),
        "inbound_auth_detail": f"oidcConfig.type: {oidc.get('type') or 'kubernetes'}",
    }


def clean_meta_labels(meta: Mapping[str, Any]) -> dict[str, str]:
    labels = meta.get("labels") or {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


def owner_of(labels: Mapping[str, str], annotations: Mapping[str, str]) -> str | None:
    for k in OWNER_KEYS:
        value = labels.get(k) or annotations.get(k)
        if value:
            return str(value)
    return None


# ---- building identities ---------------------------------------------------------------------


@dataclass
class _Node:
    """An agent or MCP server being assembled from its resource and the workloads that run it."""

    id: str
    kind: str
    namespace: str
    name: str
    source: str
    where: str
    meta: Mapping[str, Any]
    facts: dict[str, Any]
    service_account: str | None = None
    sa_from_workload: bool = False
    workloads: set[str] | None = None
    images: set[str] | None = None
    env_names: set[str] | None = None
    secret_env_names: set[str] | None = None
    reasons: dict[str, tuple[int, bool]] | None = None

    def absorb(self, wl_name: str, signals: Mapping[str, Any], sa: str | None) -> None:
        self.workloads = (self.workloads or set()) | {wl_name}
        self.images = (self.images or set()) | set(signals["images"])
        self.env_names = (self.env_names or set()) | set(signals["env_names"])
        self.secret_env_names = (self.secret_env_names or set()) | set(signals["secret_env_names"])
        reasons = self.reasons if self.reasons is not None else {}
        for label, points, mcp in signals["reasons"]:
            reasons.setdefault(label, (points, mcp))
        self.reasons = reasons
        # ToolHive runs a proxy Deployment (its own, operator-made account) in front of the
        # server's StatefulSet: only the StatefulSet runs as the server's identity
        proxy = self.source.startswith("toolhive") and not wl_name.startswith("StatefulSet/")
        if sa and not self.sa_from_workload and not proxy:
            # what really runs beats what the resource asks for
            self.service_account, self.sa_from_workload = sa, True


def agent_id(cluster: str, ns: str, name: str) -> str:
    return f"k8s://{cluster}/ns/{ns}/agent/{name}"


def mcp_id(cluster: str, ns: str, name: str) -> str:
    return f"k8s://{cluster}/ns/{ns}/mcpserver/{name}"


def _delegation(delegates: Mapping[str, Sequence[str]]) -> dict[str, tuple[int, bool, set[str]]]:
    """Per agent: longest chain below it (an edge back into the current chain ends the walk, so
    cycles terminate), whether it can reach itself, and every agent it reaches. Iterative, so a
    long chain cannot exhaust Python's recursion limit."""
    depth: dict[str, int] = {}

    def longest(start: str) -> int:
        best = {start: 0}
        on_chain = {start}
        stack = [(start, iter(delegates.get(start, ())))]
        while stack:
            node, children = stack[-1]
            for nxt in children:
                if nxt in on_chain:
                    continue
                if nxt in depth:
                    best[node] = max(best[node], 1 + depth[nxt])
                    continue
                on_chain.add(nxt)
                best[nxt] = 0
                stack.append((nxt, iter(delegates.get(nxt, ()))))
                break
            else:
                stack.pop()
                on_chain.discard(node)
                depth[node] = best[node]
                if stack:
                    parent = stack[-1][0]
                    best[parent] = max(best[parent], 1 + depth[node])
        return depth[start]

    out = {}
    for start in delegates:
        seen: set[str] = set()
        todo = list(delegates[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(delegates.get(node, ()))
        out[start] = (depth[start] if start in depth else longest(start), start in seen, seen)
    return out


def build_agents(
    cluster: str,
    resources: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    workloads: Sequence[Mapping[str, Any]],
    sa_id: Any,
    sa_classes: Any,
    workload_name: Any,
) -> tuple[list[Any], list[Any], set[str]]:
    """Identities and edges of the cluster's agents and MCP servers, and the namespaces they are
    in. ``sa_id(ns, name)`` names a ServiceAccount identity, ``sa_classes(ns, name)`` returns its
    permission classes and ``workload_name(pod, ns)`` the controller a pod belongs to."""
    from nhiscan.model import Edge, Evidence, Identity, Usage, scope_key

    from .build import parse_time

    nodes: dict[str, _Node] = {}
    by_ref: dict[tuple[str, str, str], _Node] = {}  # (qualified kind, ns, name)
    by_ns_name: dict[tuple[str, str], _Node] = {}
    models: dict[tuple[str, str], Mapping[str, Any]] = {}
    for res in resources:
        meta, q = res["metadata"], res["kind"]
        ns, name = meta["namespace"], meta["name"]
        if q == f"ModelConfig.{KAGENT}":
            models.setdefault((ns, name), res["facts"])
            continue
        is_agent = q == f"Agent.{KAGENT}"
        ident = agent_id(cluster, ns, name) if is_agent else mcp_id(cluster, ns, name)
        if ident in nodes:
            continue  # the same object listed at a second API version
        facts = res["facts"]
        default_sa = {
            "kagent": name,
            "toolhive": f"{name}-sa",
            "kmcp": name,
        }.get(SOURCES[q])
        node = _Node(
            id=ident,
            kind="agent.k8s_agent" if is_agent else "agent.mcp_server",
            namespace=ns,
            name=name,
            source=SOURCES[q],
            where=str(res.get("_src", "kubernetes")),
            meta=meta,
            facts=facts,
            service_account=facts.get("service_account") or default_sa,
        )
        node.images = set(facts.get("images") or [])
        node.env_names = set(facts.get("env_names") or [])
        node.secret_env_names = set(facts.get("secret_env_names") or [])
        nodes[ident] = node
        by_ref[(q, ns, name)] = node
        by_ns_name.setdefault((ns, name), node)

    # workloads: controllers first, then pods that no exported controller stands for
    candidates: dict[tuple[str, str], tuple[str, dict[str, Any], str, Mapping[str, Any]]] = {}
    for w in workloads:
        sig = w.get("agent")
        if sig is None:
            continue
        ns = w["metadata"]["namespace"]
        wl = f"{w['kind']}/{ns}/{w['metadata']['name']}"
        candidates[(ns, wl)] = (w["spec"]["serviceAccountName"], sig, str(w.get("_src", "")), w)
    for p in pods:
        sig = p.get("agent")
        if sig is None:
            continue
        ns = p["metadata"]["namespace"]
        wl = workload_name(p, ns)
        if (ns, wl) in candidates:
            prev = candidates[(ns, wl)]
            merged = {**prev[1], "reasons": prev[1]["reasons"] + sig["reasons"]}
            # the running pod's account is the truth
            candidates[(ns, wl)] = (p["spec"]["serviceAccountName"], merged, prev[2], prev[3])
        else:
            candidates[(ns, wl)] = (p["spec"]["serviceAccountName"], sig, str(p.get("_src", "")), p)
    for (ns, wl), (sa, sig, where, obj) in sorted(candidates.items()):
        wl_kind, _, wl_name = wl.split("/", 2)
        target = None
        if sig.get("link"):
            q, linked = sig["link"]
            target = by_ref.get((q, ns, linked)) or by_ns_name.get((ns, linked))
        if target is None and (ns, wl_name) in by_ns_name:
            target = by_ns_name[(ns, wl_name)]
        if target is not None:
            target.absorb(wl, sig, sa)
            continue
        reasons: dict[str, tuple[int, bool]] = {}
        for label, points, mcp in sig["reasons"]:
            reasons.setdefault(label, (points, mcp))
        score = sum(p for p, _ in reasons.values())
        if score < THRESHOLD:
            continue
        is_mcp = any(mcp for p, mcp in reasons.values() if p >= THRESHOLD)
        ident = f"k8s://{cluster}/ns/{ns}/workload/{wl_kind.lower()}/{wl_name}"
        node = _Node(
            id=ident,
            kind="agent.mcp_server" if is_mcp else "agent.k8s_agent",
            namespace=ns,
            name=wl_name,
            source="heuristic",
            where=where or "kubernetes",
            meta=obj["metadata"],
            facts={"workload_kind": wl_kind},
        )
        node.absorb(wl, sig, sa)
        nodes[ident] = node

    # tool references and delegation
    delegates: dict[str, list[str]] = {}
    uses: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    used_by: dict[str, list[str]] = {}
    for node in nodes.values():
        if node.source != "kagent":
            continue
        for t in node.facts.get("tools") or []:
            tns = t["namespace"]
            if t["type"] == "Agent":
                delegates.setdefault(node.id, []).append(agent_id(cluster, tns, t["name"]))
                continue
            if t["kind"] == "Service":
                dst = f"k8s://{cluster}/ns/{tns}/service/{t['name']}"
            else:
                dst = mcp_id(cluster, tns, t["name"])
            uses.setdefault(node.id, []).append((dst, t))
            used_by.setdefault(dst, []).append(node.id)
    for node in nodes.values():
        if node.kind == "agent.k8s_agent":
            delegates.setdefault(node.id, [])
    delegation = _delegation(delegates)

    classes: dict[str, list[str] | None] = {}
    by_sa: dict[str, list[str]] = {}
    for node in nodes.values():
        if node.service_account:
            sid = sa_id(node.namespace, node.service_account)
            classes[node.id] = sorted(sa_classes(node.namespace, node.service_account))
            by_sa.setdefault(sid, []).append(node.id)
        else:
            classes[node.id] = None

    identities: list[Any] = []
    edges: list[Any] = []
    namespaces: set[str] = set()
    for node in sorted(nodes.values(), key=lambda n: n.id):
        namespaces.add(node.namespace)
        ev = (Evidence(source=node.where, detail=f"{node.source} {node.namespace}/{node.name}"),)
        meta = node.meta
        labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
        runs_as = sa_id(node.namespace, node.service_account) if node.service_account else None
        depth, cycle, reached = delegation.get(node.id, (0, False, set()))
        reach_classes: set[str] = set()
        for r in reached:
            reach_classes.update(classes.get(r) or [])
        tools = node.facts.get("tools") or []
        mc: Mapping[str, Any] = {}
        if node.source == "kagent" and node.facts.get("agent_type") != "BYO":
            mc = models.get((node.namespace, node.facts.get("model_config") or "default-model-config"), {})
        attrs: dict[str, Any] = {
            "source": node.source,
            "namespace": node.namespace,
            "cluster": cluster,
            "runs_as": runs_as,
            "service_account": f"{node.namespace}/{node.service_account}" if node.service_account else None,
            "runs_as_classes": classes[node.id],
            "role_shared_with": sorted(x for x in by_sa.get(runs_as or "", []) if x != node.id),
            "workloads": sorted(node.workloads or []),
            "images": sorted(node.images or []),
            "env_names": sorted(node.env_names or []),
            "secret_env_names": sorted(node.secret_env_names or []),
            "relay_history_to": [],
            "high_risk_builtin_tools": [],
            "token_passthrough": False,
            "inbound_auth": "unknown",
            "jwt_audience_pinned": None,
        }
        if node.kind == "agent.k8s_agent":
            attrs.update(
                {
                    "agent_type": node.facts.get("agent_type"),
                    "model_config": node.facts.get("model_config"),
                    "model_provider": mc.get("provider"),
                    "model": mc.get("model"),
                    "token_passthrough": bool(mc.get("api_key_passthrough")),
                    "model_tls_verify_disabled": bool(mc.get("tls_verify_disabled")),
                    "tools": tools,
                    "uses_tools": sorted({d for d, _ in uses.get(node.id, [])}),
                    "require_approval": sorted({n for t in tools for n in t["require_approval"]}),
                    "tools_without_approval": sorted(
                        {t["name"] for t in tools if t["type"] != "Agent" and not t["require_approval"]}
                    ),
                    "delegates_to": sorted(set(delegates.get(node.id, []))),
                    "delegation_depth": depth,
                    "delegation_cycle": cycle,
                    "delegation_reach_classes": sorted(reach_classes),
                    "high_risk_builtin_tools": ["executeCodeBlocks"]
                    if node.facts.get("execute_code_blocks")
                    else [],
                }
            )
        else:
            f = node.facts
            attrs.update(
                {
                    "transport": f.get("transport"),
                    "url": f.get("url"),
                    "inbound_auth": f.get("inbound_auth") or "unknown",
                    "inbound_auth_detail": f.get("inbound_auth_detail"),
                    "jwt_audience_pinned": f.get("jwt_audience_pinned"),
                    "authz_policy": f.get("authz"),
                    "permission_profile": f.get("permission_profile"),
                    "host_paths": f.get("host_paths") or [],
                    "used_by": sorted(set(used_by.get(node.id, []))),
                }
            )
        if node.reasons is not None and node.source == "heuristic":
            attrs["detection"] = {
                "score": sum(p for p, _ in node.reasons.values()),
                "threshold": THRESHOLD,
                "reasons": [f"{label} (+{p})" for label, (p, _) in sorted(node.reasons.items())],
            }
        identities.append(
            Identity(
                id=node.id,
                provider="k8s",
                kind=node.kind,
                scope=scope_key("k8s", "namespace", f"{cluster}/{node.namespace}"),
                name=f"{node.namespace}/{node.name}",
                created=parse_time(meta.get("creationTimestamp"), node.where, "metadata.creationTimestamp"),
                owner=owner_of(labels, annotations),
                tags=labels,
                usage=Usage.MACHINE.value,
                evidence=ev,
                attributes=attrs,
            )
        )
        if runs_as:
            edges.append(Edge(node.id, runs_as, "agent.runs_as", ev))
        for dst, t in uses.get(node.id, []):
            edges.append(
                Edge(
                    node.id,
                    dst,
                    "agent.uses_tool",
                    ev,
                    {"type": "mcp_server", "name": t["name"], "require_approval": t["require_approval"]},
                )
            )
        edges.extend(
            Edge(node.id, dst, "agent.delegates_to", ev, {"relay_conversation_history": False})
            for dst in sorted(set(delegates.get(node.id, [])))
        )
    return identities, edges, namespaces
