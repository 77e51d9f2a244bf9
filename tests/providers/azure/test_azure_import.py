"""Offline import of az / Graph / ARM exports: the demo tenant, the real exported files, and
every kind of bad input (one-line InputError naming the file and field)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import InputError
from nhiscan.inventory_io import dump_inventory, inventory_from_dict, inventory_to_dict
from nhiscan.model import Inventory
from nhiscan.providers.azure.facts import (
    AzureCredentialFacts,
    AzureIdentityFacts,
    AzureLoggingFacts,
    RbacRole,
)
from providers.azure.azure_support import (
    AGENT_IDENTITY_IDS,
    CANARY,
    DEMO,
    DEV,
    PLUGIN,
    PROD,
    SP,
    TENANT,
    build,
    by_id,
    loaded,
)


@pytest.fixture(scope="module")
def demo_inv() -> Inventory:
    return build(sorted(DEMO.glob("*.json")))


EXPECTED_TYPES = {
    "accounts.json": "azure.subscriptions",
    "agent-blueprint-federated-credentials.json": "azure.agent_blueprints",
    "agent-blueprint-inheritable-permissions-helpdesk.json": "azure.agent_blueprint_inheritable_permissions",
    "agent-blueprint-inheritable-permissions-research.json": "azure.agent_blueprint_inheritable_permissions",
    "agent-blueprint-sponsors.json": "azure.agent_blueprints",
    "agent-blueprints.json": "azure.agent_blueprints",
    "agent-identities.json": "azure.agent_identities",
    "agent-identity-sponsors.json": "azure.agent_identities",
    "app-credential-sign-in-activity.json": "azure.credential_sign_in_activity",
    "app-federated-credentials.json": "azure.applications",
    "app-list.json": "azure.applications",
    "app-owners.json": "azure.applications",
    "diagnostic-settings-northwind-prod.json": "azure.activity_log_diagnostic_settings",
    "directory-role-assignments.json": "azure.directory_role_assignments",
    "entra-diagnostic-settings.json": "azure.entra_diagnostic_settings",
    "graph-app-role-assignments.json": "azure.app_role_assignments",
    "identity-resources.json": "azure.resources",
    "role-assignments.json": "azure.role_assignments",
    "role-definitions.json": "azure.role_definitions",
    "sp-list.json": "azure.service_principals",
    "sp-sign-in-activity.json": "azure.sign_in_activity",
    "uami-federated-credentials.json": "azure.managed_identity_federated_credentials",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TYPES))
def test_recognises_each_demo_export(demo_dir: Path, name: str) -> None:
    assert PLUGIN.recognise(loaded(demo_dir / name)) == EXPECTED_TYPES[name]


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {},
        {"UserDetailList": [], "RoleDetailList": []},
        [{"kind": "ServiceAccount", "metadata": {"name": "x"}}],
        [1, 2, 3],
        "text",
    ],
)
def test_does_not_claim_foreign_documents(tmp_path: Path, doc: Any) -> None:
    p = tmp_path / "x.json"
    p.write_text(json.dumps(doc))
    assert PLUGIN.recognise(loaded(p)) is None


def test_demo_identities_kinds_and_scope(demo_inv: Inventory) -> None:
    ids = by_id(demo_inv)
    assert set(ids) == set(SP.values()) | AGENT_IDENTITY_IDS  # agents and blueprint principals once each
    assert ids[SP["mi_vm"]].kind == "azure.managed_identity"
    assert ids[SP["mi_vm"]].facts.mi_type == "system"
    assert ids[SP["mi_user"]].facts.mi_type == "user"
    assert ids[SP["app_only"]].kind == "azure.application"
    assert ids[SP["ci"]].kind == "azure.service_principal"
    assert {i.scope for i in demo_inv.identities} == {f"azure:tenant:{TENANT}"}
    subs = {s.id: s for s in demo_inv.scopes if s.type == "subscription"}
    assert subs[PROD].name == "northwind-prod" and subs[PROD].parent == f"azure:tenant:{TENANT}"
    assert set(subs) == {PROD, DEV}
    assert next(s for s in demo_inv.scopes if s.type == "tenant").name == "Northwind Robotics (demo)"


def test_demo_identity_facts(demo_inv: Inventory) -> None:
    ids = by_id(demo_inv)
    ci = ids[SP["ci"]]
    assert isinstance(ci.facts, AzureIdentityFacts) and ci.attributes == {}
    assert ci.facts.app_id == "000000a2-4a2b-4c3d-8e4f-0000000000a2"
    assert ci.aliases == (
        "000000a2-4a2b-4c3d-8e4f-0000000000a2",
        "000000a1-4a2b-4c3d-8e4f-0000000000a1",
    )
    assert ci.managed_by == "customer" and ci.facts.tenant_id == TENANT
    assert ci.owner == "alice@northwind.example" and ci.facts.owners_known is True
    assert ci.facts.rbac_roles == (
        RbacRole(role="Owner", scope=f"/subscriptions/{PROD}", scope_level="subscription"),
    )
    assert "admin" in ci.permissions.classes and ci.facts.privileged is True
    assert ci.created is not None and ci.created.year == 2025
    assert ci.last_used is not None and ci.last_used.isoformat().startswith("2026-10-30")
    assert ids[SP["msgraph"]].managed_by == "provider"
    vendor = ids[SP["vendor"]]
    assert vendor.managed_by == "third_party" and vendor.facts.multi_tenant is True
    assert vendor.facts.app_owner_organization_id not in (None, TENANT)
    assert vendor.facts.verified_publisher is False
    assert vendor.facts.graph_app_permissions == ("Directory.ReadWrite.All", "Mail.Read")
    assert ids[SP["graph_auto"]].facts.graph_app_permissions == (
        "Application.ReadWrite.All",
        "RoleManagement.ReadWrite.Directory",
    )
    assert ids[SP["helpdesk"]].facts.directory_roles == ("Cloud Application Administrator",)
    assert ids[SP["helpdesk"]].tags == {"owner": "it-helpdesk"}
    assert ids[SP["app_only"]].owner == "research-team"  # from the notes hint
    assert ids[SP["mi_user"]].permissions.classes == ("secret_read",)
    assert ids[SP["mi_user"]].owner == "payments-team"  # tag on the identity's ARM resource
    assert ids[SP["mi_user"]].tags == {"owner": "payments-team", "env": "prod"}
    assert ids[SP["gha"]].facts.rbac_roles_at_broad_scope == ("Contributor",)
    grants = {g.kind for g in ids[SP["graph_auto"]].permissions.grants}
    assert grants == {"app_role"}


def test_demo_credentials(demo_inv: Inventory) -> None:
    creds = {(c.identity_id, c.id): c for c in demo_inv.credentials}
    secret = creds[(SP["ci"], "00000a10-4a2b-4c3d-8e4f-000000000a10")]
    assert secret.kind == "azure.client_secret" and secret.facts.source == "application"
    assert (secret.expires - secret.created).days == 400
    assert secret.last_used is not None and secret.facts.sign_in_known is True
    cert = creds[(SP["graph_auto"], "00000c10-4a2b-4c3d-8e4f-000000000c10")]
    assert cert.kind == "azure.certificate" and cert.active is False
    fic = creds[(SP["gha"], "any-repo")]
    assert fic.kind == "azure.federated_credential"
    assert isinstance(fic.facts, AzureCredentialFacts) and fic.attributes == {}
    assert fic.facts.subject == "repo:northwind/*"
    assert fic.facts.issuer == "https://token.actions.githubusercontent.com"
    assert fic.facts.audiences == ("api://AzureADTokenExchange",)
    assert creds[(SP["app_only"], "00001010-4a2b-4c3d-8e4f-000000001010")].expires.year == 2299
    mi_fic = creds[(SP["mi_user"], "aks-payments-api")]
    assert mi_fic.kind == "azure.federated_credential" and mi_fic.facts.source == "managed_identity"
    assert mi_fic.facts.subject == "system:serviceaccount:payments:api"
    for c in demo_inv.credentials:
        assert c.attributes == {} and isinstance(c.facts, AzureCredentialFacts)


def test_demo_edges(demo_inv: Inventory) -> None:
    edges = {(e.src, e.kind, e.dst) for e in demo_inv.edges}
    any_sp = f"azure-tenant:{TENANT}/any-sp"
    assert ("1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "azure.owner_add_credential", SP["ci"]) in edges
    assert (SP["graph_auto"], "azure.app_permission", any_sp) in edges
    assert (SP["helpdesk"], "azure.directory_role_add_credential", any_sp) in edges
    assert ("51627384-9eaf-40b1-82d3-e4f506172839", "azure.directory_role_add_credential", any_sp) in edges
    vm = f"/subscriptions/{PROD}/resourcegroups/ci/providers/microsoft.compute/virtualmachines/build-agent-01"
    func = f"/subscriptions/{PROD}/resourcegroups/payments/providers/microsoft.web/sites/payments-api"
    assert (vm, "azure.managed_identity", SP["mi_vm"]) in edges
    assert (func, "azure.managed_identity", SP["mi_user"]) in edges
    # One virtual "any SP" node per tenant keeps the edge count linear in principals.
    # 10 + 6 agent <-> blueprint + 2 AI resources x (managed_identity, runs_as) + 1 blueprint owner
    assert len(demo_inv.edges) == 21


def test_demo_logging_and_coverage(demo_inv: Inventory) -> None:
    states = {lg.scope: lg for lg in demo_inv.logging}
    assert states[f"azure:subscription:{PROD}"].status == "enabled"
    # An empty diagnostic-settings export cannot say which subscription it is for.
    assert states[f"azure:subscription:{DEV}"].status == "unknown"
    entra = states[f"azure:tenant:{TENANT}"]
    assert entra.status == "disabled"
    assert entra.facts == AzureLoggingFacts(
        kind="entra_diagnostic_settings",
        settings=("entra-to-law",),
        categories=("AuditLogs", "SignInLogs"),  # exported, but not the service-principal logs
        missing_categories=("ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"),
    )
    assert demo_inv.gaps == ()


def test_round_trips_through_inventory_json(demo_inv: Inventory) -> None:
    data = json.loads(dump_inventory(demo_inv))
    again = inventory_from_dict(data, "memory")
    assert inventory_to_dict(again) == inventory_to_dict(demo_inv)
    # The typed facts come back as the same dataclasses, not as dicts.
    assert again.identities == demo_inv.identities
    assert again.credentials == demo_inv.credentials
    assert again.edges == demo_inv.edges and again.logging == demo_inv.logging


def test_canary_secret_never_reaches_output(demo_dir: Path, tmp_path: Path) -> None:
    for p in demo_dir.glob("*.json"):
        shutil.copy(p, tmp_path / p.name)
    apps = json.loads((tmp_path / "app-list.json").read_text())
    apps[0]["passwordCredentials"][0]["secretText"] = CANARY
    apps[0]["passwordCredentials"][0]["hint"] = CANARY[:3]
    (tmp_path / "app-list.json").write_text(json.dumps(apps))
    inv = build(sorted(tmp_path.glob("*.json")))
    out = dump_inventory(inv)
    assert CANARY not in out and "Zq8~" not in out
    assert any(c.id == "00000a10-4a2b-4c3d-8e4f-000000000a10" for c in inv.credentials)


def test_missing_optional_exports_are_reported_as_gaps(demo_dir: Path) -> None:
    inv = build([demo_dir / "sp-list.json", demo_dir / "app-list.json"])
    sources = {c.source: c.status for c in inv.gaps}
    assert sources["azure.sign_in_activity"] == "unknown"
    assert sources["azure.app_role_assignments"] == "unknown"
    assert sources["owners"] == "unknown"
    assert sources["microsoft.aadiam/diagnosticSettings"] == "unknown"
    ci = by_id(inv)[SP["ci"]]
    assert ci.facts.owners_known is False and ci.facts.sign_in_known is False


def test_tenant_setting_wins(demo_dir: Path) -> None:
    inv = build([demo_dir / "sp-list.json"], tenant="11111111-2222-3333-4444-555555555555")
    assert {s.id for s in inv.scopes if s.type == "tenant"} == {"11111111-2222-3333-4444-555555555555"}


def test_truncated_graph_page_is_a_gap(demo_dir: Path, tmp_path: Path) -> None:
    page = json.loads((demo_dir / "graph-app-role-assignments.json").read_text())
    page["@odata.nextLink"] = (
        "https://graph.microsoft.com/v1.0/servicePrincipals/x/appRoleAssignedTo?$skiptoken=abc"
    )
    p = tmp_path / "page.json"
    p.write_text(json.dumps(page))
    inv = build([demo_dir / "sp-list.json", p])
    assert any("nextLink" in c.detail for c in inv.gaps)


# -- real exported files ------------------------------------------------------------------------


def test_real_role_assignment_list_without_principal_names(real_dir: Path) -> None:
    inv = build([real_dir / "nabilshams__call-center-voice-agent-accelerator__role_assignments.json"])
    assert len(inv.identities) == 25  # distinct ServicePrincipal principals; users are not NHIs
    one = by_id(inv)["95a9661d-c13e-4bb4-8aa0-529009abbdaa"]
    assert set(one.facts.rbac_roles_at_broad_scope) == {"User Access Administrator", "Owner"}
    assert "admin" in one.permissions.classes
    assert one.facts.in_directory_export is False and one.facts.orphaned_role_assignment is False
    assert one.facts.app_id is None and one.aliases == () and one.managed_by == "customer"
    levels = {r.scope_level for i in inv.identities for r in i.facts.rbac_roles}
    assert levels == {"root", "management_group", "subscription"}
    assert {s.id for s in inv.scopes if s.type == "subscription"} == {"5e5ef20b-2ca7-40c1-b4a1-58750a211fe8"}


def test_real_graph_powershell_exports_are_imported(real_dir: Path) -> None:
    prefix = "cisagov__ScubaGear__PowerShell__ScubaGear__Testing__Unit__PowerShell__Providers__AADProvider__RiskyPermissionsSnippets__"
    sps, apps = real_dir / f"{prefix}MockServicePrincipals.json", real_dir / f"{prefix}MockApplications.json"
    assert sps.read_bytes().startswith(b"\xff\xfe")  # UTF-16LE with BOM
    inv = build([sps, apps])
    ids = by_id(inv)
    assert ids["00000000-0000-0000-0000-000000000010"].name == "Test SP 1"
    creds = [c for c in inv.credentials if c.identity_id == "00000000-0000-0000-0000-000000000010"]
    assert {c.kind for c in creds} == {"azure.client_secret", "azure.certificate"}
    secret = next(
        c for c in creds if c.kind == "azure.client_secret" and c.facts.source == "service_principal"
    )
    assert secret.created.isoformat() == "2024-12-04T20:22:22+00:00"  # \/Date(1733343742000)\/
    assert secret.expires.year == 2100


def test_real_bare_federated_credentials_are_rejected(real_dir: Path) -> None:
    path = real_dir / (
        "cisagov__ScubaGear__PowerShell__ScubaGear__Testing__Unit__PowerShell__Providers__AADProvider__"
        "RiskyPermissionsSnippets__MockFederatedCredentials.json"
    )
    with pytest.raises(InputError) as err:
        build([path])
    assert "which application" in str(err.value) and "\n" not in str(err.value)
    assert str(path) in str(err.value)


def test_real_vcr_cassette_is_rejected_but_its_rest_bodies_import(real_dir: Path, tmp_path: Path) -> None:
    path = (
        real_dir
        / "cloud-custodian__cloud-custodian__tools__c7n_azure__tests_azure__cassettes__AccessControlTest.test_find_assignments_by_role.json"
    )
    with pytest.raises(InputError) as err:
        build([path])
    assert "vcrpy cassette" in str(err.value) and "\n" not in str(err.value)
    # The REST body inside it ({value: [{id, name, type, properties}]}) is accepted on its own.
    body = json.loads(path.read_text())["interactions"][0]["response"]["body"]["data"]
    rest = tmp_path / "role-assignments-rest.json"
    rest.write_text(json.dumps(body))
    assert PLUGIN.recognise(loaded(rest)) == "azure.role_assignments"
    inv = build([rest])
    assert {s.id for s in inv.scopes if s.type == "subscription"} == {"ea42f556-5106-4743-99b0-c129bfa71a47"}
    roles = {r.role for i in inv.identities for r in i.facts.rbac_roles}
    # No roleDefinitionName in the REST shape: built-in role ids resolve to their names.
    assert roles == {
        "Owner",
        "Contributor",
        "Reader",
        "Storage Blob Data Contributor",
        "Storage Queue Data Contributor",
    }


# -- malformed input ----------------------------------------------------------------------------


def _write(tmp_path: Path, doc: Any) -> Path:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    return p


SP_OK = {
    "id": "11111111-1111-1111-1111-111111111111",
    "appId": "22222222-2222-2222-2222-222222222222",
    "servicePrincipalType": "Application",
}


@pytest.mark.parametrize(
    ("doc", "expect"),
    [
        ([SP_OK, {**SP_OK, "id": None}], "'id'"),
        ([{**SP_OK, "passwordCredentials": {"keyId": "x"}}], "'passwordCredentials' should be a list"),
        (
            [{**SP_OK, "passwordCredentials": [{"keyId": "k", "endDateTime": "next tuesday"}]}],
            "'endDateTime' is not a date",
        ),
        ([{**SP_OK, "keyCredentials": [{"displayName": "no key id"}]}], "'keyId'"),
        ([SP_OK, "not an object"], "item [1]"),
        (
            [
                {
                    "id": "/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/1",
                    "principalId": 5,
                    "roleDefinitionId": "r",
                    "scope": "/",
                }
            ],
            "'principalId'",
        ),
    ],
)
def test_malformed_items_give_one_line_errors(tmp_path: Path, doc: Any, expect: str) -> None:
    p = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        build([p])
    message = err.value.diagnostics()
    assert expect in message and str(p) in message and "\n" not in message


def test_malformed_error_never_echoes_a_secret(tmp_path: Path) -> None:
    doc = [{**SP_OK, "passwordCredentials": [{"keyId": "k", "secretText": CANARY, "endDateTime": "garbage"}]}]
    with pytest.raises(InputError) as err:
        build([_write(tmp_path, doc)])
    assert CANARY not in err.value.diagnostics()


def test_inventory_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, 'tests');"
        "from pathlib import Path; from providers.azure.azure_support import DEMO, build;"
        "from nhiscan.inventory_io import dump_inventory;"
        "print(dump_inventory(build(sorted(DEMO.glob('*.json')))))"
    )
    repo = DEMO.parents[2]
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=repo,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outs) == 1
