"""Offline import of gcloud / Google API / Cloud Asset exports: the demo project, the shared
real-world files, and malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhiscan.errors import InputError
from nhiscan.inventory_io import dump_inventory, inventory_from_dict
from nhiscan.providers.gcp import Plugin
from nhiscan.providers.gcp.facts import GcpEdgeFacts, WorkloadIdentityMember
from providers.gcp.gcp_support import DEMO, REAL, import_files, load

SA = ".iam.gserviceaccount.com"
GCE3 = "GoogleCloudPlatform__gcpdiag__test-data__gce3__json-dumps__"
GKE2 = "GoogleCloudPlatform__gcpdiag__test-data__gke2__json-dumps__"
FORSETI = "forseti-security__forseti-security__tests__services__inventory__test_data__"
POLICY_LIB = "GoogleCloudPlatform__policy-library__validator__test__fixtures__"


def demo_inventory():  # type: ignore[no-untyped-def]
    return import_files(*sorted(DEMO.glob("*.json")))


def test_demo_project_imports_with_resolved_projects_and_ancestry() -> None:
    inv = demo_inventory()
    by_id = {i.id: i for i in inv.identities}
    deployer = by_id[f"deployer@acme-pay-prod{SA}"]
    assert deployer.scope == "gcp:project:acme-pay-prod"
    assert deployer.owner == "platform-team@acme.example"
    assert deployer.aliases == ("104857600000000000001",)
    # The asset search names the SA by unique id; the binding lands on the email identity.
    assert deployer.facts.non_sa_impersonators == ("user:contractor@partner.example",)
    assert {"admin", "can_escalate", "wildcard"} <= set(deployer.permissions.classes)
    assert (
        by_id["412345678901-compute@developer.gserviceaccount.com"].facts.default_service_account == "compute"
    )
    assert by_id["acme-pay-prod@appspot.gserviceaccount.com"].facts.default_service_account == "appengine"
    agent = by_id["service-412345678901@gcp-sa-pubsub.iam.gserviceaccount.com"]
    assert agent.managed_by == "provider" and agent.facts.listed is False
    terraform = by_id[f"terraform@acme-pay-prod{SA}"]
    assert terraform.owner is None
    grant = next(g for g in terraform.permissions.grants if g.role == "roles/resourcemanager.projectIamAdmin")
    assert (
        grant.conditional and grant.source == "projects/acme-pay-prod:roles/resourcemanager.projectIamAdmin"
    )
    assert grant.kind == "iam_binding" and grant.scope == "projects/acme-pay-prod"
    # Folder-level Token Creator held by the deployer reaches every SA of the project.
    assert f"deployer@acme-pay-prod{SA}" in terraform.facts.project_level_impersonators
    assert "group:sre@acme.example" in terraform.facts.project_level_impersonators
    payments = by_id[f"payments-api@acme-pay-prod{SA}"]
    assert "secret_read" in payments.permissions.classes
    # GKE Workload Identity: a Kubernetes SA, not a Google SA identity nor a human impersonator.
    ksa = "serviceAccount:acme-pay-prod.svc.id.goog[payments/api]"
    assert ksa in payments.facts.impersonators and payments.facts.non_sa_impersonators == ()
    assert not any(".svc.id.goog" in i for i in by_id)
    wi = next(e for e in inv.edges if e.src == ksa)
    assert (wi.dst, wi.kind) == (f"payments-api@acme-pay-prod{SA}", "gcp.impersonate")
    assert wi.facts.workload_identity == WorkloadIdentityMember(
        pool="acme-pay-prod.svc.id.goog", namespace="payments", service_account="api"
    )

    scopes = {s.key: s for s in inv.scopes}
    assert scopes["gcp:project:acme-pay-prod"].parent == "gcp:folder:555000111222"
    assert scopes["gcp:folder:555000111222"].parent == "gcp:organization:123456789012"
    # The project-level search result (by number) merged into the get-iam-policy file (by id).
    [state] = inv.logging
    assert state.scope == "gcp:project:acme-pay-prod" and state.status == "partial"
    assert state.facts.missing_log_types == ("DATA_READ", "DATA_WRITE")

    creds = {(c.identity_id, c.id[:6]): c for c in inv.credentials}
    old = creds[(f"deployer@acme-pay-prod{SA}", "3f1c9a")]
    assert old.expires is None and old.created is not None and old.created.year == 2025
    system = creds[(f"deployer@acme-pay-prod{SA}", "0aa11b")]
    assert system.facts.key_type == "SYSTEM_MANAGED" and system.expires is not None
    assert creds[(f"terraform@acme-pay-prod{SA}", "7e7e7e")].active is False
    assert by_id[f"terraform@acme-pay-prod{SA}"].facts.user_managed_keys == 1

    edge = next(
        e for e in inv.edges if e.src == "user:contractor@partner.example" and e.kind == "gcp.impersonate"
    )
    assert edge.dst == f"deployer@acme-pay-prod{SA}"
    assert edge.facts == GcpEdgeFacts(
        scope_level="sa",
        member="user:contractor@partner.example",
        roles=("roles/iam.serviceAccountTokenCreator",),
    )
    assert edge.conditional is False and edge.attributes == {}
    assert edge.evidence[0].detail.endswith("roles/iam.serviceAccountTokenCreator")


def test_demo_inventory_round_trips_through_the_schema() -> None:
    inv = demo_inventory()
    again = inventory_from_dict(json.loads(dump_inventory(inv)), "demo")
    assert again.identities == inv.identities
    assert again.credentials == inv.credentials
    assert again.edges == inv.edges


def test_key_files_per_account_or_merged_give_the_same_credentials(tmp_path: Path) -> None:
    keys = json.loads((DEMO / "keys-deployer.json").read_text()) + json.loads(
        (DEMO / "keys-others.json").read_text()
    )
    merged = tmp_path / "keys.json"
    merged.write_text(json.dumps(keys))
    rest = tmp_path / "keys-rest.json"
    rest.write_text(json.dumps({"keys": keys[:2]}))
    sa = DEMO / "service-accounts.json"
    split = import_files(sa, DEMO / "keys-deployer.json", DEMO / "keys-others.json")
    one = import_files(sa, merged, rest)  # re-reading a key is harmless
    assert split.credentials == one.credentials
    assert len(one.credentials) == 6


def test_rest_accounts_body_and_gcloud_bare_list_agree(tmp_path: Path) -> None:
    rest_file = REAL / f"{GKE2}iam-service-accounts.json"
    bare = tmp_path / "sa.json"
    bare.write_text(json.dumps(json.loads(rest_file.read_text())["accounts"]))
    a, b = import_files(rest_file), import_files(bare)
    assert [i.id for i in a.identities] == [i.id for i in b.identities]
    assert len(a.identities) >= 5


def test_gcpdiag_project_dumps() -> None:
    inv = import_files(REAL / f"{GCE3}iam-service-accounts.json", REAL / f"{GCE3}iam-policy.json")
    by_id = {i.id: i for i in inv.identities}
    compute = by_id["12345001-compute@developer.gserviceaccount.com"]
    assert compute.scope == "gcp:project:gcpdiag-gce3-aaaa"
    assert compute.facts.basic_roles == ("roles/owner",)
    assert by_id["gcpdiag-gce3-aaaa@appspot.gserviceaccount.com"].facts.basic_roles == ("roles/editor",)
    assert by_id["service-12345001@cloud-redis.iam.gserviceaccount.com"].managed_by == "provider"
    # gce3 configures Data Access logs per service but not for allServices.
    [state] = inv.logging
    assert state.status == "partial" and "compute.googleapis.com" in state.facts.services
    assert any(g.source == "iam.serviceAccounts.keys.list" for g in inv.gaps)
    assert any(g.source == "iam.roles.get" for g in inv.gaps)

    gke = import_files(REAL / f"{GKE2}iam-service-accounts.json", REAL / f"{GKE2}iam-policy.json")
    gke_ids = {i.id: i for i in gke.identities}
    assert gke_ids["1234000173-compute@developer.gserviceaccount.com"].facts.basic_roles == ("roles/editor",)
    assert {s.scope for s in gke.logging} == {"gcp:project:gcpdiag-gke-cluster-autoscaler-rrrr"}


def test_forseti_cai_dumps() -> None:
    inv = import_files(
        REAL / f"{FORSETI}mock_cai_resources.dump", REAL / f"{FORSETI}mock_cai_iam_policies.dump"
    )
    by_id = {i.id: i for i in inv.identities}
    compute = by_id["1041-compute@developer.gserviceaccount.com"]
    assert compute.aliases == ("1101",)
    # The SA-level policy names the account by unique id 1101; keyAdmin lets c_user mint keys.
    assert compute.facts.non_sa_impersonators == ("user:c_user@forseti.test",)
    # Project numbers from the CAI names resolve to project ids.
    assert by_id["3-compute@developer.gserviceaccount.com"].facts.basic_roles == ("roles/editor",)
    scopes = {s.key: s for s in inv.scopes}
    assert scopes["gcp:project:project3"].parent == "gcp:folder:1031"
    assert scopes["gcp:folder:1031"].parent == "gcp:organization:111222333"
    key = next(c for c in inv.credentials if c.id == "5555abcabcabc444444abcabc")
    assert key.facts.key_type == "SYSTEM_MANAGED"
    states = {s.scope: s for s in inv.logging}
    assert states["gcp:project:project1"].status == "enabled"
    # project3 sets nothing itself: it inherits ADMIN_READ for allServices from the organisation.
    assert states["gcp:project:project3"].status == "partial"
    assert states["gcp:project:project3"].facts.inherited_from == (
        "folders/1031",
        "organizations/111222333",
    )
    # Custom roles exported as CAI Role assets are used to expand bindings.
    assert not any("role1" in g.detail for g in inv.gaps if g.source == "iam.roles.get")


def test_policy_library_key_assets() -> None:
    inv = import_files(REAL / f"{POLICY_LIB}gcp_iam_restrict_service_account_key_type__assets__data.json")
    types = {c.id: c.facts.key_type for c in inv.credentials}
    assert types == {"1234567890abcdef": "USER_MANAGED", "1234567891abcdef": "SYSTEM_MANAGED"}
    assert {c.identity_id for c in inv.credentials} == {"111111-compute@developer.gserviceaccount.com"}
    members = import_files(REAL / f"{POLICY_LIB}iam_allowed_policy_member_domains__assets__data.json")
    assert any(i.id.startswith("cai-292@noble-history-87417") for i in members.identities)


def test_bare_policy_without_project_hints_uses_the_only_known_project(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({"bindings": [{"role": "roles/owner", "members": ["user:a@x.example"]}], "etag": "x"})
    )
    inv = import_files(DEMO / "service-accounts.json", policy)
    assert [s.scope for s in inv.logging] == ["gcp:project:acme-pay-prod"]
    assert inv.logging[0].status == "disabled"


def test_private_key_material_in_an_export_never_reaches_output(tmp_path: Path) -> None:
    canary = "CANARY-gcp-offline-3b1d"
    keys = json.loads((DEMO / "keys-deployer.json").read_text())
    keys[0]["privateKeyData"] = canary
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(keys))
    text = dump_inventory(import_files(DEMO / "service-accounts.json", path))
    assert canary not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"email": "a@p-12345.iam.gserviceaccount.com", "uniqueId": "1"', "invalid JSON at line 1"),
        ('[{"uniqueId": "1", "email": ""}]', "[0].email: missing"),
        ('[{"uniqueId": "1", "email": "nobody"}]', "[0].email: 'nobody' is not a service-account email"),
        ('[{"uniqueId": "1", "email": "a@b.c", "disabled": "yes"}]', "[0].disabled: expected true or false"),
        ('{"bindings": {"role": "roles/owner"}, "etag": "x"}', ".bindings: expected a list"),
        ('{"bindings": [{"members": ["user:a@b.c"]}], "etag": "x"}', ".bindings[0].role: missing"),
        (
            '{"bindings": [{"role": "r", "members": [1]}], "etag": "x"}',
            ".bindings[0].members: expected a list of strings",
        ),
        (
            '{"auditConfigs": [{"service": "allServices", "auditLogConfigs": [{}]}], "etag": "x"}',
            "logType: missing",
        ),
        (
            '[{"name": "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k", "keyType": "USER_MANAGED",'
            ' "validAfterTime": "last tuesday"}]',
            "[0].validAfterTime: 'last tuesday' is not an RFC 3339 timestamp",
        ),
        ('[{"name": "projects/p/keys/k/x", "keyType": "USER_MANAGED"}]', "is not a service-account key name"),
        ('[{"resource": "//x", "policy": []}]', "[0].policy: expected an object"),
        ('{"asset_type": "iam.googleapis.com/ServiceAccount", "name": "//i"}\n{oops', "line 2: invalid JSON"),
    ],
)
def test_malformed_exports_are_one_line_input_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        import_files(path)
    text = err.value.diagnostics()
    assert str(path) in text and message in text, text
    assert "\n" not in text


def test_policy_of_an_unknown_project_among_several_is_an_input_error(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({"bindings": [{"role": "roles/owner", "members": ["user:a@x.example"]}], "etag": "x"})
    )
    with pytest.raises(InputError, match="cannot tell which project"):
        import_files(
            REAL / f"{GCE3}iam-service-accounts.json", REAL / f"{GKE2}iam-service-accounts.json", policy
        )


@pytest.mark.parametrize(
    "doc",
    [
        {"UserDetailList": [], "RoleDetailList": []},
        {"kind": "List", "apiVersion": "v1", "items": []},
        [],
        ["a", "b"],
        {"bindings": []},
        {"value": [{"properties": {"roleDefinitionId": "x"}}]},
    ],
)
def test_other_documents_are_not_claimed(tmp_path: Path, doc: object) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc))
    assert Plugin().recognise(load(path)) is None


def test_cai_export_in_camel_case_json_lines(tmp_path: Path) -> None:
    lines = [
        {
            "name": "//iam.googleapis.com/projects/p-cai/serviceAccounts/200",
            "assetType": "iam.googleapis.com/ServiceAccount",
            "resource": {
                "data": {
                    "email": "etl@p-cai.iam.gserviceaccount.com",
                    "projectId": "p-cai",
                    "uniqueId": "200",
                }
            },
            "ancestors": ["projects/900", "organizations/5"],
        },
        {
            "name": "//iam.googleapis.com/projects/p-cai/serviceAccounts/200",
            "assetType": "iam.googleapis.com/ServiceAccount",
            "iamPolicy": {
                "bindings": [{"role": "roles/iam.serviceAccountUser", "members": ["group:etl@x.example"]}]
            },
            "ancestors": ["projects/900", "organizations/5"],
        },
    ]
    path = tmp_path / "assets.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    inv = import_files(path)
    [ident] = inv.identities
    assert ident.id == "etl@p-cai.iam.gserviceaccount.com"
    assert ident.facts.non_sa_impersonators == ("group:etl@x.example",)
    assert [e.kind for e in inv.edges] == ["gcp.act_as"]
