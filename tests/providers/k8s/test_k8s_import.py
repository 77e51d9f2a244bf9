"""Offline import: kubectl List JSON/YAML, folders, real manifests, malformed files, and the
inventory facts (identities, tokens, cloud edges, automount, audit logging)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from nhiscan.errors import InputError
from nhiscan.inventory_io import dump_inventory, inventory_from_dict, inventory_to_dict
from nhiscan.model import Identity, Inventory
from nhiscan.providers.k8s import Plugin, offline_cluster_name
from nhiscan.providers.k8s.facts import (
    CloudIdentity,
    EscalationPrimitive,
    K8sCredentialFacts,
    K8sEdgeFacts,
    K8sLoggingFacts,
    Reach,
)
from providers.k8s.k8s_objects import (
    APISERVER_AUDITED,
    CANARY,
    CANARY_PLAIN,
    as_list,
    deployment,
    fixture_cluster,
    pod,
    sa,
    token_secret,
)
from providers.k8s.k8s_support import build_from, k8s, load_file, real_exports, view
from support import needs_shared


def by_name(inv: Inventory) -> dict[str, Identity]:
    return {i.name: i for i in inv.identities}


def test_fixture_cluster_inventory(offline: Callable[..., Inventory]) -> None:
    inv = offline(fixture_cluster(), name="prod-eu")
    ids = by_name(inv)
    assert set(ids) == {
        "team-a/default",
        "team-a/deployer",
        "team-a/reader",
        "team-a/idle",
        "ops/default",
        "ops/admin-bot",
        "ops/vault-sync",
        "ops/azure-app",
        "kube-system/default",
        "kube-system/legacy",
    }
    dep = ids["team-a/deployer"]
    assert dep.id == "k8s://prod-eu/ns/team-a/serviceaccount/deployer"
    assert dep.kind == "k8s.service_account"
    assert dep.scope == "k8s:namespace:prod-eu/team-a"
    assert dep.aliases == ("system:serviceaccount:team-a:deployer",)
    assert not dep.attributes  # everything is typed
    assert view(dep)["workloads"] == ["Deployment/team-a/deployer"]
    assert view(dep)["escalation_primitives"] == ["bind", "workload_create"]
    assert view(dep)["cloud_identities"] == [
        {
            "provider": "aws",
            "id": "arn:aws:iam::111122223333:role/deployer",
            "annotation": "eks.amazonaws.com/role-arn",
        }
    ]
    assert view(ids["ops/admin-bot"])["bound_to_cluster_admin"] is True
    assert view(ids["ops/vault-sync"])["secret_read_scope"] == "cluster"
    assert view(ids["team-a/reader"])["secret_read_scope"] == "none"  # resourceNames-limited
    default_a = ids["team-a/default"]
    assert view(default_a)["is_default"] is True
    assert view(default_a)["pods"] == 1 and view(default_a)["pods_automounting"] == 1
    assert view(default_a)["workloads"] == ["Pod/team-a/web"]
    assert view(default_a)["direct_binding_count"] == 1
    assert view(ids["kube-system/legacy"])["system"] is True
    assert view(ids["ops/vault-sync"])["pods_automounting"] == 0  # pod opts out
    assert view(ids["ops/vault-sync"])["workloads"] == ["StatefulSet/ops/vault-sync"]
    scopes = {s.key: s for s in inv.scopes}
    assert scopes["k8s:cluster:prod-eu"].type == "cluster"
    assert scopes["k8s:namespace:prod-eu/ops"].parent == "k8s:cluster:prod-eu"


def test_legacy_tokens_are_credentials(offline: Callable[..., Inventory]) -> None:
    inv = offline(fixture_cluster(), name="c1")
    creds = {c.id: c for c in inv.credentials}
    assert set(creds) == {"kube-system/legacy-token", "team-a/deployer-token"}
    legacy = creds["kube-system/legacy-token"]
    assert legacy.kind == "k8s.legacy_token"
    assert legacy.identity_id == "k8s://c1/ns/kube-system/serviceaccount/legacy"
    assert legacy.last_used is not None and legacy.last_used.date().isoformat() == "2025-03-01"
    assert legacy.created is not None and legacy.active
    assert creds["team-a/deployer-token"].last_used is None
    assert legacy.facts == K8sCredentialFacts(secret="legacy-token", namespace="kube-system")
    assert not legacy.attributes


def test_invalidated_token_is_inactive(offline: Callable[..., Inventory]) -> None:
    objs = [sa("old", "ns1"), token_secret("old-token", "ns1", "old", invalid_since="2025-04-01")]
    (cred,) = offline(objs).credentials
    assert cred.active is False
    assert cred.facts == K8sCredentialFacts(secret="old-token", namespace="ns1", invalid_since="2025-04-01")


def test_cloud_identity_edges(offline: Callable[..., Inventory]) -> None:
    inv = offline(fixture_cluster(), name="c1")
    edges = {e.dst: e for e in inv.edges}
    assert set(edges) == {
        "arn:aws:iam::111122223333:role/deployer",
        "sync@proj-1.iam.gserviceaccount.com",
        "11111111-2222-3333-4444-555555555555",
    }
    gke = edges["sync@proj-1.iam.gserviceaccount.com"]
    assert gke.kind == "k8s.cloud_identity"
    assert gke.src == "k8s://c1/ns/ops/serviceaccount/vault-sync"
    assert gke.facts == K8sEdgeFacts(annotation="iam.gke.io/gcp-service-account", target_provider="gcp")
    assert not gke.attributes
    assert "iam.gke.io/gcp-service-account" in gke.evidence[0].detail


def test_typed_facts_survive_the_inventory_file(offline: Callable[..., Inventory]) -> None:
    """What rules read is typed after a save and load too: enums stay enums, nested facts stay
    dataclasses, and nothing is left in ``attributes``."""
    inv = offline(fixture_cluster(), name="c1")
    back = inventory_from_dict(json.loads(dump_inventory(inv)), "inv.json")
    assert back.identities == inv.identities
    assert back.credentials == inv.credentials
    assert back.edges == inv.edges
    assert back.logging == inv.logging
    dep = k8s(by_name(back)["team-a/deployer"])
    assert dep.escalation_primitives == (EscalationPrimitive.BIND, EscalationPrimitive.WORKLOAD_CREATE)
    assert all(isinstance(p, EscalationPrimitive) for p in dep.escalation_primitives)
    assert isinstance(dep.cloud_identities[0], CloudIdentity)
    assert k8s(by_name(back)["ops/vault-sync"]).secret_read_scope is Reach.CLUSTER
    assert not any(i.attributes for i in back.identities)


def test_automount_from_sa_and_pod(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("off", "ns1", automount=False),
        sa("on", "ns1"),
        pod("p1", "ns1", "off"),  # SA opts out
        pod("p2", "ns1", "off", automount=True),  # pod overrides back in
        pod("p3", "ns1", "on", automount=False),
        deployment("d1", "ns1", "on"),
    ]
    ids = by_name(offline(objs))
    assert view(ids["ns1/off"])["automount"] is False
    assert view(ids["ns1/off"])["pods_automounting"] == 1
    assert view(ids["ns1/on"])["automount"] is None
    assert view(ids["ns1/on"])["pods_automounting"] == 0
    assert view(ids["ns1/on"])["workloads_automounting"] == 1


@pytest.mark.parametrize(
    ("command", "status"),
    [
        (APISERVER_AUDITED, "enabled"),
        (["kube-apiserver", "--authorization-mode=Node,RBAC"], "disabled"),
        (
            ["kube-apiserver", "--audit-log-path=/var/log/audit.log"],
            "disabled",
        ),  # no policy: nothing is logged
        (
            [
                "kube-apiserver",
                "--audit-webhook-config-file",
                "/etc/wh.yaml",
                "--audit-policy-file",
                "/etc/p.yaml",
            ],
            "enabled",
        ),
    ],
    ids=["log+policy", "no-flags", "no-policy", "webhook-separate-args"],
)
def test_audit_logging_from_static_pod(
    offline: Callable[..., Inventory], command: list[str], status: str
) -> None:
    objs = [
        sa("a", "ns1"),
        pod("kube-apiserver-cp1", "kube-system", None, owner=("Node", "cp1"), command=command),
    ]
    inv = offline(objs, name="c1")
    (state,) = inv.logging
    assert state.scope == "k8s:cluster:c1"
    assert state.status == status
    assert state.evidence and "kube-system/kube-apiserver-cp1" in state.evidence[0].source
    audited = ("kube-system/kube-apiserver-cp1",) if status == "enabled" else ()
    assert state.facts == K8sLoggingFacts(
        apiserver_pods=("kube-system/kube-apiserver-cp1",), audited_pods=audited
    )
    assert not [c for c in inv.coverage if c.source == "kube-apiserver audit flags"]


def test_audit_logging_unknown_is_a_coverage_gap(offline: Callable[..., Inventory]) -> None:
    inv = offline([sa("a", "ns1"), pod("x", "ns1", "a")], name="c1")
    (state,) = inv.logging
    assert state.status == "unknown"
    gaps = [c for c in inv.gaps if c.source == "kube-apiserver audit flags"]
    assert len(gaps) == 1 and gaps[0].status == "unknown" and "managed control plane" in gaps[0].detail


def test_missing_kinds_are_coverage_gaps(offline: Callable[..., Inventory]) -> None:
    inv = offline([sa("a", "ns1")])
    missing = {c.source for c in inv.gaps}
    assert "Secret objects" in missing and "ClusterRoleBinding objects" in missing
    assert "ServiceAccount objects" not in missing


def test_secret_values_never_reach_the_inventory(
    offline: Callable[..., Inventory], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    inv = offline(fixture_cluster())
    text = dump_inventory(inv)
    assert CANARY not in text and CANARY_PLAIN not in text
    assert CANARY not in repr(inv) and CANARY_PLAIN not in repr(inv)
    assert CANARY not in caplog.text
    assert "last-applied-configuration" not in text


def test_inventory_round_trips_through_the_schema(offline: Callable[..., Inventory]) -> None:
    inv = offline(fixture_cluster())
    data = json.loads(json.dumps(inventory_to_dict(inv)))
    again = inventory_from_dict(data, "test")
    assert {i.id: i.permissions.classes for i in again.identities} == {
        i.id: i.permissions.classes for i in inv.identities
    }


def test_yaml_list_and_folder_of_files(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "staging"
    folder.mkdir(parents=True)
    objs = fixture_cluster()
    rbac_kinds = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
    (folder / "rbac.yaml").write_text(yaml.safe_dump(as_list([o for o in objs if o["kind"] in rbac_kinds])))
    (folder / "core.json").write_text(json.dumps(as_list([o for o in objs if o["kind"] not in rbac_kinds])))
    (folder / "notes.txt").write_text("not kubernetes")
    inv = build_from(sorted(folder.iterdir()))
    single = build_from([_write(tmp_path / "staging.json", as_list(objs))])
    assert {i.id for i in inv.identities} == {i.id for i in single.identities}
    assert all(i.id.startswith("k8s://staging/") for i in inv.identities)
    assert {i.id: view(i)["escalation_primitives"] for i in inv.identities} == {
        i.id: view(i)["escalation_primitives"] for i in single.identities
    }


def test_cluster_name_setting_wins(offline: Callable[..., Inventory]) -> None:
    inv = offline([sa("a", "ns1")], cluster_name="prod")
    assert inv.identities[0].id == "k8s://prod/ns/ns1/serviceaccount/a"


def test_offline_cluster_name() -> None:
    assert offline_cluster_name([Path("/x/prod.json")]) == "prod"
    assert offline_cluster_name([Path("/x/prod/a.json"), Path("/x/prod/b.yaml")]) == "prod"
    assert offline_cluster_name([Path("/x/prod/a/1.json"), Path("/x/prod/b/2.json")]) == "prod"


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_recognise_by_content(tmp_path: Path) -> None:
    plugin = Plugin()
    assert plugin.recognise(load_file(_write(tmp_path / "a.json", as_list([])))) == "k8s.list"
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    assert plugin.recognise(load_file(_write(tmp_path / "b.json", other))) == "k8s.manifest"
    not_k8s = {"kind": "ConfigMap", "name": "x"}  # no apiVersion/metadata: not a Kubernetes object
    assert plugin.recognise(load_file(_write(tmp_path / "b2.json", not_k8s))) is None
    assert plugin.recognise(load_file(_write(tmp_path / "c.json", {"UserDetailList": []}))) is None
    manifest = tmp_path / "sa.txt"
    manifest.write_text("# comment\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n")
    assert plugin.recognise(load_file(manifest)) == "k8s.manifest"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"apiVersion": "v1", "kind": "List", "items": [', "invalid JSON at line 1"),
        ('{"apiVersion": "v1", "kind": "List", "items": {"a": 1}}', "items: expected a list"),
        (
            json.dumps(as_list([{"kind": "ServiceAccount", "metadata": {"namespace": "a"}}])),
            "items[0].metadata.name",
        ),
        (
            json.dumps(
                as_list([{"kind": "Role", "metadata": {"name": "r", "namespace": "a"}, "rules": "all"}])
            ),
            "items[0].rules: expected a list",
        ),
        (
            json.dumps(as_list([{"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "subjects": []}])),
            "items[0].roleRef",
        ),
        (
            json.dumps(
                as_list(
                    [
                        {
                            "kind": "Role",
                            "metadata": {"name": "r", "namespace": "a"},
                            "rules": [{"verbs": "get"}],
                        }
                    ]
                )
            ),
            "items[0].rules[0].verbs",
        ),
        (
            json.dumps(
                as_list(
                    [
                        {
                            "kind": "ServiceAccount",
                            "metadata": {"name": "a", "namespace": "n", "creationTimestamp": "yesterday"},
                        }
                    ]
                )
            ),
            "creationTimestamp",
        ),
        ("kind: List\nitems:\n  - kind: ServiceAccount\n    metadata: [oops\n", "invalid YAML"),
    ],
    ids=[
        "truncated-json",
        "items-not-list",
        "no-name",
        "rules-not-list",
        "no-roleref",
        "verbs-not-list",
        "bad-timestamp",
        "bad-yaml",
    ],
)
def test_malformed_export_is_one_line_input_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        build_from([path])
    text = info.value.diagnostics()
    assert "\n" not in text
    assert str(path) in text
    assert message in text
    assert info.value.exit_code == 2


REAL_EXPORTS = real_exports()
REAL_FILES = sorted(REAL_EXPORTS.glob("*"))


@needs_shared("real-exports", "k8s")
def test_real_exports_folder_exists() -> None:
    assert REAL_EXPORTS.is_dir(), f"shared real exports missing at {REAL_EXPORTS}"
    assert len(REAL_FILES) >= 6


@needs_shared("real-exports", "k8s")
@pytest.mark.parametrize("path", REAL_FILES, ids=[p.name[:60] for p in REAL_FILES])
def test_real_export_parses(path: Path) -> None:
    assert Plugin().recognise(load_file(path)) is not None
    inv = build_from([path])
    assert inv.providers == ("k8s",)
    dump_inventory(inv)


@needs_shared("real-exports", "k8s")
def test_real_argo_cd_manifest() -> None:
    """A manifest without namespaces is placed where its own bindings expect its SAs."""
    inv = build_from([REAL_EXPORTS / "argoproj__argo-cd__manifests__install.yaml"], cluster_name="argo")
    ids = by_name(inv)
    ctrl = ids["argocd/argocd-application-controller"]
    assert "admin" in ctrl.permissions.classes  # ClusterRole with * * *
    assert view(ctrl)["workloads"] == ["StatefulSet/argocd/argocd-application-controller"]
    assert view(ids["argocd/argocd-server"])["secret_read_scope"] == "cluster"
    # create secrets cannot be limited by resourceNames; the limited get is not a secret read
    assert view(ids["argocd/argocd-redis"])["escalation_primitives"] == ["secret_create"]
    assert view(ids["argocd/argocd-redis"])["secret_read_scope"] == "none"
    # the Secret objects in the manifest carry no token type and no values reach the inventory
    assert inv.credentials == ()


@needs_shared("real-exports", "k8s")
def test_real_kubehound_lists_together() -> None:
    files = sorted(REAL_EXPORTS.glob("DataDog__KubeHound*"))
    inv = build_from(files, cluster_name="kh")
    assert inv.identities == ()  # the fixture has bindings and roles but no ServiceAccount objects
    assert {c.source for c in inv.gaps} >= {"ServiceAccount objects", "Secret objects"}


@needs_shared("real-exports", "k8s")
def test_real_cert_manager_manifest() -> None:
    inv = build_from(
        [REAL_EXPORTS / "kubeflow__manifests__common__cert-manager__base__upstream__cert-manager.yaml"]
    )
    ids = by_name(inv)
    cm = ids["cert-manager/cert-manager"]
    assert view(cm)["secret_read_scope"] == "cluster"
    assert "pod_create" in view(cm)["escalation_primitives"]  # HTTP-01 solver pods
    assert "webhook_config" in view(ids["cert-manager/cert-manager-cainjector"])["escalation_primitives"]


def test_bom_and_unparsed_text_are_accepted(tmp_path: Path) -> None:
    """Files the CLI could not parse reach the provider as text (data=None)."""
    from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile

    text = "\ufeff" + json.dumps(as_list([sa("a", "ns1")]))
    lf = LoadedFile(path=tmp_path / "x.json", text=text, data=None)
    plugin = Plugin()
    doc_type = plugin.recognise(lf)
    assert doc_type == "k8s.list"
    inv = plugin.build(
        [RecognisedFile(lf, doc_type, "k8s")], CollectOptions(as_of=datetime.now(timezone.utc))
    )
    assert [i.name for i in inv.identities] == ["ns1/a"]


def test_workload_names_from_pod_owners(offline: Callable[..., Inventory]) -> None:
    objs = [
        sa("app", "ns1"),
        pod("a-7c9d8f6b5-x2k4q", "ns1", "app", owner=("ReplicaSet", "web-7c9d8f6b5")),
        pod("b-1", "ns1", "app", owner=("ReplicaSet", "web-frontend")),
        pod("c-1", "ns1", "app", owner=("Job", "report-29012345")),
        pod("d", "ns1", "app"),
    ]
    ident = by_name(offline(objs))["ns1/app"]
    assert view(ident)["workloads"] == [
        "CronJob/ns1/report",
        "Deployment/ns1/web",
        "Pod/ns1/d",
        "ReplicaSet/ns1/web-frontend",
    ]


def test_folder_of_manifests_with_other_kinds(tmp_path: Path) -> None:
    """A kustomize-style folder: files with only ConfigMaps or Services import as nothing."""
    (tmp_path / "sa.yaml").write_text(yaml.safe_dump(sa("app", "ns1")))
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ns1}\ndata: {a: b}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns1}\n"
    )
    (tmp_path / "svc.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}})
    )
    plugin = Plugin()
    assert all(plugin.recognise(load_file(p)) for p in tmp_path.iterdir())
    assert plugin.recognise(load_file(_write(tmp_path / "x.json", {"kind": "Thing", "items": 3}))) is None
    inv = build_from(sorted(tmp_path.glob("*.*ml")) + [tmp_path / "svc.json"])
    assert [i.name for i in inv.identities] == ["ns1/app"]
