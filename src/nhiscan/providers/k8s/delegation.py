"""Kubernetes delegation edges derived from each ServiceAccount's effective RBAC.

Input: ``k8s.service_account`` identities whose ``permissions.grants`` are RBAC rules as the
Kubernetes provider stores them (``actions`` = verbs, ``resources`` = ``<apiGroup>/<resource>``
or ``<apiGroup>/<resource>:<resourceName>``, ``scope`` = the namespace a RoleBinding applies in or
``*`` for a ClusterRoleBinding) and :class:`~nhiscan.providers.k8s.facts.K8sIdentityFacts`
``cluster``, ``namespace``, ``pods`` and ``escalation_primitives`` (a primitive missing from that
list is not used: the provider already decided that name-restricted grants do not reach anything
privileged; an identity without facts, e.g. from a hand-written inventory, uses every grant).

Edges (src can act as dst):

``k8s.pod_create`` / ``k8s.workload_create``
    create pods (or create/update/patch a pod controller) in a namespace: run a pod as any
    ServiceAccount of that namespace (every namespace for a cluster-wide grant).
``k8s.token_create``
    create ``serviceaccounts/token``: mint a token for the SAs in scope (or the named ones).
``k8s.secret_token``
    create secrets: a ``kubernetes.io/service-account-token`` Secret for any SA in the namespace.
``k8s.impersonate``
    impersonate ``serviceaccounts`` (or ``users`` named ``system:serviceaccount:NS:NAME``); an
    unrestricted impersonation of users or groups cluster-wide reaches ``system:masters``, an
    edge to the cluster's admin sink.
``k8s.bind_escalate``
    the ``bind`` or ``escalate`` primitive cluster-wide: grant itself cluster-admin (admin sink);
    in a namespace: become namespace admin, so every SA of that namespace.
``k8s.csr_approve``
    approve client certificates: issue a ``system:masters`` certificate (admin sink).
``k8s.nodes_proxy``
    the kubelet API on every node: exec into any running pod (SAs that have pods).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from nhiscan.model import Edge, Evidence, Grant, Identity
from nhiscan.providers.interface import Delegation
from nhiscan.providers.k8s.facts import K8sEdgeFacts, K8sIdentityFacts

SA_KIND = "k8s.service_account"
RBAC = ("rbac.authorization.k8s.io",)
WORKLOAD_RESOURCES = (
    "deployments",
    "daemonsets",
    "statefulsets",
    "replicasets",
    "jobs",
    "cronjobs",
    "replicationcontrollers",
)


@dataclass(frozen=True)
class _Res:
    group: str
    resource: str
    name: str | None


def _parse(resource: str) -> _Res | None:
    if resource.startswith("/"):
        return None
    group, _, rest = resource.partition("/")
    if not rest:
        return None
    res, _, name = rest.partition(":")
    return _Res(group or "core", res, name or None)


def _verb(grant: Grant, verbs: Sequence[str]) -> bool:
    return "*" in grant.actions or any(v in grant.actions for v in verbs)


def _res_match(r: _Res, groups: Sequence[str], resource: str) -> bool:
    return (r.group == "*" or r.group in groups) and (r.resource == "*" or r.resource == resource)


class K8sEdges(Delegation):
    """Delegation edges of every ServiceAccount of the inventory, cluster by cluster."""

    def __init__(self, identities: Sequence[Identity], sink_of: Callable[[Identity], str]) -> None:
        self.sas = [i for i in identities if i.kind == SA_KIND]
        self.sink_of = sink_of
        self.by_ns: dict[tuple[str, str], list[Identity]] = {}
        self.by_cluster: dict[str, list[Identity]] = {}
        self.by_name: dict[tuple[str, str, str], Identity] = {}
        for sa in self.sas:
            cluster, ns = _where(sa)
            self.by_ns.setdefault((cluster, ns), []).append(sa)
            self.by_cluster.setdefault(cluster, []).append(sa)
            self.by_name[(cluster, ns, sa.name.split("/", 1)[-1])] = sa

    def in_scope(self, cluster: str, scope: str | None) -> list[Identity]:
        """The ServiceAccounts a grant at ``scope`` reaches: a namespace's, or all (``*``)."""
        if scope in (None, "*"):
            return self.by_cluster.get(cluster, [])
        return self.by_ns.get((cluster, scope), [])

    def edges(self) -> list[Edge]:
        out: list[Edge] = []
        for sa in self.sas:
            out.extend(AccountEdges(self, sa).edges())
        return out


def named(in_scope: list[Identity], name: str | None) -> list[Identity]:
    """The accounts in scope a name-restricted grant names (all of them when unrestricted)."""
    if name is None:
        return in_scope
    return [t for t in in_scope if t.name.split("/", 1)[-1] == name]


