"""Turn the sanitised objects of one cluster into the provider-neutral inventory.

The live collector and the offline importer both end here, so they produce the same inventory for
the same cluster. The facts it records are :mod:`nhiscan.providers.k8s.facts`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nhiscan.errors import InputError
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Edge,
    Evidence,
    Identity,
    Inventory,
    PermissionSummary,
    Provider,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.k8s.agents.build import build_agents
from nhiscan.providers.k8s.audit import audit_logging
from nhiscan.providers.k8s.documents import ClusterObjects
from nhiscan.providers.k8s.facts import (
    CloudIdentity,
    EscalationPrimitive,
    EscalationScope,
    K8sCredentialFacts,
    K8sEdgeFacts,
    K8sIdentityFacts,
    Reach,
)
from nhiscan.providers.k8s.meta import object_time, owner_of, workload_name
from nhiscan.providers.k8s.rbac import RbacIndex, SubjectAnalysis, escalation_scopes, finish_classes

PROVIDER = Provider.K8S.value
TOKEN_TYPE = "kubernetes.io/service-account-token"
LAST_USED_LABEL = "kubernetes.io/legacy-token-last-used"
INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
#: annotation -> provider of the cloud identity it maps the ServiceAccount to
CLOUD_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": "aws",
    "iam.gke.io/gcp-service-account": "gcp",
    "azure.workload.identity/client-id": "azure",
}
EXPECTED = {
    "service_accounts": "ServiceAccount",
    "secrets": "Secret",
    "pods": "Pod",
    "roles": "Role",
    "cluster_roles": "ClusterRole",
    "role_bindings": "RoleBinding",
    "cluster_role_bindings": "ClusterRoleBinding",
}
SaKey = tuple[str, str]  # (namespace, name)


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


def is_static(pod: Mapping[str, Any]) -> bool:
    """A static (mirror) pod: the kubelet runs it from a file, and it cannot use an account."""
    meta = pod["metadata"]
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return True
    return any(o.get("kind") == "Node" for o in meta.get("ownerReferences") or [])


def automounts(spec: Mapping[str, Any], sa_setting: bool | None) -> bool:
    """The pod gets its account's token: the pod setting, else the account's, else true."""
    pod_setting = spec.get("automountServiceAccountToken")
    if pod_setting is not None:
        return bool(pod_setting)
    return sa_setting is not False


def offline_coverage(cluster: str, objects: ClusterObjects) -> list[CoverageEntry]:
    """One entry per kind an export should hold: read from which files, or missing."""
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


@dataclass
class AccountIndex:
    """The objects of one cluster grouped by the ServiceAccount they concern."""

    accounts: dict[SaKey, Mapping[str, Any]] = field(default_factory=dict)
    pods: dict[SaKey, list[Mapping[str, Any]]] = field(default_factory=dict)
    controllers: dict[SaKey, list[Mapping[str, Any]]] = field(default_factory=dict)
    tokens: dict[SaKey, list[Mapping[str, Any]]] = field(default_factory=dict)

    @classmethod
    def of(cls, objects: ClusterObjects) -> AccountIndex:
        out = cls()
        for account in objects.service_accounts:
            m = account["metadata"]
            out.accounts.setdefault((m["namespace"], m["name"]), account)
        for pod in objects.pods:
            if is_static(pod):
                continue  # static (mirror) pods cannot use a ServiceAccount
            ns = pod["metadata"]["namespace"]
            out.pods.setdefault((ns, pod["spec"]["serviceAccountName"]), []).append(pod)
        for w in objects.workloads:
            ns = w["metadata"]["namespace"]
            out.controllers.setdefault((ns, w["spec"]["serviceAccountName"]), []).append(w)
        for s in objects.secrets:
            if s.get("type") != TOKEN_TYPE:
                continue
            m = s["metadata"]
            owner = (m.get("annotations") or {}).get(SA_NAME_ANNOTATION)
            if owner:
                out.tokens.setdefault((m["namespace"], owner), []).append(s)
        return out


class ClusterBuilder:
    """Builds the identities, credentials, edges and scopes of one cluster."""

    def __init__(self, cluster: str, objects: ClusterObjects) -> None:
        self.cluster, self.objects = cluster, objects
        self.index = RbacIndex(
            objects.roles, objects.cluster_roles, objects.role_bindings, objects.cluster_role_bindings
        )
        self.accounts = AccountIndex.of(objects)
        self.analyses: dict[SaKey, SubjectAnalysis] = {
            key: self.index.analyse_shared(*key) for key in self.accounts.accounts
        }
        unique = {id(a): (key, a) for key, a in self.analyses.items()}  # group-only accounts share one
        for key, a in unique.values():
            if a.pending:
                self.index.resolve_pending(key, a, self.analyses)
        for _key, a in unique.values():
            finish_classes(a)
        cscope = cluster_scope(cluster)
        self.scopes: dict[str, Scope] = {cscope.key: cscope}
        self.ns_scopes: dict[str, Scope] = {}
        # accounts that share an analysis share its summary (read-only, like everything built here)
        self.summaries: dict[int, tuple[PermissionSummary, tuple[EscalationScope, ...]]] = {}
        self.times: dict[Any, datetime | None] = {}  # most objects of a cluster share few timestamps
        self.identities: list[Identity] = []
        self.credentials: list[Credential] = []
        self.edges: list[Edge] = []

    def namespace(self, ns: str) -> Scope:
        nscope = self.ns_scopes.get(ns)
        if nscope is None:
            nscope = self.ns_scopes[ns] = namespace_scope(self.cluster, ns)
            self.scopes[nscope.key] = nscope
        return nscope

    def summary(self, a: SubjectAnalysis) -> tuple[PermissionSummary, tuple[EscalationScope, ...]]:
        cached = self.summaries.get(id(a))
        if cached is None:
            # reasons of the classes only: per-primitive sources are internal to the analysis
            reasons = {c: a.reasons[c] for c in a.classes}
            summary = PermissionSummary(grants=a.grants, classes=a.classes, reasons=reasons)
            cached = self.summaries[id(a)] = (summary, escalation_scopes(a))
        return cached

    def created(self, stamp: Any, where: str, what: str) -> datetime | None:
        if stamp not in self.times:
            self.times[stamp] = object_time(stamp, where, f"{what} metadata.creationTimestamp")
        return self.times[stamp]

    def add_account(self, key: SaKey, sa: Mapping[str, Any]) -> None:
        ns, name = key
        meta = sa["metadata"]
        where = str(sa.get("_src", "kubernetes"))
        ident = sa_id(self.cluster, ns, name)
        nscope = self.namespace(ns)
        a = self.analyses[key]
        labels = dict(meta.get("labels") or {})
        annotations = meta.get("annotations") or {}
        cloud = self.add_cloud_edges(ident, key, annotations, where)
        summary, scopes_of_primitives = self.summary(a)
        facts = account_facts(self.cluster, key, sa, a, self.accounts, cloud, scopes_of_primitives)
        self.identities.append(
            Identity(
                id=ident,
                provider=PROVIDER,
                kind="k8s.service_account",
                scope=nscope.key,
                name=f"{ns}/{name}",
                created=self.created(meta.get("creationTimestamp"), where, f"ServiceAccount {ns}/{name}"),
                owner=owner_of(labels, annotations),
                tags=labels,
                usage=Usage.MACHINE.value,
                evidence=(Evidence(source=where, detail=f"ServiceAccount {ns}/{name}"),),
                permissions=summary,
                aliases=(f"system:serviceaccount:{ns}:{name}",),
                facts=facts,
            )
        )
        for t in self.accounts.tokens.get(key, []):
            self.credentials.append(legacy_token(ident, ns, t, where))

    def add_cloud_edges(
        self, ident: str, key: SaKey, annotations: Mapping[str, Any], where: str
    ) -> tuple[CloudIdentity, ...]:
        """IRSA / GKE / Azure workload identity annotations: one edge each to the cloud identity."""
        ns, name = key
        cloud: list[CloudIdentity] = []
        for ann, target in CLOUD_ANNOTATIONS.items():
            value = annotations.get(ann, "").strip()
            if not value:
                continue
            cloud.append(CloudIdentity(provider=target, id=value, annotation=ann))
            self.edges.append(
                Edge(
                    src=ident,
                    dst=value,
                    kind="k8s.cloud_identity",
                    evidence=(
                        Evidence(source=where, detail=f"ServiceAccount {ns}/{name} annotation {ann}={value}"),
                    ),
                    facts=K8sEdgeFacts(annotation=ann, target_provider=target),
                )
            )
        return tuple(cloud)

    def sa_classes(self, ns: str, name: str) -> tuple[str, ...]:
        """The permission classes of a ServiceAccount, also of one the export does not contain
        (kagent creates one per agent, and bindings may name it)."""
        a = self.analyses.get((ns, name))
        if a is None:
            a = self.analyses[(ns, name)] = self.index.analyse_shared(ns, name)
            if a.pending:
                self.index.resolve_pending((ns, name), a, self.analyses)
            finish_classes(a)
        return a.classes

    def add_agents(self) -> None:
        """Agents and MCP servers (:mod:`nhiscan.providers.k8s.agents`), with the RBAC classes of
        the ServiceAccounts they run as."""
        identities, edges, namespaces = build_agents(
            self.cluster,
            self.objects.agent_resources,
            self.objects.pods,
            self.objects.workloads,
            lambda ns, name: sa_id(self.cluster, ns, name),
            self.sa_classes,
        )
        for ns in namespaces:
            self.namespace(ns)
        self.identities.extend(identities)
        self.edges.extend(edges)

    def inventory(self, coverage: Sequence[CoverageEntry], generated_at: datetime | None) -> Inventory:
        for key, sa in self.accounts.accounts.items():
            self.add_account(key, sa)
        objects = self.objects
        if objects.agent_resources or any("agent" in o for o in (*objects.pods, *objects.workloads)):
            self.add_agents()
        logging_state, log_gap = audit_logging(self.cluster, objects)
        cov = list(coverage)
        if log_gap is not None:
            cov.append(log_gap)
        return Inventory(
            identities=tuple(self.identities),
            credentials=tuple(self.credentials),
            edges=tuple(self.edges),
            logging=(logging_state,),
            coverage=tuple(cov),
            scopes=tuple(self.scopes.values()),
            providers=(PROVIDER,),
            generated_at=generated_at,
        )


def account_facts(
    cluster: str,
    key: SaKey,
    sa: Mapping[str, Any],
    a: SubjectAnalysis,
    accounts: AccountIndex,
    cloud: tuple[CloudIdentity, ...],
    scopes_of_primitives: tuple[EscalationScope, ...],
) -> K8sIdentityFacts:
    """The facts rules read about one ServiceAccount: where it runs, whether its token is
    mounted, what RBAC gives it."""
    ns, name = key
    sa_auto = sa.get("automountServiceAccountToken")
    pods = accounts.pods.get(key, [])
    ctrls = accounts.controllers.get(key, [])
    workloads = {f"{w['kind']}/{ns}/{w['metadata']['name']}" for w in ctrls}
    workloads.update(workload_name(p, ns) for p in pods)
    return K8sIdentityFacts(
        namespace=ns,
        cluster=cluster,
        uid=sa["metadata"].get("uid"),
        automount=sa_auto,
        workloads=tuple(sorted(workloads)),
        pods=len(pods),
        pods_automounting=sum(1 for p in pods if automounts(p["spec"], sa_auto)),
        workloads_automounting=sum(1 for w in ctrls if automounts(w["spec"], sa_auto)),
        is_default=name == "default",
        system=ns in SYSTEM_NAMESPACES,
        cloud_identities=cloud,
        legacy_tokens=len(accounts.tokens.get(key, [])),
        secret_read_scope=Reach(a.secret_read_scope),
        escalation_primitives=tuple(EscalationPrimitive(p) for p in a.primitives),
        escalation_scopes=scopes_of_primitives,
        bound_to_cluster_admin=a.bound_to_cluster_admin,
        cluster_admin_scope=Reach(a.cluster_admin_scope) if a.cluster_admin_scope else None,
        namespace_admin_via=tuple(a.reasons.get("k8s_namespace_admin", ())),
        rbac_rule_count=a.rule_count,
        direct_bindings=tuple(a.direct_bindings),
        direct_binding_count=len(a.direct_bindings),
    )


def legacy_token(ident: str, ns: str, t: Mapping[str, Any], where: str) -> Credential:
    """A ``kubernetes.io/service-account-token`` Secret, as a credential of its account."""
    tm = t["metadata"]
    tlabels = tm.get("labels") or {}
    twhere = str(t.get("_src", where))
    try:
        last_used = object_time(tlabels.get(LAST_USED_LABEL), twhere, LAST_USED_LABEL)
    except InputError:
        last_used = None  # a hand-edited label must not stop the scan; the secret is still reported
    invalid_since = tlabels.get(INVALID_SINCE_LABEL)
    return Credential(
        id=f"{ns}/{tm['name']}",
        identity_id=ident,
        kind="k8s.legacy_token",
        created=object_time(
            tm.get("creationTimestamp"), twhere, f"Secret {ns}/{tm['name']} metadata.creationTimestamp"
        ),
        last_used=last_used,
        active=not invalid_since,
        location=f"secret {ns}/{tm['name']}",
        facts=K8sCredentialFacts(secret=tm["name"], namespace=ns, invalid_since=invalid_since),
    )


def build_cluster(
    cluster: str,
    objects: ClusterObjects,
    coverage: Sequence[CoverageEntry],
    generated_at: datetime | None = None,
) -> Inventory:
    """Build the inventory part of one cluster."""
    with gc_paused():
        return ClusterBuilder(cluster, objects).inventory(coverage, generated_at)
