"""Effective RBAC: each escalation primitive positive and negative, resourceNames, binding scope,
aggregation and group subjects, including the known bugs of other tools (delegation.md 5.5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nhiscan.facts import PermissionClass
from nhiscan.model import Identity, Inventory
from nhiscan.providers.k8s.facts import EscalationPrimitive, EscalationScope, Reach
from providers.k8s.k8s_objects import cluster_role, crb, rb, role, rule, sa, subject_group, subject_sa
from providers.k8s.k8s_support import k8s, view

RBAC = ["rbac.authorization.k8s.io"]
SUBJ = subject_sa("app", "ns1")
Objects = list[dict[str, Any]]


def sa_in(inv: Inventory, ns: str = "ns1", name: str = "app") -> Identity:
    matches = [i for i in inv.identities if i.name == f"{ns}/{name}"]
    assert len(matches) == 1
    return matches[0]


def via_crb(*rules: dict[str, Any]) -> Objects:
    return [cluster_role("r", list(rules)), crb("b", "r", [SUBJ])]


def via_rb_clusterrole(*rules: dict[str, Any], ns: str = "ns1") -> Objects:
    return [cluster_role("r", list(rules)), rb("b", ns, "ClusterRole", "r", [SUBJ])]


def via_role(*rules: dict[str, Any]) -> Objects:
    return [role("r", "ns1", list(rules)), rb("b", "ns1", "Role", "r", [SUBJ])]


CASES: list[tuple[str, Objects, str, bool]] = [
    # pod and workload creation
    ("create pods", via_role(rule(["create"], ["pods"])), "pod_create", True),
    ("get pods only", via_role(rule(["get", "list"], ["pods"])), "pod_create", False),
    (
        "create pods with resourceNames never matches",
        via_role(rule(["create"], ["pods"], names=["x"])),
        "pod_create",
        False,
    ),
    ("create pods/exec is not create pods", via_role(rule(["create"], ["pods/exec"])), "pod_create", False),
    (
        "apps deployments create",
        via_role(rule(["create"], ["deployments"], ["apps"])),
        "workload_create",
        True,
    ),
    ("apps deployments patch", via_role(rule(["patch"], ["deployments"], ["apps"])), "workload_create", True),
    (
        "deployments in core group do not exist",
        via_role(rule(["create"], ["deployments"])),
        "workload_create",
        False,
    ),
    ("batch cronjobs", via_role(rule(["create"], ["cronjobs"], ["batch"])), "workload_create", True),
    (
        "apps deployments read",
        via_role(rule(["get", "list", "watch"], ["deployments"], ["apps"])),
        "workload_create",
        False,
    ),
    (
        "wildcard group deployments",
        via_role(rule(["update"], ["deployments"], ["*"])),
        "workload_create",
        True,
    ),
    # bind: Kubernetes checks bind on the referenced role, plus the right to write the binding
    (
        "bind clusterroles + create rolebindings",
        via_crb(rule(["bind"], ["clusterroles"], RBAC), rule(["create"], ["rolebindings"], RBAC)),
        "bind",
        True,
    ),
    (
        "bind on rolebindings is not bind (rbac-police bug)",
        via_crb(rule(["bind", "create"], ["rolebindings"], RBAC)),
        "bind",
        False,
    ),
    ("bind alone", via_crb(rule(["bind"], ["clusterroles"], RBAC)), "bind", False),
    (
        "bind limited to view",
        via_crb(
            rule(["bind"], ["clusterroles"], RBAC, names=["view"]), rule(["create"], ["rolebindings"], RBAC)
        ),
        "bind",
        False,
    ),
    (
        "bind limited to cluster-admin",
        via_crb(
            rule(["bind"], ["clusterroles"], RBAC, names=["cluster-admin"]),
            rule(["create"], ["rolebindings"], RBAC),
        ),
        "bind",
        True,
    ),
    (
        "bind in ns1, binding writes in ns2",
        [
            cluster_role("binder", [rule(["bind"], ["clusterroles"], RBAC)]),
            cluster_role("writer", [rule(["create"], ["rolebindings"], RBAC)]),
            rb("b1", "ns1", "ClusterRole", "binder", [SUBJ]),
            rb("b2", "ns2", "ClusterRole", "writer", [SUBJ]),
        ],
        "bind",
        False,
    ),
    (
        "bind cluster-wide, binding writes in ns2",
        [
            cluster_role("binder", [rule(["bind"], ["clusterroles"], RBAC)]),
            cluster_role("writer", [rule(["create"], ["rolebindings"], RBAC)]),
            crb("b1", "binder", [SUBJ]),
            rb("b2", "ns2", "ClusterRole", "writer", [SUBJ]),
        ],
        "bind",
        True,
    ),
    # escalate alone is not enough
    ("escalate + update roles", via_role(rule(["escalate", "update"], ["roles"], RBAC)), "escalate", True),
    ("escalate alone", via_role(rule(["escalate"], ["roles"], RBAC)), "escalate", False),
    (
        "escalate clusterroles through a RoleBinding has no effect",
        via_rb_clusterrole(rule(["escalate", "update"], ["clusterroles"], RBAC)),
        "escalate",
        False,
    ),
    (
        "escalate clusterroles cluster-wide",
        via_crb(rule(["escalate", "patch"], ["clusterroles"], RBAC)),
        "escalate",
        True,
    ),
    # impersonate
    ("impersonate users cluster-wide", via_crb(rule(["impersonate"], ["users"])), "impersonate", True),
    (
        "impersonate users via RoleBinding has no effect",
        via_rb_clusterrole(rule(["impersonate"], ["users"])),
        "impersonate",
        False,
    ),
    (
        "impersonate serviceaccounts in namespace",
        via_role(rule(["impersonate"], ["serviceaccounts"])),
        "impersonate",
        True,
    ),
    (
        "impersonate a low-privilege SA only",
        [sa("low", "ns1"), *via_role(rule(["impersonate"], ["serviceaccounts"], names=["low"]))],
        "impersonate",
        False,
    ),
    (
        "impersonate an admin SA",
        [
            sa("boss", "ns1"),
            crb("boss-admin", "cluster-admin", [subject_sa("boss", "ns1")]),
            cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"])]),
            *via_role(rule(["impersonate"], ["serviceaccounts"], names=["boss"])),
        ],
        "impersonate",
        True,
    ),
    (
        "impersonate an SA that can create pods in kube-system (depth 2)",
        [
            sa("runner", "ns1"),
            role("pods", "kube-system", [rule(["create"], ["pods"])]),
            rb("runner", "kube-system", "Role", "pods", [subject_sa("runner", "ns1")]),
            *via_role(rule(["impersonate"], ["serviceaccounts"], names=["runner"])),
        ],
        "impersonate",
        True,
    ),
    (
        "impersonate an SA that can create pods in its own namespace only",
        [
            sa("runner", "ns1"),
            role("pods", "ns1", [rule(["create"], ["pods"])]),
            rb("runner", "ns1", "Role", "pods", [subject_sa("runner", "ns1")]),
            *via_role(rule(["impersonate"], ["serviceaccounts"], names=["runner"])),
        ],
        "impersonate",
        False,
    ),
    (
        "impersonate system:masters",
        via_crb(rule(["impersonate"], ["groups"], names=["system:masters"])),
        "impersonate",
        True,
    ),
    (
        "impersonate a harmless group",
        via_crb(rule(["impersonate"], ["groups"], names=["viewers"])),
        "impersonate",
        False,
    ),
    ("get users is not impersonate", via_crb(rule(["get"], ["users"])), "impersonate", False),
    # token creation
    (
        "create serviceaccounts/token",
        via_role(rule(["create"], ["serviceaccounts/token"])),
        "token_create",
        True,
    ),
    (
        "create serviceaccounts is not token",
        via_role(rule(["create"], ["serviceaccounts"])),
        "token_create",
        False,
    ),
    ("*/token matches", via_role(rule(["create"], ["*/token"])), "token_create", True),
    (
        "serviceaccounts/* is not a valid pattern",
        via_role(rule(["create"], ["serviceaccounts/*"])),
        "token_create",
        False,
    ),
    (
        "token for a low-privilege SA only",
        [sa("low", "ns1"), *via_role(rule(["create"], ["serviceaccounts/token"], names=["low"]))],
        "token_create",
        False,
    ),
    (
        "token for a secret-reading SA",
        [
            sa("sync", "ns1"),
            cluster_role("secrets", [rule(["list"], ["secrets"])]),
            crb("sync", "secrets", [subject_sa("sync", "ns1")]),
            *via_role(rule(["create"], ["serviceaccounts/token"], names=["sync"])),
        ],
        "token_create",
        True,
    ),
    # CSR approval needs the approval subresource and a client signer
    (
        "approve CSRs for client certs",
        via_crb(
            rule(["update"], ["certificatesigningrequests/approval"], ["certificates.k8s.io"]),
            rule(
                ["approve"],
                ["signers"],
                ["certificates.k8s.io"],
                names=["kubernetes.io/kube-apiserver-client"],
            ),
        ),
        "csr_approve",
        True,
    ),
    (
        "CSR approval without signer",
        via_crb(rule(["update"], ["certificatesigningrequests/approval"], ["certificates.k8s.io"])),
        "csr_approve",
        False,
    ),
    (
        "approve kubelet-serving only",
        via_crb(
            rule(["update"], ["certificatesigningrequests/approval"], ["certificates.k8s.io"]),
            rule(["approve"], ["signers"], ["certificates.k8s.io"], names=["kubernetes.io/kubelet-serving"]),
        ),
        "csr_approve",
        False,
    ),
    # node proxy and webhooks are cluster-scoped
    ("get nodes/proxy cluster-wide", via_crb(rule(["get"], ["nodes/proxy"])), "nodes_proxy", True),
    (
        "nodes/proxy via RoleBinding has no effect",
        via_rb_clusterrole(rule(["get"], ["nodes/proxy"])),
        "nodes_proxy",
        False,
    ),
    ("get nodes is not proxy", via_crb(rule(["get"], ["nodes"])), "nodes_proxy", False),
    (
        "create webhook configurations",
        via_crb(rule(["create"], ["mutatingwebhookconfigurations"], ["admissionregistration.k8s.io"])),
        "webhook_config",
        True,
    ),
    (
        "read webhook configurations",
        via_crb(rule(["get", "list"], ["validatingwebhookconfigurations"], ["admissionregistration.k8s.io"])),
        "webhook_config",
        False,
    ),
    # a namespaced */*/* reaches its own Namespace object (kubernetes#134929)
    ("patch namespaces cluster-wide", via_crb(rule(["patch"], ["namespaces"])), "namespace_patch", True),
    (
        "namespaced */*/* patches its own namespace",
        via_role(rule(["*"], ["*"], ["*"])),
        "namespace_patch",
        True,
    ),
    ("get namespaces", via_crb(rule(["get"], ["namespaces"])), "namespace_patch", False),
    ("create secrets", via_role(rule(["create"], ["secrets"])), "secret_create", True),
    ("read secrets is not create", via_role(rule(["get"], ["secrets"])), "secret_create", False),
]


@pytest.mark.parametrize(
    ("objects", "primitive", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_escalation_primitive(
    offline: Callable[..., Inventory], objects: Objects, primitive: str, expected: bool
) -> None:
    ident = sa_in(offline([sa("app", "ns1"), *objects]))
    assert (EscalationPrimitive(primitive) in k8s(ident).escalation_primitives) is expected
    # the primitive is a fact and, while the agent rules list it, a permission class too
    assert (f"k8s_{primitive}" in ident.permissions.classes) is expected
    assert [PermissionClass(c).value for c in ident.permissions.classes] == list(ident.permissions.classes)
    assert ("can_escalate" in ident.permissions.classes) is (bool(k8s(ident).escalation_primitives))
    if expected:
        assert ident.permissions.reasons[f"k8s_{primitive}"], "a class must name the grant behind it"
        assert ident.permissions.reasons["can_escalate"]
        assert any(s.primitive == primitive for s in k8s(ident).escalation_scopes)


def test_cluster_admin_through_cluster_role_binding(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"])]),
        crb("b", "cluster-admin", [SUBJ]),
    ]
    ident = sa_in(offline(objs))
    assert view(ident)["bound_to_cluster_admin"] is True
    assert view(ident)["cluster_admin_scope"] == "cluster"
    assert "admin" in ident.permissions.classes
    assert ident.permissions.reasons["admin"] == ("ClusterRoleBinding/b -> ClusterRole/cluster-admin",)
    assert view(ident)["secret_read_scope"] == "cluster"
    assert set(view(ident)["escalation_primitives"]) >= {
        "bind",
        "escalate",
        "impersonate",
        "token_create",
    }


def test_cluster_admin_through_role_binding_is_namespace_admin(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"])]),
        rb("b", "ns1", "ClusterRole", "cluster-admin", [SUBJ]),
    ]
    ident = sa_in(offline(objs))
    assert view(ident)["bound_to_cluster_admin"] is True
    assert view(ident)["cluster_admin_scope"] == "namespace"
    assert "admin" not in ident.permissions.classes
    assert k8s(ident).namespace_admin_via == ("RoleBinding/ns1/b -> ClusterRole/cluster-admin",)
    assert k8s(ident).cluster_admin_scope is Reach.NAMESPACE  # typed, not just equal to the text
    assert view(ident)["secret_read_scope"] == "namespace"
    # cluster-scoped primitives are out of reach of a RoleBinding
    assert "nodes_proxy" not in view(ident)["escalation_primitives"]
    assert "webhook_config" not in view(ident)["escalation_primitives"]
    grant = ident.permissions.grants[0]
    assert grant.scope == "ns1" and grant.role == "cluster-admin" and grant.kind == "role_binding"
    assert grant.source == "RoleBinding/ns1/b -> ClusterRole/cluster-admin"


@pytest.mark.parametrize(
    ("objects", "scope"),
    [
        (via_crb(rule(["list"], ["secrets"])), "cluster"),
        (via_rb_clusterrole(rule(["get", "watch"], ["secrets"])), "namespace"),
        (via_role(rule(["get"], ["secrets"], names=["one"])), "none"),
        (via_role(rule(["get"], ["configmaps"])), "none"),
        (via_crb(rule(["get"], ["*"], ["*"])), "cluster"),
        (via_crb(rule(["get"], ["secrets"], ["apps"])), "none"),
    ],
    ids=["crb-list", "rb-clusterrole", "resourceNames", "configmaps", "wildcard-get", "wrong-group"],
)
def test_secret_read_scope(offline: Callable[..., Inventory], objects: Objects, scope: str) -> None:
    ident = sa_in(offline([sa("app", "ns1"), *objects]))
    assert view(ident)["secret_read_scope"] == scope
    assert ("secret_read" in ident.permissions.classes) is (scope != "none")


def test_role_binding_to_cluster_role_is_scoped_to_its_namespace(offline: Callable[..., Inventory]) -> None:
    objs = [sa("app", "ns1"), sa("other", "ns2"), *via_rb_clusterrole(rule(["create"], ["pods"]))]
    ident = sa_in(offline(objs))
    assert [g.scope for g in ident.permissions.grants] == ["ns1"]
    assert sa_in(offline(objs), "ns2", "other").permissions.grants == ()


def test_wildcard_class(offline: Callable[..., Inventory]) -> None:
    assert (
        "wildcard"
        in sa_in(offline([sa("app", "ns1"), *via_role(rule(["*"], ["configmaps"]))])).permissions.classes
    )
    assert (
        "wildcard"
        not in sa_in(
            offline([sa("app", "ns1"), *via_role(rule(["get"], ["configmaps"]))])
        ).permissions.classes
    )


def test_aggregated_cluster_role_gets_selected_rules(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        cluster_role("aggregate", [], aggregate={"rbac.example.com/aggregate-to-ops": "true"}),
        cluster_role(
            "piece", [rule(["create"], ["pods"])], labels={"rbac.example.com/aggregate-to-ops": "true"}
        ),
        cluster_role("unrelated", [rule(["create"], ["secrets"])], labels={"other": "true"}),
        crb("b", "aggregate", [SUBJ]),
    ]
    ident = sa_in(offline(objs))
    assert view(ident)["escalation_primitives"] == ["pod_create"]
    assert view(ident)["rbac_rule_count"] == 1


def test_group_subjects_reach_service_accounts(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        sa("app", "ns2"),
        cluster_role("pods", [rule(["create"], ["pods"])]),
        cluster_role("system:discovery", [{"nonResourceURLs": ["/api"], "verbs": ["get"]}]),
        crb("ns1-sas", "pods", [subject_group("system:serviceaccounts:ns1")]),
        crb("system:discovery", "system:discovery", [subject_group("system:authenticated")]),
    ]
    inv = offline(objs)
    ns1, ns2 = sa_in(inv, "ns1"), sa_in(inv, "ns2")
    assert "pod_create" in view(ns1)["escalation_primitives"]
    assert view(ns2)["escalation_primitives"] == []
    assert {g.via for g in ns1.permissions.grants} == {"system:serviceaccounts:ns1", "system:authenticated"}
    # the bootstrap discovery role is a grant, but not an RBAC need
    assert view(ns2)["rbac_rule_count"] == 0
    assert view(ns2)["direct_binding_count"] == 0


def test_user_subject_naming_the_service_account(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        cluster_role("pods", [rule(["create"], ["pods"])]),
        crb("b", "pods", [{"kind": "User", "name": "system:serviceaccount:ns1:app"}]),
    ]
    assert view(sa_in(offline(objs)))["escalation_primitives"] == ["pod_create"]


def test_unresolvable_bindings_grant_nothing(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        role("r", "ns1", [rule(["create"], ["pods"])]),
        crb("crb-to-role", "r", [SUBJ], role_kind="Role"),  # rejected by the API server
        rb("missing", "ns1", "ClusterRole", "does-not-exist", [SUBJ]),
    ]
    ident = sa_in(offline(objs))
    assert ident.permissions.grants == ()
    assert view(ident)["rbac_rule_count"] == 0


def test_grant_strings(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        *via_crb(
            rule(["get"], ["secrets"], names=["s1"]),
            rule(["create"], ["deployments"], ["apps"]),
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
        ),
    ]
    grants = sa_in(offline(objs)).permissions.grants
    assert [g.resources for g in grants] == [("core/secrets:s1",), ("apps/deployments",), ("/metrics",)]
    assert all(g.scope == "*" and g.source == "ClusterRoleBinding/b -> ClusterRole/r" for g in grants)


def test_cluster_admin_missing_from_the_export_is_the_bootstrap_role(
    offline: Callable[..., Inventory],
) -> None:
    """Install manifests bind cluster-admin without defining it."""
    ident = sa_in(offline([sa("app", "ns1"), crb("b", "cluster-admin", [SUBJ])]))
    assert view(ident)["bound_to_cluster_admin"] is True
    assert "admin" in ident.permissions.classes


def test_escalation_scopes(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        cluster_role("pods", [rule(["create"], ["pods"])]),
        cluster_role("proxy", [rule(["get"], ["nodes/proxy"])]),
        rb("b1", "ns1", "ClusterRole", "pods", [SUBJ]),
        rb("b2", "ns2", "ClusterRole", "pods", [SUBJ]),
        crb("b3", "proxy", [SUBJ]),
    ]
    ident = sa_in(offline(objs))
    assert k8s(ident).escalation_scopes == (
        EscalationScope(EscalationPrimitive.POD_CREATE, ("ns1", "ns2")),
        EscalationScope(EscalationPrimitive.NODES_PROXY, ("*",)),
    )
