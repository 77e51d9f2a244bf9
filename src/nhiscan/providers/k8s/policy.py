"""What an RBAC role grants: policy rules, the facts the analysis asks of them (can it create
pods, read secrets, bind roles ...), and ClusterRole aggregation. Follows the Kubernetes RBAC
authorizer: ``*`` matches any verb, group or resource, ``res/sub`` and ``*/sub`` name
subresources, and ``resourceNames`` restrict a grant to those names but can never restrict a
``create`` of a top-level resource (the name is not known when a create is authorised), so such
a rule grants no create at all. Who holds which role is :mod:`nhiscan.providers.k8s.rbac`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RBAC_GROUP = "rbac.authorization.k8s.io"
CLUSTER = "*"
ALL: frozenset[tuple[str, str]] = frozenset({("*", "*")})  # sentinel: not restricted by name

WRITE = ("create", "update", "patch")


@dataclass(frozen=True)
class Need:
    """One permission a fact asks for: any of ``verbs`` on ``group``/``resource[/sub]``;
    ``cluster_only`` for cluster-scoped resources, which only a ClusterRoleBinding reaches."""

    verbs: tuple[str, ...]
    group: str
    resource: str
    sub: str = ""
    cluster_only: bool = False


FACTS: dict[str, tuple[Need, ...]] = {
    "secret_read": (Need(("get", "list", "watch"), "", "secrets"),),
    "pod_create": (Need(("create",), "", "pods"),),
    "workload_create": tuple(
        [Need(WRITE, "apps", r) for r in ("deployments", "daemonsets", "statefulsets", "replicasets")]
        + [Need(WRITE, "batch", r) for r in ("jobs", "cronjobs")]
        + [Need(WRITE, "", "replicationcontrollers")]
    ),
    "secret_create": (Need(("create",), "", "secrets"),),
    "bind_verb": (Need(("bind",), RBAC_GROUP, "roles"), Need(("bind",), RBAC_GROUP, "clusterroles")),
    "binding_write": (
        Need(WRITE, RBAC_GROUP, "rolebindings"),
        Need(WRITE, RBAC_GROUP, "clusterrolebindings", cluster_only=True),
    ),
    "escalate_verb": (
        Need(("escalate",), RBAC_GROUP, "roles"),
        Need(("escalate",), RBAC_GROUP, "clusterroles", cluster_only=True),
    ),
    "role_write": (
        Need(WRITE, RBAC_GROUP, "roles"),
        Need(WRITE, RBAC_GROUP, "clusterroles", cluster_only=True),
    ),
    "impersonate": (
        Need(("impersonate",), "", "serviceaccounts"),
        Need(("impersonate",), "", "users", cluster_only=True),
        Need(("impersonate",), "", "groups", cluster_only=True),
        Need(("impersonate",), "authentication.k8s.io", "userextras", cluster_only=True),
        Need(("impersonate",), "authentication.k8s.io", "uids", cluster_only=True),
    ),
    "token_create": (Need(("create",), "", "serviceaccounts", "token"),),
    "csr_approval": (
        Need(("update", "patch"), "certificates.k8s.io", "certificatesigningrequests", "approval", True),
    ),
    "signer_approve": (Need(("approve",), "certificates.k8s.io", "signers", cluster_only=True),),
    "nodes_proxy": (Need(("get", "create"), "", "nodes", "proxy", True),),
    "webhook_config": (
        Need(WRITE, "admissionregistration.k8s.io", "validatingwebhookconfigurations", cluster_only=True),
        Need(WRITE, "admissionregistration.k8s.io", "mutatingwebhookconfigurations", cluster_only=True),
    ),
    # Not cluster_only: a RoleBinding reaches its own namespace's Namespace object.
    "namespace_patch": (Need(("update", "patch"), "", "namespaces"),),
}


@dataclass(frozen=True)
class PolicyRule:
    verbs: frozenset[str]
    api_groups: frozenset[str]
    resources: frozenset[str]
    resource_names: frozenset[str]
    non_resource_urls: frozenset[str]

    @classmethod
    def from_dict(cls, d: Mapping[str, Sequence[str]]) -> PolicyRule:
        return cls(
            frozenset(d.get("verbs", ())),
            frozenset(d.get("apiGroups", ())),
            frozenset(d.get("resources", ())),
            frozenset(d.get("resourceNames", ())),
            frozenset(d.get("nonResourceURLs", ())),
        )

    @property
    def has_wildcard(self) -> bool:
        return (
            "*" in self.verbs
            or "*" in self.api_groups
            or "*" in self.resources
            or "*" in self.non_resource_urls
        )

    @property
    def is_full_wildcard(self) -> bool:
        return (
            "*" in self.verbs and "*" in self.api_groups and "*" in self.resources and not self.resource_names
        )

    def reach(self, need: Need) -> frozenset[tuple[str, str]] | None:
        """ALL, the (resource, name) pairs this rule grants ``need`` for, or None."""
        if not self.resources:
            return None
        if "*" not in self.verbs and not any(v in self.verbs for v in need.verbs):
            return None
        if "*" not in self.api_groups and need.group not in self.api_groups:
            return None
        combined = f"{need.resource}/{need.sub}" if need.sub else need.resource
        if not (
            "*" in self.resources
            or combined in self.resources
            or (need.sub and f"*/{need.sub}" in self.resources)
        ):
            return None
        if not self.resource_names:
            return ALL
        usable = [v for v in need.verbs if "*" in self.verbs or v in self.verbs]
        if not need.sub and all(v == "create" for v in usable):
            return None  # a create cannot be restricted by name, so this rule never allows it
        return frozenset((need.resource, n) for n in self.resource_names)

    def describe_resources(self) -> tuple[str, ...]:
        out: list[str] = []
        for group in sorted(self.api_groups) or ["core"]:
            g = group or "core"
            for res in sorted(self.resources):
                if self.resource_names:
                    out.extend(f"{g}/{res}:{n}" for n in sorted(self.resource_names))
                else:
                    out.append(f"{g}/{res}")
        out.extend(sorted(self.non_resource_urls))
        return tuple(out)


#: Bootstrap ClusterRoles every cluster has, used when an export or manifest binds one without
#: including it (install manifests bind cluster-admin but never define it).
BOOTSTRAP_CLUSTER_ROLES: dict[str, tuple[PolicyRule, ...]] = {
    "cluster-admin": (
        PolicyRule(frozenset("*"), frozenset("*"), frozenset("*"), frozenset(), frozenset()),
        PolicyRule(frozenset("*"), frozenset(), frozenset(), frozenset(), frozenset("*")),
    ),
}


def union_reach(a: frozenset[tuple[str, str]] | None, b: frozenset[tuple[str, str]] | None) -> Any:
    """Two reaches together: ALL absorbs everything, None is nothing."""
    if a is None:
        return b
    if b is None:
        return a
    if a is ALL or b is ALL:
        return ALL
    return a | b


@dataclass(frozen=True)
class RoleFacts:
    """What one role grants when bound at cluster or namespace scope."""

    facts: Mapping[str, frozenset[tuple[str, str]]]
    wildcard: bool
    full_wildcard: bool
    rule_count: int


def role_facts(rules: Sequence[PolicyRule], cluster_wide: bool) -> RoleFacts:
    """Which :data:`FACTS` a role's rules grant, bound cluster-wide or in a namespace."""
    facts: dict[str, Any] = {}
    for name, needs in FACTS.items():
        reach = None
        for need in needs:
            if need.cluster_only and not cluster_wide:
                continue
            for rule in rules:
                reach = union_reach(reach, rule.reach(need))
                if reach is ALL:
                    break
            if reach is ALL:
                break
        if reach:
            facts[name] = reach
    return RoleFacts(
        facts=facts,
        wildcard=any(r.has_wildcard for r in rules),
        full_wildcard=any(r.is_full_wildcard for r in rules),
        rule_count=len(rules),
    )


