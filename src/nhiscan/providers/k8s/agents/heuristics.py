"""Score workloads that look like AI agents or MCP servers without any custom resource, from their
images, command lines, environment variable names and labels; and find the kagent or ToolHive
resource an operator-made workload belongs to."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nhiscan.providers.k8s.agents.env import env_entries, secret_like
from nhiscan.providers.k8s.agents.resources import LINK_LABELS, OWNER_KINDS

#: Minimum heuristic score for a workload to become an agent or MCP-server identity. Strong
#: signals (an MCP image, an MCP launcher on the command line, an operator label) score 3 each;
#: LLM API-key variable names score 1 each and at most 2 together, so an ordinary service that
#: calls an LLM API is not reported as an agent on its environment alone.
THRESHOLD = 3
ENV_POINTS_CAP = 2

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


def image_repo(image: str) -> str:
    """``docker.io/mcp/github:1.2@sha256:...`` -> ``docker.io/mcp/github`` (lower case)."""
    ref = image.split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref = ref[:colon]
    return ref.lower()


@dataclass
class Signals:
    """What the containers of one pod spec say, gathered container by container."""

    reasons: list[tuple[str, int, bool]] = field(default_factory=list)
    """(label, points, is an MCP signal)"""
    images: list[str] = field(default_factory=list)
    env_names: list[str] = field(default_factory=list)
    literal: list[str] = field(default_factory=list)
    """env names with a literal value (judged secret-like only if the workload is kept)"""
    env_points: int = 0

    def container(self, where: str, path: str, owner: str, c: Mapping[str, Any]) -> None:
        image = c.get("image")
        if isinstance(image, str) and image:
            self.images.append(image)
            repo = image_repo(image)
            for label, pattern, points, mcp in IMAGE_PATTERNS:
                if pattern.search(repo):
                    self.reasons.append((f"{label} ({image.split('@', 1)[0]})", points, mcp))
                    break
        argv = [a for a in list(c.get("command") or []) + list(c.get("args") or []) if isinstance(a, str)]
        for label, pattern, points, mcp in ARG_PATTERNS:
            if any(pattern.search(a) for a in argv):
                self.reasons.append((label, points, mcp))
        entries = env_entries(where, f"{path}.env", c.get("env"), owner)
        self.env_names.extend(n for n, _ in entries)
        self.literal.extend(n for n, lit in entries if lit)
        for n, _ in entries:
            if n in LLM_ENV_NAMES and self.env_points < ENV_POINTS_CAP:
                self.env_points += 1
                self.reasons.append((f"env {n}", 1, False))

    def labels(self, labels: Mapping[str, Any]) -> None:
        for key, value, points, mcp in LABEL_SIGNALS:
            got = labels.get(key)
            if got is not None and (value is None or str(got) == value):
                self.reasons.append((f"label {key}={got}" if value else f"label {key}", points, mcp))

    @property
    def score(self) -> int:
        # a label found twice (two containers with the same image) counts once
        return sum({label: points for label, points, _ in self.reasons}.values())


def resource_link(
    labels: Mapping[str, Any], owner_refs: Sequence[Mapping[str, Any]]
) -> tuple[str, str] | None:
    """(qualified kind, name) of the kagent/ToolHive resource a workload belongs to: its owner
    reference (the last one naming such a kind), else the label the operator sets."""
    link = None
    for ref in owner_refs:
        q = OWNER_KINDS.get(str(ref.get("kind") or ""))
        if q and ref.get("name"):
            link = (q, str(ref["name"]))
    if link is None:
        for key, q in LINK_LABELS.items():
            if labels.get(key):
                return (q, str(labels[key]))
    return link


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
    signals = Signals()
    for key in ("initContainers", "containers"):
        value = pod_spec.get(key) or []
        if isinstance(value, list):
            for i, c in enumerate(value):
                if isinstance(c, Mapping):
                    signals.container(where, f"{path}.{key}[{i}]", owner, c)
    signals.labels(labels)
    link = resource_link(labels, owner_refs)
    if link is None and signals.score < THRESHOLD:
        # below the threshold and owned by no agent resource: nothing will come of it, so
        # ordinary pods that merely call an LLM API cost no more than any other pod
        return None
    return {
        "reasons": [list(r) for r in signals.reasons],
        "images": sorted(set(signals.images)),
        "env_names": sorted(set(signals.env_names)),
        # names only; judged here, once something marks the workload, not for every pod
        "secret_env_names": sorted({n for n in signals.literal if secret_like(n)}),
        "link": list(link) if link else None,
    }
