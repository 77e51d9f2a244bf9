"""Builders for Kubernetes objects in the exact shapes ``kubectl get -o json`` prints, and the
fixture cluster the live and offline tests share."""

from __future__ import annotations

import copy
from typing import Any

CANARY = "Q0FOQVJZLXNlY3JldC12YWx1ZS1kby1ub3QtbGVhaw"  # base64-looking canary for Secret data
CANARY_PLAIN = "CANARY-plain-secret-value-do-not-leak"
RBAC_V1 = "rbac.authorization.k8s.io/v1"


def meta(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {
        "name": name,
        "creationTimestamp": "2025-01-10T08:00:00Z",
        "uid": f"uid-{namespace}-{name}",
    }
    if namespace is not None:
        m["namespace"] = namespace
    m.update(extra)
    return m


def sa(
    name: str, ns: str, automount: bool | None = None, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, ns)}
    if annotations:
        obj["metadata"]["annotations"] = annotations
    if automount is not None:
        obj["automountServiceAccountToken"] = automount
    return obj


def rule(
    verbs: list[str], resources: list[str], groups: list[str] | None = None, names: list[str] | None = None
) -> dict[str, Any]:
    r: dict[str, Any] = {
        "apiGroups": [""] if groups is None else groups,
        "resources": resources,
        "verbs": verbs,
    }
    if names:
        r["resourceNames"] = names
    return r


def role(name: str, ns: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": RBAC_V1, "kind": "Role", "metadata": meta(name, ns), "rules": rules}


def cluster_role(
    name: str,
    rules: list[dict[str, Any]],
    labels: dict[str, str] | None = None,
    aggregate: dict[str, str] | None = None,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": RBAC_V1,
        "kind": "ClusterRole",
        "metadata": meta(name),
        "rules": rules,
    }
    if labels:
        obj["metadata"]["labels"] = labels
    if aggregate:
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": aggregate}]}
    return obj


def subject_sa(name: str, ns: str) -> dict[str, str]:
    return {"kind": "ServiceAccount", "name": name, "namespace": ns}


def subject_group(name: str) -> dict[str, str]:
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}


def rb(name: str, ns: str, role_kind: str, role_name: str, subjects: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_V1,
        "kind": "RoleBinding",
        "metadata": meta(name, ns),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        "subjects": subjects,
    }


def crb(
    name: str, role_name: str, subjects: list[dict[str, str]], role_kind: str = "ClusterRole"
) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_V1,
        "kind": "ClusterRoleBinding",
        "metadata": meta(name),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        "subjects": subjects,
    }


def pod(
    name: str,
    ns: str,
    sa_name: str | None = "default",
    automount: bool | None = None,
    owner: tuple[str, str] | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "main" if command is None else "kube-apiserver",
                "image": "registry.example/app:1",
                "env": [{"name": "PASSWORD", "value": CANARY_PLAIN}],
                **({"command": command} if command else {}),
            }
        ]
    }
    if sa_name is not None:
        spec["serviceAccountName"] = sa_name
        spec["serviceAccount"] = sa_name
    if automount is not None:
        spec["automountServiceAccountToken"] = automount
    m = meta(name, ns)
    if owner:
        m["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": "x", "controller": True}
        ]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": {"phase": "Running"}}


def deployment(name: str, ns: str, sa_name: str, automount: bool | None = None) -> dict[str, Any]:
    tspec: dict[str, Any] = {"serviceAccountName": sa_name, "containers": [{"name": "c", "image": "x"}]}
    if automount is not None:
        tspec["automountServiceAccountToken"] = automount
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, ns),
        "spec": {"replicas": 1, "template": {"metadata": {}, "spec": tspec}},
    }


def token_secret(
    name: str, ns: str, sa_name: str, last_used: str | None = None, invalid_since: str | None = None
) -> dict[str, Any]:
    labels = {}
    if last_used:
        labels["kubernetes.io/legacy-token-last-used"] = last_used
    if invalid_since:
        labels["kubernetes.io/legacy-token-invalid-since"] = invalid_since
    m = meta(
        name,
        ns,
        annotations={
            "kubernetes.io/service-account.name": sa_name,
            "kubernetes.io/service-account.uid": f"uid-{ns}-{sa_name}",
            "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"token":"' + CANARY + '"}}',
        },
    )
    if labels:
        m["labels"] = labels
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": m,
        "type": "kubernetes.io/service-account-token",
        "data": {"token": CANARY, "ca.crt": CANARY, "namespace": "ZGVtbw=="},
        "stringData": {"password": CANARY_PLAIN},
    }


