"""Whether a cluster's API server records an audit trail, from the flags of its kube-apiserver
static pods. Managed control planes show no such pod; their state is unknown, and a coverage
entry says where to look instead (it is never reported as a pass)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nhiscan.model import CoverageEntry, CoverageStatus, Evidence, LoggingState, LoggingStatus, scope_key
from nhiscan.providers.k8s.documents import ClusterObjects
from nhiscan.providers.k8s.facts import K8sLoggingFacts

PROVIDER = "k8s"
AUDIT_BACKENDS = ("--audit-log-path", "--audit-webhook-config-file")
AUDIT_POLICY = "--audit-policy-file"
UNKNOWN_DETAIL = (
    "no kube-apiserver pod is visible in kube-system (managed control plane, or pods not "
    "collected): audit logging cannot be detected from the Kubernetes API; check EKS control "
    "plane logging (audit), GKE Cloud Audit Logs or the AKS kube-audit diagnostic setting"
)


def apiserver_flags(containers: Sequence[Mapping[str, Any]]) -> dict[str, str] | None:
    """The flags of a kube-apiserver container, or None if no container runs kube-apiserver."""
    for c in containers:
        argv = list(c.get("command") or []) + list(c.get("args") or [])
        if not any(a.endswith("kube-apiserver") for a in argv[:2]) and c.get("name") != "kube-apiserver":
            continue
        flags: dict[str, str] = {}
        for i, arg in enumerate(argv):
            if not arg.startswith("--"):
                continue
            key, eq, value = arg.partition("=")
            if not eq and i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                value = argv[i + 1]
            flags[key] = value
        return flags
    return None


def apiservers(objects: ClusterObjects) -> list[tuple[str, dict[str, str]]]:
    """(``kube-system/<pod>``, flags) of every kube-apiserver pod, sorted by pod."""
    servers: list[tuple[str, dict[str, str]]] = []
    for pod in objects.pods:
        meta = pod["metadata"]
        if meta.get("namespace") != "kube-system":
            continue
        flags = apiserver_flags(pod["spec"].get("containers") or [])
        if flags is not None:
            servers.append((f"kube-system/{meta['name']}", flags))
    return sorted(servers)


def audit_logging(cluster: str, objects: ClusterObjects) -> tuple[LoggingState, CoverageEntry | None]:
    """The audit logging state of the cluster, and a coverage gap when it cannot be told."""
    key = scope_key(PROVIDER, "cluster", cluster)
    servers = apiservers(objects)
    if not servers:
        state = LoggingState(
            scope=key, provider=PROVIDER, status=LoggingStatus.UNKNOWN.value, summary=UNKNOWN_DETAIL
        )
        gap = CoverageEntry(
            provider=PROVIDER,
            scope=key,
            source="kube-apiserver audit flags",
            status=CoverageStatus.UNKNOWN.value,
            detail=UNKNOWN_DETAIL,
        )
        return state, gap
    enabled: list[str] = []
    evidence: list[Evidence] = []
    for pod_name, flags in servers:
        backends = [f for f in AUDIT_BACKENDS if flags.get(f)]
        shown = (
            " ".join(f"{f}={flags[f]}" for f in (*AUDIT_BACKENDS, AUDIT_POLICY) if flags.get(f))
            or "no audit flags"
        )
        evidence.append(Evidence(source=f"pod {pod_name}", detail=shown))
        # Without a policy file the API server records no events, whatever backend is set.
        if backends and flags.get(AUDIT_POLICY):
            enabled.append(pod_name)
    status, summary = audit_status(len(enabled), len(servers))
    facts = K8sLoggingFacts(apiserver_pods=tuple(p for p, _ in servers), audited_pods=tuple(sorted(enabled)))
    state = LoggingState(
        scope=key,
        provider=PROVIDER,
        status=status.value,
        summary=summary,
        evidence=tuple(evidence),
        facts=facts,
    )
    return state, None


def audit_status(enabled: int, servers: int) -> tuple[LoggingStatus, str]:
    if enabled == servers:
        return LoggingStatus.ENABLED, "kube-apiserver has an audit policy and an audit backend"
    if enabled:
        return LoggingStatus.PARTIAL, f"audit logging on {enabled} of {servers} kube-apiserver pods"
    return LoggingStatus.DISABLED, (
        f"kube-apiserver runs without {AUDIT_POLICY} and an audit backend "
        f"({' or '.join(AUDIT_BACKENDS)}): API activity of service accounts is not recorded"
    )
