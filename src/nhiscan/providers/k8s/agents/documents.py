"""Keep the facts of one kagent or ToolHive custom resource, from an export or a live list.

Only facts are kept, never values: environment variables contribute their names (see
:mod:`~nhiscan.providers.k8s.agents.env`), URLs lose any user info and query, and a ModelConfig
keeps the name of its API-key Secret, not the key. A malformed field raises an InputError that
names the field and the object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from nhiscan.errors import InputError
from nhiscan.providers.k8s.agents.env import env_facts
from nhiscan.providers.k8s.agents.resources import (
    AGENT,
    MODEL_CONFIG,
    REMOTE_MCP,
    TOOLHIVE_SERVER,
    TOOLHIVE_VIRTUAL,
)


class FieldReader:
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
    r = FieldReader(where, path, what)
    spec = r.obj(obj.get("spec"), "spec")
    if qualified == AGENT:
        facts = agent_facts(r, spec, meta["namespace"])
    elif qualified == MODEL_CONFIG:
        facts = model_config_facts(r, spec)
    elif qualified == REMOTE_MCP:
        facts = remote_mcp_facts(r, spec)
    elif qualified in (TOOLHIVE_SERVER, TOOLHIVE_VIRTUAL):
        facts = toolhive_facts(r, spec, virtual=qualified == TOOLHIVE_VIRTUAL)
    else:
        facts = kmcp_facts(r, spec)
    return {"kind": qualified, "metadata": meta, "apiVersion": str(obj.get("apiVersion")), "facts": facts}


def agent_facts(r: FieldReader, spec: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    """A kagent Agent: type, model config, tools, and what its Deployment runs."""
    agent_type = r.text(spec.get("type"), "spec.type") or "Declarative"
    decl = r.obj(spec.get("declarative"), "spec.declarative")
    byo = r.obj(spec.get("byo"), "spec.byo")
    facts: dict[str, Any] = {
        "agent_type": agent_type,
        "model_config": r.text(decl.get("modelConfig"), "spec.declarative.modelConfig"),
        "execute_code_blocks": bool(
            r.flag(decl.get("executeCodeBlocks"), "spec.declarative.executeCodeBlocks")
        ),
        "tools": [
            agent_tool(r, t, f"spec.declarative.tools[{i}]", namespace)
            for i, t in enumerate(r.lst(decl.get("tools"), "spec.declarative.tools"))
        ],
    }
    section, dep_path = (byo, "spec.byo") if agent_type == "BYO" else (decl, "spec.declarative")
    dep = r.obj(section.get("deployment"), f"{dep_path}.deployment")
    facts["service_account"] = r.text(
        dep.get("serviceAccountName"), f"{dep_path}.deployment.serviceAccountName"
    )
    image = r.text(dep.get("image"), f"{dep_path}.deployment.image")
    facts["images"] = [image] if image else []
    names, secret = env_facts(r.where, f"{r.path}.{dep_path}.deployment.env", dep.get("env"), r.what)
    facts["env_names"], facts["secret_env_names"] = names, secret
    return facts


def agent_tool(r: FieldReader, raw: Any, tp: str, namespace: str) -> dict[str, Any]:
    """One entry of ``spec.declarative.tools``: an MCP server (or Service) or another agent."""
    t = r.obj(raw, tp)
    ttype = r.text(t.get("type"), f"{tp}.type") or ("Agent" if t.get("agent") else "McpServer")
    ref = r.obj(t.get("agent") if ttype == "Agent" else t.get("mcpServer"), f"{tp}.{ttype}")
    name = r.text(ref.get("name"), f"{tp}.name")
    if name is None:
        raise r.fail(f"{tp}.{'agent' if ttype == 'Agent' else 'mcpServer'}.name", "missing")
    return {
        "type": ttype,
        "kind": r.text(ref.get("kind"), f"{tp}.kind") or ("Agent" if ttype == "Agent" else "MCPServer"),
        "api_group": r.text(ref.get("apiGroup"), f"{tp}.apiGroup"),
        "name": name,
        "namespace": r.text(ref.get("namespace"), f"{tp}.namespace") or namespace,
        "tool_names": r.strs(ref.get("toolNames"), f"{tp}.toolNames"),
        "require_approval": r.strs(ref.get("requireApproval"), f"{tp}.requireApproval"),
        "headers_from": len(r.lst(t.get("headersFrom"), f"{tp}.headersFrom")),
    }


def model_config_facts(r: FieldReader, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A kagent ModelConfig: provider, model, and whether callers' keys pass through."""
    tls = r.obj(spec.get("tls"), "spec.tls")
    return {
        "provider": r.text(spec.get("provider"), "spec.provider"),
        "model": r.text(spec.get("model"), "spec.model"),
        "api_key_passthrough": bool(r.flag(spec.get("apiKeyPassthrough"), "spec.apiKeyPassthrough")),
        "api_key_secret": r.text(spec.get("apiKeySecret"), "spec.apiKeySecret"),
        "tls_verify_disabled": bool(r.flag(tls.get("disableVerify"), "spec.tls.disableVerify")),
    }


