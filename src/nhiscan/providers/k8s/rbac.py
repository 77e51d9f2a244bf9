"""Effective RBAC per ServiceAccount, and the classes rules read.

The analysis follows the Kubernetes RBAC authorizer rather than pattern-matching role text:

* A subject reaches a role through a RoleBinding (scope: the binding's namespace, also when the
  role is a ClusterRole) or a ClusterRoleBinding (scope ``*``). A ServiceAccount is reached as
  ``ServiceAccount`` subject, as ``User system:serviceaccount:NS:NAME``, and through the groups
  ``system:serviceaccounts``, ``system:serviceaccounts:NS`` and ``system:authenticated``.
* Aggregated ClusterRoles get the rules of every ClusterRole their selectors match (transitively),
  so an export taken before the aggregation controller ran is still read correctly.
* A rule matches when verb, API group and resource match (``*`` for any; ``res/sub`` and ``*/sub``
  for subresources). ``resourceNames`` restrict the grant to those names and can never restrict a
  ``create`` of a top-level resource (the name is not known when a create is authorised), so such a
  rule grants no create at all.
* Rules on cluster-scoped resources (nodes, CSRs, webhook configurations, ClusterRoles, users,
  groups) only take effect through a ClusterRoleBinding; the one exception is a namespace's own
  Namespace object, which a RoleBinding in that namespace does reach.

Escalation primitives (``identity.k8s.escalation_primitives``, see
:class:`~nhiscan.providers.k8s.facts.EscalationPrimitive`):

``bind``            bind on roles/clusterroles *and* create/update/patch of role bindings in a
                    compatible scope (Kubernetes checks ``bind`` on the referenced role, not on the
                    binding); restricted ``resourceNames`` count only when a named role is privileged.
``escalate``        escalate on roles/clusterroles *and* create/update/patch of those roles; escalate
                    alone grants nothing.
``impersonate``     impersonate users, groups, serviceaccounts, userextras or uids; restricted names
                    count only when a named target is privileged (``system:masters``, an admin SA,
                    an SA that can run pods in kube-system: see ``_privileged``).
``token_create``    create serviceaccounts/token; restricted names as for impersonate.
``pod_create``      create pods.
``workload_create`` create/update/patch any pod controller, in ``apps``, ``batch`` or core.
``secret_create``   create secrets (mints a legacy token Secret for any SA in the namespace).
``csr_approve``     update certificatesigningrequests/approval *and* approve on a signer that issues
                    client certificates.
``nodes_proxy``     get or create nodes/proxy (kubelet API, including exec).
``webhook_config``  create/update/patch validating or mutating webhook configurations.
``namespace_patch`` update/patch namespaces (a RoleBinding reaches the namespace's own object, which
                    is enough to relax its Pod Security labels).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nhiscan.facts import PermissionClass
from nhiscan.model import Grant
from nhiscan.providers.k8s.facts import EscalationPrimitive, EscalationScope
from nhiscan.providers.k8s.policy import (
    ALL,
    BOOTSTRAP_CLUSTER_ROLES,
    CLUSTER,
    PolicyRule,
    RoleFacts,
    aggregate,
    role_facts,
)

CRITICAL_PRIMITIVES = ("bind", "escalate", "impersonate", "token_create")
#: Every primitive, in the order they are listed (the enum's order).
PRIMITIVES = tuple(p.value for p in EscalationPrimitive)
#: Primitives that one unrestricted permission gives (see the module docstring).
SIMPLE_PRIMITIVES = (
    "pod_create",
    "workload_create",
    "secret_create",
    "nodes_proxy",
    "webhook_config",
    "namespace_patch",
)  #: Bootstrap discovery roles every authenticated subject holds; they say nothing about need.
DISCOVERY_ROLES = frozenset({"system:basic-user", "system:discovery", "system:public-info-viewer"})
PRIVILEGED_ROLE_NAMES = frozenset({"cluster-admin", "admin", "edit"})
PRIVILEGED_GROUPS = frozenset({"system:masters"})
PRIVILEGED_USERS = frozenset({"system:admin", "kubernetes-admin"})
CLIENT_SIGNERS = frozenset({"kubernetes.io/kube-apiserver-client", "kubernetes.io/*", "*"})


@dataclass(frozen=True)
class BindingRef:
    """One binding reaching a subject, resolved to its role."""

    binding_kind: str  # RoleBinding | ClusterRoleBinding
    binding_ns: str | None
    binding_name: str
    role_kind: str
    role_name: str
    scope: str  # namespace, or "*" for cluster-wide
    rules: tuple[PolicyRule, ...]
    resolved: bool  # False when the referenced role does not exist
    binding: str = ""  # "RoleBinding/<ns>/<name>" or "ClusterRoleBinding/<name>"
    source: str = ""  # "<binding> -> <ClusterRole|Role>/<name>"


@dataclass
class SubjectAnalysis:
    """Effective RBAC of one ServiceAccount."""

    grants: tuple[Grant, ...] = ()
    classes: tuple[str, ...] = ()
    reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    primitives: tuple[str, ...] = ()
    secret_read_scope: str = "none"
    bound_to_cluster_admin: bool = False
    cluster_admin_scope: str | None = None
    rule_count: int = 0
    direct_bindings: tuple[str, ...] = ()
    scopes: dict[str, set[str]] = field(default_factory=dict)  # primitive -> namespaces or "*"
    # restricted grants waiting for phase 2: (primitive, scope, targets, source)
    pending: list[tuple[str, str, frozenset[tuple[str, str]], str]] = field(default_factory=list)


#: one reached grant of a fact: (scope, reach, binding source)
Found = tuple[str, frozenset[tuple[str, str]], str]


class Tally:
    """What the bindings reaching one subject add up to, while phase 1 of the analysis runs:
    reasons per class, facts per scope, primitives found (and the restricted ones left for
    phase 2 in ``out.pending``)."""

    def __init__(self, out: SubjectAnalysis) -> None:
        self.out = out
        self.reasons: dict[str, list[str]] = {}
        self.found: dict[str, list[Found]] = {}  # fact name -> grants of it
        self.prims: dict[str, list[str]] = {}  # primitive -> binding sources
        self.rule_count = 0

    def reason(self, cls: str, source: str) -> None:
        lst = self.reasons.setdefault(cls, [])
        if source not in lst:
            lst.append(source)

    def prim(self, p: str, src: str, scope: str) -> None:
        lst = self.prims.setdefault(p, [])
        if src not in lst:
            lst.append(src)
        self.out.scopes.setdefault(p, set()).add(scope)

    def binding(self, b: BindingRef, facts: RoleFacts) -> None:
        """One resolved binding: admin and wildcard reasons, and the facts its role grants."""
        out, src = self.out, b.source
        if b.role_name not in DISCOVERY_ROLES:
            self.rule_count += len(b.rules)
        is_cluster_admin = b.role_kind == "ClusterRole" and b.role_name == "cluster-admin"
        if is_cluster_admin:
            out.bound_to_cluster_admin = True
            if b.scope == CLUSTER or out.cluster_admin_scope is None:
                out.cluster_admin_scope = "cluster" if b.scope == CLUSTER else "namespace"
        if b.scope == CLUSTER and (facts.full_wildcard or is_cluster_admin):
            self.reason("admin", src)
        elif facts.full_wildcard:
            self.reason("k8s_namespace_admin", src)
        if facts.wildcard:
            self.reason("wildcard", src)
        for fact, reach in facts.facts.items():
            self.found.setdefault(fact, []).append((b.scope, reach, src))

    def secret_read(self) -> None:
        """Unrestricted get/list/watch on secrets, and the widest scope it holds in."""
        for scope, reach, src in self.found.get("secret_read", ()):
            if reach is ALL:
                self.reason("secret_read", src)
                if scope == CLUSTER:
                    self.out.secret_read_scope = "cluster"
                elif self.out.secret_read_scope != "cluster":
                    self.out.secret_read_scope = "namespace"

    def simple_primitives(self) -> None:
        """Primitives one permission gives; impersonate and token_create restricted by name wait
        for phase 2 (they count when a named target is privileged)."""
        for simple in SIMPLE_PRIMITIVES:
            for scope, reach, src in self.found.get(simple, ()):
                # a namespace's own object is named, and that is the one that matters
                if reach is ALL or simple == "namespace_patch":
                    self.prim(simple, src, scope)
        for p in ("impersonate", "token_create"):
            for scope, reach, src in self.found.get(p, ()):
                if reach is ALL:
                    self.prim(p, src, scope)
                else:
                    self.out.pending.append((p, scope, reach, src))

    def pair_primitives(self) -> None:
        """bind / escalate need two permissions in compatible scopes."""
        for p, verb_fact, write_fact in (
            ("bind", "bind_verb", "binding_write"),
            ("escalate", "escalate_verb", "role_write"),
        ):
            for s1, reach1, src1 in self.found.get(verb_fact, ()):
                for s2, reach2, src2 in self.found.get(write_fact, ()):
                    if not (s1 == CLUSTER or s2 == CLUSTER or s1 == s2):
                        continue
                    if p == "bind" and reach2 is not ALL:
                        continue
                    scope = s2 if s1 == CLUSTER else s1
                    if reach1 is ALL and (p == "bind" or reach2 is ALL):
                        self.prim(p, src1, scope)
                        self.prim(p, src2, scope)
                    else:
                        targets = reach1 if reach2 is ALL else (reach2 if reach1 is ALL else reach1 & reach2)
                        if targets:
                            self.out.pending.append((p, scope, frozenset(targets), f"{src1}; {src2}"))

    def csr_primitive(self) -> None:
        """Approving CSRs cluster-wide counts with approve on a signer of client certificates."""
        for s1, _r, src1 in self.found.get("csr_approval", ()):
            for _s2, reach2, src2 in self.found.get("signer_approve", ()):
                if s1 == CLUSTER and (reach2 is ALL or any(n in CLIENT_SIGNERS for _, n in reach2)):
                    self.prim("csr_approve", src1, CLUSTER)
                    self.prim("csr_approve", src2, CLUSTER)


class RbacIndex:
    """Roles and bindings of one cluster, indexed by subject."""

    def __init__(
        self,
        roles: Iterable[Mapping[str, Any]],
        cluster_roles: Iterable[Mapping[str, Any]],
        role_bindings: Iterable[Mapping[str, Any]],
        cluster_role_bindings: Iterable[Mapping[str, Any]],
    ) -> None:
        self.roles: dict[tuple[str, str], tuple[PolicyRule, ...]] = {}
        for r in roles:
            m = r["metadata"]
            self.roles[(m["namespace"], m["name"])] = tuple(
                PolicyRule.from_dict(x) for x in r.get("rules", ())
            )
        self.cluster_roles = aggregate(list(cluster_roles))
        self.by_sa: dict[tuple[str, str], list[BindingRef]] = {}
        self.by_group: dict[str, list[BindingRef]] = {}
        self._facts: dict[tuple[str, str, str, bool], RoleFacts] = {}
        self._group_only: dict[str, SubjectAnalysis] = {}
        # keyed by id(): BindingRefs live as long as the index, and hashing their rules is slow
        self._grants: dict[tuple[int, str | None], tuple[Grant, ...]] = {}
        for b in role_bindings:
            self._index(b, "RoleBinding")
        for b in cluster_role_bindings:
            self._index(b, "ClusterRoleBinding")

    def _index(self, b: Mapping[str, Any], kind: str) -> None:
        m = b["metadata"]
        ns = m.get("namespace") if kind == "RoleBinding" else None
        ref = b["roleRef"]
        role_kind, role_name = ref["kind"], ref["name"]
        rules: tuple[PolicyRule, ...] | None
        if role_kind == "ClusterRole":
            rules = self.cluster_roles.get(role_name, BOOTSTRAP_CLUSTER_ROLES.get(role_name))
        elif role_kind == "Role" and ns is not None:
            rules = self.roles.get((ns, role_name))
        else:
            rules = None  # a ClusterRoleBinding cannot reference a Role: the API rejects it
        binding = BindingRef(
            binding_kind=kind,
            binding_ns=ns,
            binding_name=m["name"],
            role_kind=role_kind,
            role_name=role_name,
            scope=ns if ns is not None else CLUSTER,
            rules=rules or (),
            resolved=rules is not None,
            binding=(
                f"RoleBinding/{ns}/{m['name']}"
                if kind == "RoleBinding"
                else f"ClusterRoleBinding/{m['name']}"
            ),
            source=(
                (
                    f"RoleBinding/{ns}/{m['name']}"
                    if kind == "RoleBinding"
                    else f"ClusterRoleBinding/{m['name']}"
                )
                + f" -> {role_kind}/{role_name}"
            ),
        )
        seen: set[tuple[str, str]] = set()
        for s in b.get("subjects", ()):
            skind, sname = s.get("kind"), s.get("name", "")
            if skind == "ServiceAccount":
                key = ("sa", f"{s.get('namespace') or ns or 'default'}/{sname}")
            elif skind == "User" and sname.startswith("system:serviceaccount:") and sname.count(":") == 3:
                _, _, sa_ns, sa_name = sname.split(":")
                key = ("sa", f"{sa_ns}/{sa_name}")
            elif skind == "Group":
                key = ("group", sname)
            else:
                continue
            if key in seen:
                continue
            seen.add(key)
            if key[0] == "sa":
                sa_ns, _, sa_name = key[1].partition("/")
                self.by_sa.setdefault((sa_ns, sa_name), []).append(binding)
            else:
                self.by_group.setdefault(key[1], []).append(binding)

    def facts_for(self, b: BindingRef) -> RoleFacts:
        ns = (b.binding_ns or "") if b.role_kind == "Role" else ""
        key = (b.role_kind, ns, b.role_name, b.scope == CLUSTER)
        cached = self._facts.get(key)
        if cached is None:
            cached = role_facts(b.rules, b.scope == CLUSTER)
            self._facts[key] = cached
        return cached

    def grants_for(self, b: BindingRef, via: str | None) -> tuple[Grant, ...]:
        cached = self._grants.get((id(b), via))
        if cached is None:
            role = b.role_name
            cached = tuple(
                Grant(
                    source=b.source,
                    kind="role_binding",
                    actions=tuple(sorted(r.verbs)),
                    resources=r.describe_resources(),
                    via=via,
                    role=role,
                    scope=b.scope,
                )
                for r in b.rules
            )
            self._grants[(id(b), via)] = cached
        return cached

    def role_is_privileged(self, resource: str, name: str, scope: str) -> bool:
        if resource == "clusterroles":
            if name in PRIVILEGED_ROLE_NAMES:
                return True
            rules = self.cluster_roles.get(name)
        else:
            if scope == CLUSTER:
                return any(
                    self._rules_privileged(rules) for (ns, n), rules in self.roles.items() if n == name
                )
            rules = self.roles.get((scope, name))
        return rules is not None and self._rules_privileged(rules)

    @staticmethod
    def _rules_privileged(rules: Sequence[PolicyRule]) -> bool:
        f = role_facts(rules, True)
        return f.full_wildcard or any(
            k in f.facts for k in ("bind_verb", "escalate_verb", "impersonate", "token_create")
        )

    def analyse_shared(self, namespace: str, name: str) -> SubjectAnalysis:
        """Like :meth:`analyse`, but every ServiceAccount that no binding names directly shares
        one analysis per namespace: its rights come only from its groups. Most accounts of a
        large cluster are like that, so this saves most of the work."""
        if (namespace, name) in self.by_sa:
            return self.analyse(namespace, name)
        shared = self._group_only.get(namespace)
        if shared is None:
            shared = self._group_only[namespace] = self.analyse(namespace, name)
        return shared

    def analyse(self, namespace: str, name: str) -> SubjectAnalysis:
        """Phase 1 for one ServiceAccount: everything except name-restricted primitives."""
        direct = self.by_sa.get((namespace, name), [])
        reached: list[tuple[BindingRef, str | None]] = [(b, None) for b in direct]
        for group in (
            "system:serviceaccounts",
            f"system:serviceaccounts:{namespace}",
            "system:authenticated",
        ):
            reached.extend((b, group) for b in self.by_group.get(group, ()))
        out = SubjectAnalysis(direct_bindings=tuple(sorted({b.binding for b in direct})))
        tally = Tally(out)
        grants: list[Grant] = []
        for b, via in reached:
            if not b.resolved:
                continue
            grants.extend(self.grants_for(b, via))
            tally.binding(b, self.facts_for(b))
        tally.secret_read()
        tally.simple_primitives()
        tally.pair_primitives()
        tally.csr_primitive()
        for p, srcs in tally.prims.items():
            for src in srcs:
                tally.reason(f"k8s_{p}", src)
        out.grants = tuple(grants)
        out.rule_count = tally.rule_count
        out.reasons = {k: tuple(v) for k, v in tally.reasons.items()}
        out.primitives = tuple(p for p in PRIMITIVES if p in tally.prims)
        return out

    def resolve_pending(
        self, sa: tuple[str, str], a: SubjectAnalysis, results: Mapping[tuple[str, str], SubjectAnalysis]
    ) -> None:
        """Phase 2: a name-restricted primitive counts when a named target is privileged."""
        added: dict[str, list[str]] = {}
        for p, scope, targets, src in a.pending:
            hit = False
            for resource, target in targets:
                if p in ("bind", "escalate"):
                    if resource in ("roles", "clusterroles") and (
                        self.role_is_privileged(resource, target, scope)
                        or (p == "escalate" and self._bound_to(sa, resource, target))
                    ):
                        hit = True
                elif resource == "groups":
                    hit = target in PRIVILEGED_GROUPS
                elif resource == "users":
                    if target in PRIVILEGED_USERS:
                        hit = True
                    elif target.startswith("system:serviceaccount:") and target.count(":") == 3:
                        _, _, tns, tname = target.split(":")
                        hit = _privileged(results.get((tns, tname)))
                elif resource == "serviceaccounts":
                    if scope == CLUSTER:
                        hit = any(_privileged(r) for (_ns, n), r in results.items() if n == target)
                    else:
                        hit = _privileged(results.get((scope, target)))
                if hit:
                    break
            if hit:
                added.setdefault(p, []).append(src)
                a.scopes.setdefault(p, set()).add(scope)
        if not added:
            return
        reasons = dict(a.reasons)
        for p, srcs in added.items():
            reasons[f"k8s_{p}"] = tuple(dict.fromkeys(list(reasons.get(f"k8s_{p}", ())) + srcs))
        a.reasons = reasons
        a.primitives = tuple(p for p in PRIMITIVES if p in set(a.primitives) | set(added))

    def _bound_to(self, sa: tuple[str, str], resource: str, name: str) -> bool:
        kind = "ClusterRole" if resource == "clusterroles" else "Role"
        return any(b.role_kind == kind and b.role_name == name for b in self.by_sa.get(sa, ()))


#: Running a pod in these scopes runs it as their (typically powerful) service accounts.
PRIVILEGED_POD_SCOPES = frozenset({CLUSTER, "kube-system"})


def _privileged(a: SubjectAnalysis | None) -> bool:
    """A target worth becoming: admin, a cluster-wide secret reader, a holder of a critical
    primitive, or an account that can run pods cluster-wide or in kube-system."""
    if a is None:
        return False
    return (
        "admin" in a.reasons
        or a.secret_read_scope == "cluster"
        or any(p in a.primitives for p in CRITICAL_PRIMITIVES)
        or any(
            PRIVILEGED_POD_SCOPES & a.scopes.get(p, set())
            for p in ("pod_create", "workload_create", "secret_create")
        )
    )


def escalation_scopes(a: SubjectAnalysis) -> tuple[EscalationScope, ...]:
    """Where each primitive applies: ``("*",)`` cluster-wide, else the namespaces."""
    return tuple(
        EscalationScope(
            EscalationPrimitive(p),
            (CLUSTER,) if CLUSTER in a.scopes.get(p, ()) else tuple(sorted(a.scopes.get(p, ()))),
        )
        for p in a.primitives
    )


#: The permission classes an analysis yields, in the order they are listed: the neutral ones,
#: then one ``k8s_<primitive>`` per escalation primitive (:class:`~nhiscan.facts.PermissionClass`
#: keeps them while rules move to ``identity.k8s.escalation_primitives``; the agent rules still
#: list them through the classes of the account an agent runs as). ``k8s_namespace_admin`` is no
#: class: its reasons become ``identity.k8s.namespace_admin_via``.
CLASS_ORDER = (
    PermissionClass.ADMIN.value,
    PermissionClass.CAN_ESCALATE.value,
    PermissionClass.SECRET_READ.value,
    PermissionClass.WILDCARD.value,
    *(PermissionClass(f"k8s_{p}").value for p in PRIMITIVES),
)


def finish_classes(a: SubjectAnalysis) -> None:
    """Derive ``classes`` from ``reasons`` once both phases are done."""
    if a.primitives and "can_escalate" not in a.reasons:
        srcs: list[str] = []
        for p in a.primitives:
            srcs.extend(a.reasons.get(f"k8s_{p}", ()))
        a.reasons = {**a.reasons, "can_escalate": tuple(dict.fromkeys(srcs))}
    a.classes = tuple(c for c in CLASS_ORDER if c in a.reasons)
    a.pending = []