def opaque_secret(name: str, ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta(name, ns),
        "type": "Opaque",
        "data": {"password": CANARY},
    }


def as_list(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``kubectl get ... -A -o json`` prints."""
    return {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": copy.deepcopy(objects),
    }


APISERVER_AUDITED = [
    "kube-apiserver",
    "--advertise-address=10.0.0.10",
    "--audit-log-path=/var/log/kubernetes/audit.log",
    "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
    "--authorization-mode=Node,RBAC",
]


def fixture_cluster() -> list[dict[str, Any]]:
    """A small cluster with one example of each risk, shared by the live and offline tests."""
    return [
        # team-a: a CI deployer that can create deployments (apps group) and bind roles
        sa("default", "team-a"),
        sa(
            "deployer",
            "team-a",
            annotations={"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/deployer"},
        ),
        sa("reader", "team-a", automount=False),
        sa("idle", "team-a"),
        # ops: a cluster-admin SA and a secret reader with GKE workload identity
        sa("default", "ops"),
        sa("admin-bot", "ops"),
        sa(
            "vault-sync",
            "ops",
            annotations={"iam.gke.io/gcp-service-account": "sync@proj-1.iam.gserviceaccount.com"},
        ),
        sa(
            "azure-app",
            "ops",
            annotations={"azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555"},
        ),
        sa("default", "kube-system"),
        sa("legacy", "kube-system"),
        role("deployer", "team-a", [rule(["create", "update", "patch"], ["deployments"], ["apps"])]),
        role("reader", "team-a", [rule(["get"], ["secrets"], names=["app-config"])]),
        cluster_role("binder", [rule(["bind"], ["clusterroles"], ["rbac.authorization.k8s.io"])]),
        cluster_role("binding-writer", [rule(["create"], ["rolebindings"], ["rbac.authorization.k8s.io"])]),
        cluster_role(
            "cluster-admin", [rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]
        ),
        cluster_role("secret-reader", [rule(["get", "list", "watch"], ["secrets"])]),
        cluster_role(
            "system:discovery", [{"nonResourceURLs": ["/api", "/apis", "/version"], "verbs": ["get"]}]
        ),
        rb("deployer", "team-a", "Role", "deployer", [subject_sa("deployer", "team-a")]),
        rb("deployer-bind", "team-a", "ClusterRole", "binder", [subject_sa("deployer", "team-a")]),
        rb(
            "deployer-bindings", "team-a", "ClusterRole", "binding-writer", [subject_sa("deployer", "team-a")]
        ),
        rb("reader", "team-a", "Role", "reader", [subject_sa("reader", "team-a")]),
        rb("default-view", "team-a", "ClusterRole", "secret-reader", [subject_sa("default", "team-a")]),
        crb("admin-bot", "cluster-admin", [subject_sa("admin-bot", "ops")]),
        crb("vault-sync", "secret-reader", [subject_sa("vault-sync", "ops")]),
        crb("system:discovery", "system:discovery", [subject_group("system:authenticated")]),
        deployment("deployer", "team-a", "deployer"),
        pod("deployer-5d8f7c9b6-abcde", "team-a", "deployer", owner=("ReplicaSet", "deployer-5d8f7c9b6")),
        pod("web", "team-a", None),  # runs as default, automounting
        pod("reader", "team-a", "reader"),
        pod("vault-sync-0", "ops", "vault-sync", automount=False, owner=("StatefulSet", "vault-sync")),
        pod("kube-apiserver-node1", "kube-system", None, owner=("Node", "node1"), command=APISERVER_AUDITED),
        token_secret("legacy-token", "kube-system", "legacy", last_used="2025-03-01"),
        token_secret("deployer-token", "team-a", "deployer"),
        opaque_secret("app-config", "team-a"),
    ]