def remote_mcp_facts(r: FieldReader, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A kagent RemoteMCPServer: where it is and how it is spoken to; nothing runs in-cluster."""
    url = r.text(spec.get("url"), "spec.url")
    return {
        "url": safe_url(url) if url else None,
        "transport": r.text(spec.get("protocol"), "spec.protocol"),
        "headers_from": len(r.lst(spec.get("headersFrom"), "spec.headersFrom")),
        "images": [],
        "env_names": [],
        "secret_env_names": [],
    }


def toolhive_facts(r: FieldReader, spec: Mapping[str, Any], virtual: bool) -> dict[str, Any]:
    """A ToolHive MCPServer or VirtualMCPServer: image, transport, account, caller authentication,
    authorisation and the host paths it mounts."""
    image = r.text(spec.get("image"), "spec.image")
    facts: dict[str, Any] = {
        "transport": r.text(spec.get("transport"), "spec.transport"),
        "service_account": r.text(spec.get("serviceAccount"), "spec.serviceAccount"),
        **toolhive_auth(r, spec, virtual),
        "authz": spec.get("authzConfig") is not None,
    }
    profile = r.obj(spec.get("permissionProfile"), "spec.permissionProfile")
    facts["permission_profile"] = r.text(profile.get("name"), "spec.permissionProfile.name")
    facts["host_paths"] = sorted(
        {
            str(r.obj(v, f"spec.volumes[{i}]").get("hostPath"))
            for i, v in enumerate(r.lst(spec.get("volumes"), "spec.volumes"))
            if isinstance(v, Mapping) and v.get("hostPath")
        }
    )
    facts["images"] = [image] if image else []
    names, secret = env_facts(r.where, f"{r.path}.spec.env", spec.get("env"), r.what)
    facts["env_names"], facts["secret_env_names"] = names, secret
    return facts


def kmcp_facts(r: FieldReader, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A kagent (kmcp) MCPServer: the Deployment it runs and its transport."""
    dep = r.obj(spec.get("deployment"), "spec.deployment")
    image = r.text(dep.get("image"), "spec.deployment.image")
    facts: dict[str, Any] = {
        "transport": r.text(spec.get("transportType"), "spec.transportType"),
        "service_account": r.text(dep.get("serviceAccountName"), "spec.deployment.serviceAccountName"),
        "images": [image] if image else [],
    }
    names, secret = env_facts(r.where, f"{r.path}.spec.deployment.env", dep.get("env"), r.what)
    facts["env_names"], facts["secret_env_names"] = names, secret
    return facts


def oidc_audience_pinned(r: FieldReader, oidc: Mapping[str, Any], field: str) -> bool | None:
    """ToolHive OIDC: the ``kubernetes`` type defaults its audience to ``toolhive``; ``inline``
    pins one only when set; a ConfigMap's content is not in the object (unknown)."""
    kind = r.text(oidc.get("type"), f"{field}.type") or "kubernetes"
    if kind == "kubernetes":
        return True
    if kind == "inline":
        return bool(r.obj(oidc.get("inline"), f"{field}.inline").get("audience"))
    return None


def toolhive_auth(r: FieldReader, spec: Mapping[str, Any], virtual: bool) -> dict[str, Any]:
    """How a ToolHive server authenticates its callers. An MCPServer authenticates only with an
    ``oidcConfig`` (without one the proxy serves everyone); a VirtualMCPServer says so in
    ``incomingAuth.type`` (``anonymous`` or ``oidc``)."""
    incoming = r.obj(spec.get("incomingAuth"), "spec.incomingAuth")
    kind = r.text(incoming.get("type"), "spec.incomingAuth.type")
    # a VirtualMCPServer's OIDC settings sit under incomingAuth, and are checked even when unused
    oidc = r.obj(incoming.get("oidcConfig"), "spec.incomingAuth.oidcConfig") if virtual else {}
    if kind == "anonymous":
        return {"inbound_auth": "none", "inbound_auth_detail": "incomingAuth.type: anonymous"}
    if virtual:
        if kind == "oidc":
            pinned = oidc_audience_pinned(r, oidc, "spec.incomingAuth.oidcConfig") if oidc else None
            return {
                "inbound_auth": "jwt",
                "jwt_audience_pinned": pinned,
                "inbound_auth_detail": "incomingAuth.type: oidc",
            }
        return {"inbound_auth": "unknown", "inbound_auth_detail": f"incomingAuth.type: {kind}"}
    oidc = r.obj(spec.get("oidcConfig"), "spec.oidcConfig")
    if not oidc:
        return {
            "inbound_auth": "none",
            "inbound_auth_detail": "no oidcConfig: the ToolHive proxy accepts unauthenticated calls",
        }
    return {
        "inbound_auth": "jwt",
        "jwt_audience_pinned": oidc_audience_pinned(r, oidc, "spec.oidcConfig"),
        "inbound_auth_detail": f"oidcConfig.type: {oidc.get('type') or 'kubernetes'}",
    }
