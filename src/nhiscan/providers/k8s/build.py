"""Turn the sanitised objects of one cluster into the provider-neutral inventory.

The live collector and the offline importer both end here, so they produce the same inventory for
the same cluster. Identity attributes are documented in :mod:`nhiscan.providers.k8s`.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from nhiscan import timeutil
from nhiscan.errors import InputError
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Edge,
    Evidence,
    Identity,
    Inventory,
    LoggingState,
    LoggingStatus,
    PermissionSummary,
    Provider,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.k8s.documents import ClusterObjects
from nhiscan.providers.k8s.rbac import RbacIndex, SubjectAnalysis, escalation_scopes, finish_classes

PROVIDER = Provider.K8S.value
TOKEN_TYPE = "kubernetes.io/service-account-token"
LAST_USED_LABEL = "kubernetes.io/legacy-token-last-used"
INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
OWNER_KEYS = ("nhiscan.io/owner", "owner", "team")
#: annotation -> provider of the cloud identity it maps the ServiceAccount to
CLOUD_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": "aws",
    "iam.gke.io/gcp-service-account": "gcp",
    "azure.workload.identity/client-id": "azure",
}
AUDIT_BACKENDS = ("--audit-log-path", "--audit-webhook-config-file")
AUDIT_POLICY = "--audit-policy-file"
# pod-template-hash uses Kubernetes' safe alphabet (no vowels, no 0, 1 or 3), so a hand-named
# ReplicaSet such as "web-frontend" is not mistaken for one made by a Deployment.
_RS_HASH = re.compile(r"^(?P<base>.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}$")
_JOB_SUFFIX = re.compile(r"^(?P<base>.+)-\d{6,}$")
EXPECTED = {
    "service_accounts": "ServiceAccount",
    "secrets": "Secret",
    "pods": "Pod",
    "roles": "Role",
    "cluster_roles": "ClusterRole",
    "role_bindings": "RoleBinding",
    "cluster_role_bindings": "ClusterRoleBinding",
}


def sa_id(cluster: str, namespace: str, name: str) -> str:
    return f"k8s://{cluster}/ns/{namespace}/serviceaccount/{name}"


def cluster_scope(cluster: str) -> Scope:
    return Scope(provider=PROVIDER, type="cluster", id=cluster, name=cluster)


def namespace_scope(cluster: str, namespace: str) -> Scope:
    return Scope(
        provider=PROVIDER,
        type="namespace",
        id=f"{cluster}/{namespace}",
        name=namespace,
        parent=scope_key(PROVIDER, "cluster", cluster),
    )


def parse_time(value: Any, where: str, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value)
    try:
        # dates (the legacy-token-last-used label) and RFC 3339 timestamps
        return timeutil.parse_time(text)
    except ValueError as exc:
        raise InputError(where, f"{field}: not a date or timestamp: {text!r}") from exc


def _workload_name(pod: Mapping[str, Any], ns: str) -> str:
    meta = pod["metadata"]
    owners = meta.get("ownerReferences") or []
    if not owners:
        return f"Pod/{ns}/{meta['name']}"
    kind, name = str(owners[0].get("kind") or "Pod"), str(owners[0].get("name") or meta["name"])
    if kind == "ReplicaSet" and (m := _RS_HASH.match(name)):
        return f"Deployment/{ns}/{m['base']}"
    if kind == "Job" and (m := _JOB_SUFFIX.match(name)):
        return f"CronJob/{ns}/{m['base']}"
    if kind == "Node":
        return f"Pod/{ns}/{meta['name']}"  # a static pod
    return f"{kind}/{ns}/{name}"


def _is_static(pod: Mapping[str, Any]) -> bool:
    meta = pod["metadata"]
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return True
    return any(o.get("kind") == "Node" for o in meta.get("ownerReferences") or [])


def _automounts(spec: Mapping[str, Any], sa_setting: bool | None) -> bool:
    pod_setting = spec.get("automountServiceAccountToken")
    if pod_setting is not None:
        return bool(pod_setting)
    return sa_setting is not False


def _flags(containers: Sequence[Mapping[str, Any]]) -> dict[str, str] | None:
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


def audit_logging(cluster: str, objects: ClusterObjects) -> tuple[LoggingState, CoverageEntry | None]:
    key = scope_key(PROVIDER, "cluster", cluster)
    servers: list[tuple[str, dict[str, str]]] = []
    for pod in objects.pods:
        meta = pod["metadata"]
        if meta.get("namespace") != "kube-system":
            continue
        flags = _flags(pod["spec"].get("containers") or [])
        if flags is not None:
            servers.append((f"kube-system/{meta['name']}", flags))
    if not servers:
        detail = (
            "no kube-apiserver pod is visible in kube-system (managed control plane, or pods not "
            "collected): audit logging cannot be detected from the Kubernetes API; check EKS control "
            "plane logging (audit), GKE Cloud Audit Logs or the AKS kube-audit diagnostic setting"
        )
        state = LoggingState(scope=key, provider=PROVIDER, status=LoggingStatus.UNKNOWN.value, summary=detail)
        gap = CoverageEntry(
            provider=PROVIDER,
            scope=key,
            source="kube-apiserver audit flags",
            status=CoverageStatus.UNKNOWN.value,
            detail=detail,
        )
        return state, gap
    enabled: list[str] = []
    evidence: list[Evidence] = []
    for pod_name, flags in sorted(servers):
        backends = [f for f in AUDIT_BACKENDS if flags.get(f)]
        policy = flags.get(AUDIT_POLICY)
        shown = (
            " ".join(f"{f}={flags[f]}" for f in (*AUDIT_BACKENDS, AUDIT_POLICY) if flags.get(f))
            or "no audit flags"
        )
        evidence.append(Evidence(source=f"pod {pod_name}", detail=shown))
        # Without a policy file the API server records no events, whatever backend is set.
        if backends and policy:
            enabled.append(pod_name)
    if len(enabled) == len(servers):
        status, summary = LoggingStatus.ENABLED, "kube-apiserver has an audit policy and an audit backend"
    elif enabled:
        status, summary = (
            LoggingStatus.PARTIAL,
            f"audit logging on {len(enabled)} of {len(servers)} kube-apiserver pods",
        )
    else:
        status = LoggingStatus.DISABLED
        summary = (
            f"kube-apiserver runs without {AUDIT_POLICY} and an audit backend "
            f"({' or '.join(AUDIT_BACKENDS)}): API activity of service accounts is not recorded"
        )
    attrs = {"apiserver_pods": [p for p, _ in sorted(servers)], "audited_pods": sorted(enabled)}
    return (
        LoggingState(
            scope=key,
            provider=PROVIDER,
            status=status.value,
            summary=summary,
            evidence=tuple(evidence),
            attributes=attrs,
        ),
        None,
    )


def offline_coverage(cluster: str, objects: ClusterObjects) -> list[CoverageEntry]:
    key = scope_key(PROVIDER, "cluster", cluster)
    out = []
    for collection, kind in EXPECTED.items():
        sources = objects.seen.get(collection)
        if collection == "pods" and not sources and objects.seen.get("workloads"):
            sources = objects.seen["workloads"]
        if sources:
            out.append(
                CoverageEntry(
                    PROVIDER, key, f"{kind} objects", CoverageStatus.OK.value, ", ".join(sorted(sources))
                )
            )
        else:
            out.append(
                CoverageEntry(
                    PROVIDER,
                    key,
                    f"{kind} objects",
                    CoverageStatus.NOT_FOUND.value,
                    f"no {kind} objects in the input files; include them in the export (see docs/providers/k8s.md)",
                )
            )
    return out


def _agents(
    cluster: str,
    objects: ClusterObjects,
    index: RbacIndex,
    analyses: dict[tuple[str, str], SubjectAnalysis],
    scopes: dict[str, Scope],
    ns_scopes: dict[str, Scope],
) -> tuple[list[Identity], list[Edge]]:
    """Agents and MCP servers (:mod:`nhiscan.providers.k8s.agents`), with the RBAC classes of the
    ServiceAccounts they run as, also of accounts the export does not contain (kagent creates one
    per agent, and bindings may name it)."""
    from nhiscan.providers.k8s.agents import build_agents

    def classes(ns: str, name: str) -> tuple[str, ...]:
        a = analyses.get((ns, name))
        if a is None:
            a = analyses[(ns, name)] = index.analyse_shared(ns, name)
            if a.pending:
                index.resolve_pending((ns, name), a, analyses)
            finish_classes(a)
        return a.classes

    identities, edges, namespaces = build_agents(
        cluster,
        objects.agent_resources,
        objects.pods,
        objects.workloads,
        lambda ns, name: sa_id(cluster, ns, name),
        classes,
        _workload_name,
    )
    for ns in namespaces:
        if ns not in ns_scopes:
            ns_scopes[ns] = namespace_scope(cluster, ns)
            scopes[ns_scopes[ns].key] = ns_scopes[ns]
    return identities, edges


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building a large cluster allocates millions of long-lived objects; the cyclic collector
    would rescan them all again and again (about a fifth of the build time at 50,000 accounts).
    Nothing built here forms reference cycles, so collection waits until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_cluster(
    cluster: str,
    objects: ClusterObjects,
    coverage: Sequence[CoverageEntry],
    generated_at: datetime | None = None,
) -> Inventory:
    """Build the inventory part of one cluster."""
    with gc_paused():
        return _build_cluster(cluster, objects, coverage, generated_at)


def _build_cluster(
    cluster: str, objects: ClusterObjects, coverage: Sequence[CoverageEntry], generated_at: datetime | None
) -> Inventory:
    cscope = cluster_scope(cluster)
    index = RbacIndex(
        objects.roles, objects.cluster_roles, objects.role_bindings, objects.cluster_role_bindings
    )

    sas: dict[tuple[str, str], Mapping[str, Any]] = {}
    for account in objects.service_accounts:
        m = account["metadata"]
        sas.setdefault((m["namespace"], m["name"]), account)

    pods_by_sa: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for pod in objects.pods:
        if _is_static(pod):
            continue  # static (mirror) pods cannot use a ServiceAccount
        ns = pod["metadata"]["namespace"]
        pods_by_sa.setdefault((ns, pod["spec"]["serviceAccountName"]), []).append(pod)
    ctrl_by_sa: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for w in objects.workloads:
        ns = w["metadata"]["namespace"]
        ctrl_by_sa.setdefault((ns, w["spec"]["serviceAccountName"]), []).append(w)

    tokens_by_sa: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for s in objects.secrets:
        if s.get("type") != TOKEN_TYPE:
            continue
        m = s["metadata"]
        owner = (m.get("annotations") or {}).get(SA_NAME_ANNOTATION)
        if owner:
            tokens_by_sa.setdefault((m["namespace"], owner), []).append(s)

    analyses: dict[tuple[str, str], SubjectAnalysis] = {key: index.analyse_shared(*key) for key in sas}
    unique = {id(a): (key, a) for key, a in analyses.items()}  # group-only accounts share one
    for key, a in unique.values():
        if a.pending:
            index.resolve_pending(key, a, analyses)
    for _key, a in unique.values():
        finish_classes(a)

    identities: list[Identity] = []
    credentials: list[Credential] = []
    edges: list[Edge] = []
    scopes: dict[str, Scope] = {cscope.key: cscope}
    ns_scopes: dict[str, Scope] = {}
    # accounts that share an analysis share its summary (read-only, like everything built here)
    summaries: dict[int, tuple[PermissionSummary, dict[str, list[str]]]] = {}
    times: dict[Any, datetime | None] = {}  # most objects of a cluster share few timestamps
    for (ns, name), sa in sas.items():
        meta = sa["metadata"]
        where = str(sa.get("_src", "kubernetes"))
        ident = sa_id(cluster, ns, name)
        nscope = ns_scopes.get(ns)
        if nscope is None:
            nscope = ns_scopes[ns] = namespace_scope(cluster, ns)
            scopes[nscope.key] = nscope
        a = analyses[(ns, name)]
        sa_auto = sa.get("automountServiceAccountToken")
        pods = pods_by_sa.get((ns, name), [])
        ctrls = ctrl_by_sa.get((ns, name), [])
        workloads = {f"{w['kind']}/{ns}/{w['metadata']['name']}" for w in ctrls}
        workloads.update(_workload_name(p, ns) for p in pods)
        labels = dict(meta.get("labels") or {})
        annotations = meta.get("annotations") or {}
        cloud = []
        for ann, target in CLOUD_ANNOTATIONS.items():
            value = annotations.get(ann, "").strip()
            if not value:
                continue
            cloud.append({"provider": target, "id": value, "annotation": ann})
            edges.append(
                Edge(
                    src=ident,
                    dst=value,
                    kind="k8s.cloud_identity",
                    evidence=(
                        Evidence(source=where, detail=f"ServiceAccount {ns}/{name} annotation {ann}={value}"),
                    ),
                    attributes={"target_provider": target, "annotation": ann},
                )
            )
        owner = next(
            (labels.get(k) or annotations.get(k) for k in OWNER_KEYS if labels.get(k) or annotations.get(k)),
            None,
        )
        tokens = tokens_by_sa.get((ns, name), [])
        cached = summaries.get(id(a))
        if cached is None:
            summary = PermissionSummary(grants=a.grants, classes=a.classes, reasons=a.reasons)
            cached = summaries[id(a)] = (summary, escalation_scopes(a))
        summary, scopes_of_primitives = cached
        stamp = meta.get("creationTimestamp")
        if stamp not in times:
            times[stamp] = parse_time(stamp, where, f"ServiceAccount {ns}/{name} metadata.creationTimestamp")
        username = f"system:serviceaccount:{ns}:{name}"
        attributes: dict[str, Any] = {
            "username": username,
            "aliases": [username],
            "namespace": ns,
            "cluster": cluster,
            "uid": meta.get("uid"),
            "automount": sa_auto,
            "workloads": sorted(workloads),
            "pods": len(pods),
            "pods_automounting": sum(1 for p in pods if _automounts(p["spec"], sa_auto)),
            "workloads_automounting": sum(1 for w in ctrls if _automounts(w["spec"], sa_auto)),
            "is_default": name == "default",
            "system": ns in SYSTEM_NAMESPACES,
            "cloud_identities": cloud,
            "legacy_tokens": len(tokens),
            "secret_read_scope": a.secret_read_scope,
            "escalation_primitives": list(a.primitives),
            "escalation_scopes": scopes_of_primitives,
            "bound_to_cluster_admin": a.bound_to_cluster_admin,
            "cluster_admin_scope": a.cluster_admin_scope,
            "rbac_rule_count": a.rule_count,
            "direct_bindings": list(a.direct_bindings),
            "direct_binding_count": len(a.direct_bindings),
        }
        identities.append(
            Identity(
                id=ident,
                provider=PROVIDER,
                kind="k8s.service_account",
                scope=nscope.key,
                name=f"{ns}/{name}",
                created=times[stamp],
                owner=owner,
                tags=labels,
                usage=Usage.MACHINE.value,
                evidence=(Evidence(source=where, detail=f"ServiceAccount {ns}/{name}"),),
                attributes=attributes,
                permissions=summary,
            )
        )
        for t in tokens:
            tm = t["metadata"]
            tlabels = tm.get("labels") or {}
            twhere = str(t.get("_src", where))
            try:
                last_used = parse_time(tlabels.get(LAST_USED_LABEL), twhere, LAST_USED_LABEL)
            except InputError:
                last_used = None  # a hand-edited label must not stop the scan; the secret is still reported
            invalid_since = tlabels.get(INVALID_SINCE_LABEL)
            credentials.append(
                Credential(
                    id=f"{ns}/{tm['name']}",
                    identity_id=ident,
                    kind="k8s.legacy_token",
                    created=parse_time(
                        tm.get("creationTimestamp"),
                        twhere,
                        f"Secret {ns}/{tm['name']} metadata.creationTimestamp",
                    ),
                    last_used=last_used,
                    active=not invalid_since,
                    location=f"secret {ns}/{tm['name']}",
                    attributes={"secret": tm["name"], "namespace": ns, "invalid_since": invalid_since},
                )
            )
    if objects.agent_resources or any("agent" in o for o in (*objects.pods, *objects.workloads)):
        agent_identities, agent_edges = _agents(cluster, objects, index, analyses, scopes, ns_scopes)
        identities.extend(agent_identities)
        edges.extend(agent_edges)
    logging_state, log_gap = audit_logging(cluster, objects)
    cov = list(coverage)
    if log_gap is not None:
        cov.append(log_gap)
    return Inventory(
        identities=tuple(identities),
        credentials=tuple(credentials),
        edges=tuple(edges),
        logging=(logging_state,),
        coverage=tuple(cov),
        scopes=tuple(scopes.values()),
        providers=(PROVIDER,),
        generated_at=generated_at,
    )
