"""Inputs of the Kubernetes rule goldens (tests/rules/NHI-K8S-*/). Each inventory.json is the
importer's output for the objects below, so the goldens test the rules on real builder output.
Regenerate after a deliberate builder change with:

    PYTHONPATH=src python tests/providers/k8s/k8s_goldens.py
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nhiscan.providers.k8s.settings import K8sSettings

sys.path.insert(0, str(Path(__file__).parents[2]))  # tests/, as pytest puts it on the path

from nhiscan.inventory_io import dump_inventory  # noqa: E402
from nhiscan.model import Edge, Evidence, Identity, Inventory, PermissionSummary, merge  # noqa: E402
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile  # noqa: E402
from nhiscan.providers.k8s import Plugin  # noqa: E402
from providers.k8s.k8s_objects import (  # noqa: E402
    APISERVER_AUDITED,
    as_list,
    cluster_role,
    crb,
    deployment,
    pod,
    rb,
    role,
    rule,
    sa,
    subject_group,
    subject_sa,
    token_secret,
)

GOLDEN_DIR = Path(__file__).parents[2] / "rules"
AS_OF = "2025-06-01T00:00:00Z"
RBAC = ["rbac.authorization.k8s.io"]
CLUSTER_ADMIN = cluster_role(
    "cluster-admin", [rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]
)
DISCOVERY = [
    cluster_role("system:discovery", [{"nonResourceURLs": ["/api", "/apis"], "verbs": ["get"]}]),
    crb("system:discovery", "system:discovery", [subject_group("system:authenticated")]),
]


def sid(ns: str, name: str, cluster: str = "golden") -> str:
    return f"k8s://{cluster}/ns/{ns}/serviceaccount/{name}"


def build(objects: list[dict[str, Any]], cluster: str = "golden") -> Inventory:
    text = json.dumps(as_list(objects))
    lf = LoadedFile(path=Path(f"{cluster}.json"), text=text, data=json.loads(text))
    opts = CollectOptions(
        as_of=datetime(2025, 6, 1, tzinfo=timezone.utc), settings=(K8sSettings(cluster_name=cluster),)
    )
    return Plugin().build([RecognisedFile(file=lf, doc_type="k8s.list", provider="k8s")], opts)


def golden_001() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("admin-bot", "ops"),
        sa("ns-owner", "team-a"),
        sa("superuser", "ops"),
        sa("installer", "kube-system"),
        sa("viewer", "ops"),
        CLUSTER_ADMIN,
        cluster_role("everything", [rule(["*"], ["*"], ["*"])]),
        cluster_role("view", [rule(["get", "list"], ["pods"])]),
        crb("admin-bot", "cluster-admin", [subject_sa("admin-bot", "ops")]),
        rb("ns-owner", "team-a", "ClusterRole", "cluster-admin", [subject_sa("ns-owner", "team-a")]),
        crb("superuser", "everything", [subject_sa("superuser", "ops")]),
        crb("installer", "cluster-admin", [subject_sa("installer", "kube-system")]),
        crb("viewer", "view", [subject_sa("viewer", "ops")]),
    ]
    return build(objs), {
        "fail": [sid("ops", "admin-bot"), sid("team-a", "ns-owner"), sid("ops", "superuser")],
        "pass": [sid("kube-system", "installer"), sid("ops", "viewer")],
        "params": {"allowed_service_accounts": ["kube-system/installer"]},
    }


def golden_002() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("vault-sync", "ops"),
        sa("config-reader", "team-a"),
        sa("one-secret", "team-a"),
        sa("admin-bot", "ops"),
        sa("generic-garbage-collector", "kube-system"),
        sa("pod-reader", "team-a"),
        CLUSTER_ADMIN,
        cluster_role("secret-reader", [rule(["get", "list", "watch"], ["secrets"])]),
        cluster_role("gc", [rule(["get", "list", "watch", "patch", "delete"], ["*"], ["*"])]),
        role("one-secret", "team-a", [rule(["get"], ["secrets"], names=["app-config"])]),
        role("pods", "team-a", [rule(["get"], ["pods"])]),
        crb("vault-sync", "secret-reader", [subject_sa("vault-sync", "ops")]),
        rb(
            "config-reader", "team-a", "ClusterRole", "secret-reader", [subject_sa("config-reader", "team-a")]
        ),
        rb("one-secret", "team-a", "Role", "one-secret", [subject_sa("one-secret", "team-a")]),
        rb("pod-reader", "team-a", "Role", "pods", [subject_sa("pod-reader", "team-a")]),
        crb("admin-bot", "cluster-admin", [subject_sa("admin-bot", "ops")]),
        crb(
            "system:controller:generic-garbage-collector",
            "gc",
            [subject_sa("generic-garbage-collector", "kube-system")],
        ),
    ]
    return build(objs), {
        "fail": [sid("ops", "vault-sync"), sid("team-a", "config-reader")],
        "pass": [
            sid("team-a", "one-secret"),
            sid("ops", "admin-bot"),
            sid("kube-system", "generic-garbage-collector"),
            sid("team-a", "pod-reader"),
        ],
    }


def golden_003() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("cm-anything", "team-a"),
        sa("any-group", "team-a"),
        sa("explicit", "team-a"),
        sa("admin-bot", "ops"),
        CLUSTER_ADMIN,
        role("cm-anything", "team-a", [rule(["*"], ["configmaps"])]),
        role("any-group", "team-a", [rule(["get"], ["widgets"], ["*"])]),
        role("explicit", "team-a", [rule(["get", "list"], ["configmaps"])]),
        rb("cm-anything", "team-a", "Role", "cm-anything", [subject_sa("cm-anything", "team-a")]),
        rb("any-group", "team-a", "Role", "any-group", [subject_sa("any-group", "team-a")]),
        rb("explicit", "team-a", "Role", "explicit", [subject_sa("explicit", "team-a")]),
        crb("admin-bot", "cluster-admin", [subject_sa("admin-bot", "ops")]),
    ]
    return build(objs), {
        "fail": [sid("team-a", "cm-anything"), sid("team-a", "any-group")],
        "pass": [sid("team-a", "explicit"), sid("ops", "admin-bot")],
    }


def golden_004() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("deployer", "ci"),
        sa("binder", "ci"),
        sa("minter", "ci"),
        sa("impersonator", "ci"),
        sa("low", "ci"),
        sa("escalate-only", "ci"),
        sa("bind-on-bindings", "ci"),
        sa("limited-impersonator", "ci"),
        sa("replicaset-controller", "kube-system"),
        sa("admin-bot", "ops"),
        CLUSTER_ADMIN,
        role("deployer", "ci", [rule(["create", "patch"], ["deployments"], ["apps"])]),
        cluster_role(
            "binder", [rule(["bind"], ["clusterroles"], RBAC), rule(["create"], ["rolebindings"], RBAC)]
        ),
        role("minter", "ci", [rule(["create"], ["serviceaccounts/token"])]),
        cluster_role("impersonator", [rule(["impersonate"], ["users", "groups"])]),
        role("escalate-only", "ci", [rule(["escalate", "get"], ["roles"], RBAC)]),
        role("bind-on-bindings", "ci", [rule(["bind", "create"], ["rolebindings"], RBAC)]),
        role("limited-impersonator", "ci", [rule(["impersonate"], ["serviceaccounts"], names=["low"])]),
        cluster_role("system:controller:replicaset-controller", [rule(["create", "delete"], ["pods"])]),
        rb("deployer", "ci", "Role", "deployer", [subject_sa("deployer", "ci")]),
        crb("binder", "binder", [subject_sa("binder", "ci")]),
        rb("minter", "ci", "Role", "minter", [subject_sa("minter", "ci")]),
        crb("impersonator", "impersonator", [subject_sa("impersonator", "ci")]),
        rb("escalate-only", "ci", "Role", "escalate-only", [subject_sa("escalate-only", "ci")]),
        rb("bind-on-bindings", "ci", "Role", "bind-on-bindings", [subject_sa("bind-on-bindings", "ci")]),
        rb(
            "limited-impersonator",
            "ci",
            "Role",
            "limited-impersonator",
            [subject_sa("limited-impersonator", "ci")],
        ),
        crb(
            "system:controller:replicaset-controller",
            "system:controller:replicaset-controller",
            [subject_sa("replicaset-controller", "kube-system")],
        ),
        crb("admin-bot", "cluster-admin", [subject_sa("admin-bot", "ops")]),
    ]
    return build(objs), {
        "fail": [sid("ci", "deployer"), sid("ci", "binder"), sid("ci", "minter"), sid("ci", "impersonator")],
        "pass": [
            sid("ci", "low"),
            sid("ci", "escalate-only"),
            sid("ci", "bind-on-bindings"),
            sid("ci", "limited-impersonator"),
            sid("kube-system", "replicaset-controller"),
            sid("ops", "admin-bot"),
        ],
    }


def golden_005() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("default", "team-a"),
        sa("default", "team-b"),
        sa("default", "team-c"),
        sa("web", "team-c"),
        cluster_role("view", [rule(["get"], ["configmaps"])]),
        rb("default-view", "team-b", "ClusterRole", "view", [subject_sa("default", "team-b")]),
        pod("web-1", "team-a", None),
        pod("web-2", "team-c", "web"),
        *DISCOVERY,
    ]
    return build(objs), {
        "fail": [sid("team-a", "default"), sid("team-b", "default")],
        "pass": [sid("team-c", "default"), sid("team-c", "web")],
    }


def golden_006() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("static-site", "web"),
        sa("batch", "web"),
        sa("api", "web"),
        sa("opted-out", "web", automount=False),
        sa("pod-opt-out", "web"),
        role("api", "web", [rule(["get"], ["configmaps"])]),
        rb("api", "web", "Role", "api", [subject_sa("api", "web")]),
        pod("static-site-1", "web", "static-site"),
        deployment("batch", "web", "batch"),
        pod("api-1", "web", "api"),
        pod("opted-out-1", "web", "opted-out"),
        pod("pod-opt-out-1", "web", "pod-opt-out", automount=False),
        *DISCOVERY,
    ]
    return build(objs), {
        "fail": [sid("web", "static-site"), sid("web", "batch")],
        "pass": [sid("web", "api"), sid("web", "opted-out"), sid("web", "pod-opt-out")],
    }


def golden_007() -> tuple[Inventory, dict[str, Any]]:
    objs = [
        sa("ci", "build"),
        sa("old", "build"),
        sa("fresh", "build"),
        sa("cleaned", "build"),
        token_secret("ci-token", "build", "ci"),
        token_secret("old-token", "build", "old", last_used="2025-01-15"),
        token_secret("fresh-token", "build", "fresh", last_used="2025-05-30"),
        token_secret("cleaned-token", "build", "cleaned", last_used="2024-01-01", invalid_since="2025-02-01"),
    ]
    return build(objs), {
        "fail": [
            f"{sid('build', 'ci')}#build/ci-token",
            f"{sid('build', 'old')}#build/old-token",
            f"{sid('build', 'fresh')}#build/fresh-token",
        ],
        "pass": [f"{sid('build', 'cleaned')}#build/cleaned-token"],
    }


def golden_008() -> tuple[Inventory, dict[str, Any]]:
    irsa = "arn:aws:iam::111122223333:role/eks-deployer"
    gke = "sync@proj-1.iam.gserviceaccount.com"
    objs = [
        sa("deployer", "ci", annotations={"eks.amazonaws.com/role-arn": irsa}),
        sa("sync", "ops", annotations={"iam.gke.io/gcp-service-account": gke}),
        sa("plain", "ops"),
    ]
    k8s = build(objs)
    # the AWS side of the estate: a privileged role, and an edge of another provider
    aws_role = Identity(
        id=irsa,
        provider="aws",
        kind="aws.iam_role",
        scope="aws:account:111122223333",
        name="eks-deployer",
        permissions=PermissionSummary(classes=("admin",)),
    )
    other = Edge(
        src="arn:aws:iam::111122223333:role/ci",
        dst=irsa,
        kind="aws.assume_role",
        evidence=(Evidence(source="trust policy"),),
    )
    aws = Inventory(identities=(aws_role,), edges=(other,), providers=("aws",))
    return merge([k8s, aws]), {
        "fail": [f"{sid('ci', 'deployer')}->{irsa}", f"{sid('ops', 'sync')}->{gke}"],
        "pass": [f"arn:aws:iam::111122223333:role/ci->{irsa}"],
    }


def golden_009() -> tuple[Inventory, dict[str, Any]]:
    def cluster(name: str, command: list[str] | None) -> Inventory:
        objs = [sa("default", "kube-system")]
        if command:
            objs.append(
                pod("kube-apiserver-cp1", "kube-system", None, owner=("Node", "cp1"), command=command)
            )
        return build(objs, cluster=name)

    parts = [
        cluster("unaudited", ["kube-apiserver", "--authorization-mode=Node,RBAC"]),
        cluster("policy-missing", ["kube-apiserver", "--audit-log-path=/var/log/audit.log"]),
        cluster("audited", APISERVER_AUDITED),
        cluster("managed", None),  # unknown: a coverage gap, neither a pass nor a finding
    ]
    return merge(parts), {
        "fail": ["k8s:cluster:unaudited", "k8s:cluster:policy-missing"],
        "pass": ["k8s:cluster:audited"],
    }


def golden_010() -> tuple[Inventory, dict[str, Any]]:
    from providers.k8s.k8s_agent_objects import agent_crds, kagent_agent, workload

    objs = [
        *agent_crds(),
        sa("mcp", "ai"),
        crb("mcp-secrets", "secret-reader", [subject_sa("mcp", "ai")]),
        cluster_role("secret-reader", [rule(["get", "list"], ["secrets"])]),
        # no CRD: detected by heuristics
        workload("github-mcp", "ai", "ghcr.io/github/github-mcp-server:v0.9.0", sa_name="mcp"),
        workload("graph", "ai", "langchain/langgraph-api:3.11"),
        # declared by kagent: its own Deployment is part of the Agent
        kagent_agent("triage", "ai"),
        workload("triage", "ai", "cr.kagent.dev/kagent-dev/kagent/app:0.7.4", labels={"kagent": "triage"}),
        # below the threshold: an ordinary service that calls an LLM API
        workload(
            "summariser",
            "ai",
            "registry.example/summariser:2",
            env=[{"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "o", "key": "k"}}}],
        ),
    ]
    base = "k8s://golden/ns/ai"
    return build(objs), {
        "fail": [f"{base}/workload/deployment/github-mcp", f"{base}/workload/deployment/graph"],
        "pass": [f"{base}/agent/triage", sid("ai", "mcp")],
    }


GOLDENS = {
    "NHI-K8S-001": golden_001,
    "NHI-K8S-002": golden_002,
    "NHI-K8S-003": golden_003,
    "NHI-K8S-004": golden_004,
    "NHI-K8S-005": golden_005,
    "NHI-K8S-006": golden_006,
    "NHI-K8S-007": golden_007,
    "NHI-K8S-008": golden_008,
    "NHI-K8S-009": golden_009,
    "NHI-K8S-010": golden_010,
}


def render(rule_id: str) -> tuple[str, str]:
    import yaml

    inv, expected = GOLDENS[rule_id]()
    body = {"as_of": AS_OF, **expected}
    return dump_inventory(inv), yaml.safe_dump(body, sort_keys=False, width=200)


def main() -> None:
    for rule_id in GOLDENS:
        folder = GOLDEN_DIR / rule_id
        folder.mkdir(parents=True, exist_ok=True)
        inventory, expected = render(rule_id)
        (folder / "inventory.json").write_text(inventory)
        (folder / "expected.yaml").write_text(expected)


if __name__ == "__main__":
    main()
