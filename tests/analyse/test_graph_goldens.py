"""A delegation estate built from the model with the real AWS policy and trust analysers, and the
labelled cases behind the precision/recall figures. (The NHI-GRAPH rule goldens themselves run on
exported files: tests/rules/NHI-GRAPH-*.yaml.)"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from analyse.test_graph_aws import (  # type: ignore[import-not-found]
    ACCT,
    ADMIN_DOC,
    OTHER,
    allow,
    arn,
    doc,
    role,
    trust_doc,
)
from analyse.test_graph_providers import rule, sa  # type: ignore[import-not-found]
from nhiscan.analyse.graph import graph_facts
from nhiscan.inventory_io import dump_inventory, load_inventory
from nhiscan.model import Inventory, Scope


def _assume(*targets: str) -> dict[str, object]:
    return doc(allow("sts:AssumeRole", list(targets)))


def estate() -> Inventory:
    root = {"AWS": f"arn:aws:iam::{ACCT}:root"}
    ids = [
        role("admin", [ADMIN_DOC], trust_doc(root)),
        role("ci-deployer", [_assume(arn("role", "admin"))], trust_doc(root)),
        role("reader", [doc(allow(["s3:GetObject", "s3:ListBucket"]))], trust_doc(root)),
        role(
            "vendor-audit",
            [_assume(arn("role", "ci-deployer"))],
            trust_doc({"AWS": f"arn:aws:iam::{OTHER}:root"}),
        ),
        role("partner-admin", [ADMIN_DOC], trust_doc({"AWS": f"arn:aws:iam::{OTHER}:root"})),
        role(
            "partner-readonly", [doc(allow("s3:GetObject"))], trust_doc({"AWS": f"arn:aws:iam::{OTHER}:root"})
        ),
        role("chain-a", [_assume(arn("role", "chain-b"))], trust_doc(root)),
        role("chain-b", [_assume(arn("role", "chain-c"))], trust_doc(root)),
        role("chain-c", [_assume(arn("role", "chain-d"))], trust_doc(root)),
        role("chain-d", [doc(allow("s3:GetObject"))], trust_doc(root)),
        role("ping", [], trust_doc({"AWS": arn("role", "pong")})),
        role("pong", [], trust_doc({"AWS": arn("role", "ping")})),
        role(
            "lambda-builder",
            [
                doc(allow("iam:PassRole", arn("role", "fn-admin"))),
                doc(allow(["lambda:CreateFunction", "lambda:InvokeFunction"])),
            ],
            trust_doc({"Service": "lambda.amazonaws.com"}),
        ),
        role("fn-admin", [ADMIN_DOC], trust_doc({"Service": "lambda.amazonaws.com"})),
        role("self-editor", [doc(allow("iam:PutRolePolicy", arn("role", "self-editor")))], trust_doc(root)),
        role("other-editor", [doc(allow("iam:PutRolePolicy", arn("role", "reader")))], trust_doc(root)),
    ]
    sso = role("sso-operator", [_assume(arn("role", "admin"))], trust_doc(root))
    ids.append(dataclasses.replace(sso, usage="human"))
    ids = [dataclasses.replace(i, usage="machine") if i.usage == "unknown" else i for i in ids]
    k8s = [
        sa(
            "apps",
            "deployer",
            [rule(["create"], ["core/pods"], "kube-system", "RoleBinding/kube-system/deployers")],
            ["pod_create"],
        ),
        sa(
            "kube-system",
            "boss",
            [rule(["*"], ["*/*"], "*", "ClusterRoleBinding/boss")],
            [],
            classes=("admin",),
        ),
        sa("apps", "web", []),
    ]
    return Inventory(
        identities=tuple(ids + k8s),
        scopes=(
            Scope("aws", "account", ACCT, ACCT),
            Scope("k8s", "cluster", "prod", "prod"),
            Scope("k8s", "namespace", "prod/apps", "apps", parent="k8s:cluster:prod"),
            Scope("k8s", "namespace", "prod/kube-system", "kube-system", parent="k8s:cluster:prod"),
        ),
        providers=("aws", "k8s"),
    )


def _r(name: str) -> str:
    return arn("role", name)


def _k(ns: str, name: str) -> str:
    return f"k8s://prod/ns/{ns}/serviceaccount/{name}"


def test_saved_inventory_gives_the_same_facts(tmp_path: Path) -> None:
    inv = estate()
    saved = tmp_path / "inventory.json"
    saved.write_text(dump_inventory(inv))
    again = load_inventory(saved)
    assert json.dumps(graph_facts(inv), sort_keys=True) == json.dumps(graph_facts(again), sort_keys=True)


# --------------------------------------------------------------------------- labelled cases


@pytest.fixture(scope="module")
def facts() -> dict[str, object]:
    return dict(graph_facts(estate()))


# identity -> can it become an administrator (hand-labelled from the policies above)
LABELS: dict[str, bool] = {
    _r("ci-deployer"): True,
    _r("vendor-audit"): True,
    _r("lambda-builder"): True,
    _r("self-editor"): True,
    _r("sso-operator"): True,
    _k("apps", "deployer"): True,
    _r("reader"): False,
    _r("partner-readonly"): False,
    _r("chain-a"): False,
    _r("chain-b"): False,
    _r("ping"): False,
    _r("other-editor"): False,
    _k("apps", "web"): False,
}


def test_labelled_admin_reachability(facts: dict[str, dict[str, object]]) -> None:
    wrong = {i: want for i, want in LABELS.items() if facts[i]["can_reach_admin"] is not want}
    assert not wrong