def aggregate(cluster_roles: list[Mapping[str, Any]]) -> dict[str, tuple[PolicyRule, ...]]:
    """ClusterRole name -> effective rules, with aggregation applied transitively."""
    own: dict[str, list[dict[str, Any]]] = {}
    labels: dict[str, Mapping[str, str]] = {}
    selectors: dict[str, list[Mapping[str, Any]]] = {}
    for cr in cluster_roles:
        name = cr["metadata"]["name"]
        own[name] = list(cr.get("rules", ()))
        labels[name] = cr["metadata"].get("labels") or {}
        agg = cr.get("aggregationRule")
        if agg:
            selectors[name] = [s for s in agg.get("clusterRoleSelectors", ()) if isinstance(s, Mapping)]

    resolved: dict[str, list[dict[str, Any]]] = {}

    def resolve(name: str, stack: frozenset[str]) -> list[dict[str, Any]]:
        if name in resolved:
            return resolved[name]
        rules = list(own.get(name, ()))
        if name not in selectors:
            return rules
        for other in own:
            if other == name or other in stack:
                continue
            if any(selector_matches(sel, labels[other]) for sel in selectors.get(name, ())):
                for r in resolve(other, stack | {name}):
                    if r not in rules:
                        rules.append(r)
        if not stack:
            resolved[name] = rules
        return rules

    return {n: tuple(PolicyRule.from_dict(r) for r in resolve(n, frozenset())) for n in own}


def selector_matches(sel: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    match = sel.get("matchLabels") or {}
    exprs = sel.get("matchExpressions") or []
    if not match and not exprs:
        return False  # an empty selector in aggregationRule selects nothing
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for e in exprs:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
