"""The kagent and ToolHive custom resources the Kubernetes provider reads: which API groups,
plurals and versions to list live, and how to recognise one in an export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KAGENT = "kagent.dev"
TOOLHIVE = "toolhive.stacklok.dev"
AGENT = f"Agent.{KAGENT}"
MODEL_CONFIG = f"ModelConfig.{KAGENT}"
REMOTE_MCP = f"RemoteMCPServer.{KAGENT}"
KMCP_SERVER = f"MCPServer.{KAGENT}"
TOOLHIVE_SERVER = f"MCPServer.{TOOLHIVE}"
TOOLHIVE_VIRTUAL = f"VirtualMCPServer.{TOOLHIVE}"


@dataclass(frozen=True)
class CustomResource:
    """A custom resource this provider reads, and the API versions to list it at."""

    group: str
    """API group, e.g. ``kagent.dev``."""
    plural: str
    """Resource name in API paths, e.g. ``agents``."""
    kind: str
    """Object kind, e.g. ``Agent``."""
    versions: tuple[str, ...]
    """Versions known to this provider, preferred first."""
    every_version: bool = False
    """List each served version of ``versions``, not just the first (kagent serves Agents at two
    versions whose objects differ)."""

    @property
    def qualified(self) -> str:
        """``Kind.group``, the key this provider uses for the resource."""
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
#: qualified kind -> the ``source`` of the identity it becomes (ModelConfigs become none)
SOURCES = {
    AGENT: "kagent",
    REMOTE_MCP: "kagent_remote",
    KMCP_SERVER: "kmcp",
    TOOLHIVE_SERVER: "toolhive",
    TOOLHIVE_VIRTUAL: "toolhive_vmcp",
}
#: label an operator sets on the workloads it creates -> the resource kind it names
LINK_LABELS = {"kagent": AGENT, "toolhive-name": TOOLHIVE_SERVER}
#: owner reference kind on an operator-made workload -> the resource kind
OWNER_KINDS = {
    "Agent": AGENT,
    "RemoteMCPServer": REMOTE_MCP,
    "MCPServer": TOOLHIVE_SERVER,
    "VirtualMCPServer": TOOLHIVE_VIRTUAL,
}


def qualified_kind(obj: Mapping[str, Any]) -> str | None:
    """``Agent.kagent.dev`` for a kagent Agent; None for kinds this provider does not read."""
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str) or "/" not in api_version:
        return None
    q = f"{kind}.{api_version.split('/', 1)[0]}"
    return q if q in QUALIFIED_KINDS else None