class AccountEdges:
    """The edges leaving one ServiceAccount, one method per primitive, deduplicated by
    (destination, kind): the first grant found is the evidence."""

    def __init__(self, graph: K8sEdges, sa: Identity) -> None:
        self.graph, self.sa = graph, sa
        self.cluster = _where(sa)[0]
        facts = sa.facts if isinstance(sa.facts, K8sIdentityFacts) else None
        # the provider's own verdict; None (an identity without facts) lets every grant count
        self.prims = {p.value for p in facts.escalation_primitives} if facts is not None else None
        self.found: dict[tuple[str, str], Edge] = {}

    def allowed(self, p: str) -> bool:
        return self.prims is None or p in self.prims

    def to(self, targets: Iterable[Identity], kind: str, grant: Grant, what: str) -> None:
        for t in targets:
            if t.id != self.sa.id and (t.id, kind) not in self.found:
                self.found[(t.id, kind)] = _edge(self.sa.id, t.id, kind, grant, what)

    def to_sink(self, kind: str, grant: Grant, what: str) -> None:
        sink = self.graph.sink_of(self.sa)
        self.found.setdefault((sink, kind), _edge(self.sa.id, sink, kind, grant, what))

    def edges(self) -> Iterable[Edge]:
        sa = self.sa
        if "admin" in sa.permissions.classes:
            reasons = sa.permissions.reasons.get("admin", ())
            sink = self.graph.sink_of(sa)
            admin = Edge(
                src=sa.id,
                dst=sink,
                kind="admin",
                evidence=(Evidence("rbac", "cluster admin: " + ", ".join(reasons[:3])),),
            )
            return [admin]  # an admin can become anyone: no edges beyond its sink
        for g in sa.permissions.grants:
            if g.effect == "deny":
                continue
            for raw in g.resources:
                r = _parse(raw)
                if r is not None:
                    self.grant(g, r, g.scope or "*")
        return self.found.values()

    def grant(self, g: Grant, r: _Res, scope: str) -> None:
        """The edges one resource of one grant gives."""
        in_scope = self.graph.in_scope(self.cluster, scope)
        if self.allowed("pod_create") and _verb(g, ("create",)) and _res_match(r, ("core",), "pods"):
            self.to(in_scope, "k8s.pod_create", g, "create pods")
        if (
            self.allowed("workload_create")
            and _verb(g, ("create", "update", "patch"))
            and any(_res_match(r, ("apps", "batch", "core"), w) for w in WORKLOAD_RESOURCES)
        ):
            self.to(in_scope, "k8s.workload_create", g, f"create/update {r.resource}")
        if (
            self.allowed("token_create")
            and _verb(g, ("create",))
            and _res_match(r, ("core",), "serviceaccounts/token")
        ):
            self.to(named(in_scope, r.name), "k8s.token_create", g, "create serviceaccounts/token")
        if self.allowed("secret_create") and _verb(g, ("create",)) and _res_match(r, ("core",), "secrets"):
            self.to(in_scope, "k8s.secret_token", g, "create a service-account-token Secret")
        if self.allowed("impersonate") and _verb(g, ("impersonate",)):
            self.impersonate(g, r, scope, in_scope)
        if (
            (self.allowed("bind") or self.allowed("escalate"))
            and _verb(g, ("bind", "escalate"))
            and (_res_match(r, RBAC, "clusterroles") or _res_match(r, RBAC, "roles"))
        ):
            if scope == "*":
                self.to_sink("k8s.bind_escalate", g, f"bind/escalate {r.resource}")
            else:
                self.to(in_scope, "k8s.bind_escalate", g, f"bind/escalate {r.resource} in {scope}")
        if scope == "*":
            self.cluster_wide(g, r)

    def impersonate(self, g: Grant, r: _Res, scope: str, in_scope: list[Identity]) -> None:
        """Impersonating an account (or its user name) acts as it; impersonating any user or
        group, or the admin ones, cluster-wide reaches ``system:masters``."""
        if _res_match(r, ("core",), "serviceaccounts"):
            self.to(named(in_scope, r.name), "k8s.impersonate", g, "impersonate serviceaccounts")
        elif _res_match(r, ("core",), "users") and r.name and r.name.startswith("system:serviceaccount:"):
            parts = r.name.split(":")
            target = self.graph.by_name.get((self.cluster, parts[2], parts[3])) if len(parts) == 4 else None
            if target is not None:
                self.to([target], "k8s.impersonate", g, f"impersonate user {r.name}")
        elif (
            scope == "*"
            and (_res_match(r, ("core",), "groups") or _res_match(r, ("core",), "users"))
            and (r.name is None or r.name in ("system:masters", "system:admin", "kubernetes-admin"))
        ):
            self.to_sink("k8s.impersonate", g, f"impersonate {r.resource} {r.name or '*'}")

    def cluster_wide(self, g: Grant, r: _Res) -> None:
        """Primitives only a ClusterRoleBinding gives: approving client certificates, and the
        kubelet API through nodes/proxy (exec into the pods of every account that has one)."""
        if (
            self.prims is not None
            and "csr_approve" in self.prims
            and _verb(g, ("update", "patch"))
            and _res_match(r, ("certificates.k8s.io",), "certificatesigningrequests/approval")
        ):
            self.to_sink("k8s.csr_approve", g, "approve client certificate requests")
        if (
            self.allowed("nodes_proxy")
            and _verb(g, ("get", "create"))
            and _res_match(r, ("core",), "nodes/proxy")
        ):
            running = [
                t
                for t in self.graph.by_cluster.get(self.cluster, [])
                if isinstance(t.facts, K8sIdentityFacts) and t.facts.pods > 0
            ]
            self.to(running, "k8s.nodes_proxy", g, "nodes/proxy (kubelet exec into pods)")


def _where(sa: Identity) -> tuple[str, str]:
    """(cluster, namespace) of an account: its facts, else its id
    (``k8s://<cluster>/ns/<namespace>/serviceaccount/<name>``)."""
    if isinstance(sa.facts, K8sIdentityFacts) and sa.facts.cluster and sa.facts.namespace:
        return sa.facts.cluster, sa.facts.namespace
    parts = sa.id.removeprefix("k8s://").split("/")
    if len(parts) >= 3:
        return parts[0], parts[2]
    return "", ""


def _edge(src: str, dst: str, kind: str, grant: Grant, what: str) -> Edge:
    scope = "cluster-wide" if (grant.scope or "*") == "*" else f"in namespace {grant.scope}"
    return Edge(
        src=src,
        dst=dst,
        kind=kind,
        evidence=(Evidence("rbac", f"{what} {scope} ({grant.source})"),),
        facts=K8sEdgeFacts(derived=True),
    )
