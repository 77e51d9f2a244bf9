"""Live collection: the real google-cloud-iam (gRPC), resource-manager and asset (REST) clients
against local fakes on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from nhiscan.errors import CollectionError
from nhiscan.inventory_io import dump_inventory
from nhiscan.model import Inventory
from nhiscan.providers.gcp import Plugin, collect_inventory
from nhiscan.providers.gcp.settings import GcpSettings
from nhiscan.providers.interface import CollectOptions
from providers.gcp.gcp_fakes import key_fields
from providers.gcp.gcp_support import AS_OF

CANARY = "CANARY-gcp-private-key-7f3e9a1c"
SA = ".iam.gserviceaccount.com"


def _sa(project: str, local: str, **extra: object) -> dict[str, object]:
    email = local if "@" in local else f"{local}@{project}{SA}"
    return {
        "name": f"projects/{project}/serviceAccounts/{email}",
        "project_id": project,
        "unique_id": str(abs(hash(email)) % 10**20),
        "email": email,
        "display_name": local.split("@")[0],
        **extra,
    }


def seed(f: SimpleNamespace) -> None:
    iam, rest = f.iam, f.rest
    old = datetime(2025, 1, 1, tzinfo=timezone.utc)
    iam.accounts["acme-prod"] = [
        _sa("acme-prod", "ci", description="Pipeline runner. owner: ci-team@acme.example"),
        _sa("acme-prod", "1111-compute@developer.gserviceaccount.com"),
        _sa("acme-prod", "app"),
        _sa("acme-prod", "off", disabled=True),
        _sa("acme-prod", "minter"),
    ]
    iam.keys[f"ci@acme-prod{SA}"] = [
        key_fields(f"ci@acme-prod{SA}", "k-old", "USER_MANAGED", old, private_key_data=CANARY.encode()),
        key_fields(
            f"ci@acme-prod{SA}", "k-sys", "SYSTEM_MANAGED", datetime(2026, 10, 30, tzinfo=timezone.utc)
        ),
    ]
    iam.denied.add(f"off@acme-prod{SA}")  # keys.list and getIamPolicy denied for this SA
    iam.sa_policies[f"app@acme-prod{SA}"] = {
        "bindings": [{"role": "roles/iam.serviceAccountTokenCreator", "members": ["user:dev@acme.example"]}]
    }
    iam.roles["projects/acme-prod/roles/keyMinter"] = [
        "iam.serviceAccountKeys.create",
        "iam.serviceAccounts.list",
    ]
    iam.roles["roles/editor"] = [
        "compute.instances.create",
        "iam.serviceAccounts.actAs",
        "storage.buckets.create",
    ]
    iam.denied.add("roles/dataflow.worker")
    rest.projects["acme-prod"] = {
        "name": "projects/1111",
        "projectId": "acme-prod",
        "displayName": "Acme production",
        "parent": "organizations/4242",
    }
    rest.project_policies["acme-prod"] = {
        "version": 3,
        "etag": "BwY=",
        "bindings": [
            {
                "role": "roles/editor",
                "members": ["serviceAccount:1111-compute@developer.gserviceaccount.com"],
            },
            {
                "role": "roles/owner",
                "members": [f"serviceAccount:ci@acme-prod{SA}", "user:root@acme.example"],
            },
            {
                "role": "projects/acme-prod/roles/keyMinter",
                "members": [f"serviceAccount:minter@acme-prod{SA}"],
            },
            {"role": "roles/dataflow.worker", "members": [f"serviceAccount:app@acme-prod{SA}"]},
        ],
        "auditConfigs": [
            {
                "service": "allServices",
                "auditLogConfigs": [
                    {"logType": "ADMIN_READ"},
                    {"logType": "DATA_READ"},
                    {"logType": "DATA_WRITE"},
                ],
            }
        ],
    }
    # A second project the credentials cannot read at all.
    iam.denied.add("acme-denied")
    rest.denied.add("projects/acme-denied")


def _collect(f: SimpleNamespace, projects: list[str], org: str | None = None, **kw: float) -> Inventory:
    return collect_inventory(f.clients, projects, org, CollectOptions(as_of=AS_OF), **kw)


def test_project_scan_pages_through_accounts_and_reports_the_denied_project(
    gcp_fakes: SimpleNamespace,
) -> None:
    seed(gcp_fakes)
    inv = _collect(gcp_fakes, ["acme-prod", "acme-denied"])

    ids = {i.id for i in inv.identities if i.facts.listed}
    assert ids == {f"{n}@acme-prod{SA}" for n in ("ci", "app", "off", "minter")} | {
        "1111-compute@developer.gserviceaccount.com"
    }
    pages = [c for c in gcp_fakes.iam.calls if c[0] == "ListServiceAccounts" and c[1] == "projects/acme-prod"]
    assert len(pages) == 3  # 5 accounts, 2 per page

    gaps = {(g.scope, g.source, g.status) for g in inv.gaps}
    assert ("gcp:project:acme-denied", "iam.serviceAccounts.list", "denied") in gaps
    assert ("gcp:project:acme-denied", "projects.getIamPolicy", "denied") in gaps
    assert ("gcp:project:acme-prod", f"iam.serviceAccounts.keys.list off@acme-prod{SA}", "denied") in gaps
    assert any(g.source == "iam.roles.get roles/dataflow.worker" and g.status == "denied" for g in inv.gaps)
    assert any(g.source == "iam.roles.get" and "roles/dataflow.worker" in g.detail for g in inv.gaps)

    by_id = {i.id: i for i in inv.identities}
    ci = by_id[f"ci@acme-prod{SA}"]
    assert ci.owner == "ci-team@acme.example"
    assert {"admin", "wildcard", "can_escalate"} <= set(ci.permissions.classes)
    assert ci.facts.basic_roles == ("roles/owner",)
    compute = by_id["1111-compute@developer.gserviceaccount.com"]
    assert compute.facts.default_service_account == "compute"
    assert compute.facts.basic_roles == ("roles/editor",)
    # The custom role was expanded through GetRole: key creation is an escalation path.
    minter = by_id[f"minter@acme-prod{SA}"]
    assert minter.facts.escalation_methods == ("CreateServiceAccountKey",)
    assert "admin" not in minter.permissions.classes
    assert by_id[f"off@acme-prod{SA}"].facts.disabled is True
    assert by_id[f"app@acme-prod{SA}"].facts.unexpanded_roles == ("roles/dataflow.worker",)

    keys = {(c.identity_id, c.id): c for c in inv.credentials}
    old = keys[(f"ci@acme-prod{SA}", "k-old")]
    assert old.facts.key_type == "USER_MANAGED" and old.expires is None
    assert old.created == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert keys[(f"ci@acme-prod{SA}", "k-sys")].facts.key_type == "SYSTEM_MANAGED"

    edges = {(e.src, e.dst, e.kind): e for e in inv.edges}
    sa_edge = edges[("user:dev@acme.example", f"app@acme-prod{SA}", "gcp.impersonate")]
    assert sa_edge.facts.scope_level == "sa"
    assert ("minter@acme-prod" + SA, f"app@acme-prod{SA}", "gcp.create_key") in edges
    assert by_id[f"app@acme-prod{SA}"].facts.non_sa_impersonators == ("user:dev@acme.example",)

    states = {s.scope: s for s in inv.logging}
    assert states["gcp:project:acme-prod"].status == "enabled"
    scopes = {s.key: s for s in inv.scopes}
    assert scopes["gcp:project:acme-prod"].parent == "gcp:organization:4242"
    assert scopes["gcp:project:acme-prod"].name == "Acme production"

    # Role permissions are cached: each distinct role is fetched once.
    gets = [c[1] for c in gcp_fakes.iam.calls if c[0] == "GetRole"]
    assert len(gets) == len(set(gets))


def test_organization_scan_uses_asset_search_and_discovers_projects(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    rest = gcp_fakes.rest
    rest.projects["acme-dev"] = {"name": "projects/2222", "projectId": "acme-dev", "parent": "folders/77"}
    rest.projects["acme-denied"] = {
        "name": "projects/3333",
        "projectId": "acme-denied",
        "parent": "folders/77",
    }
    # Visible to the credentials but in another organisation: the asset search does not name it.
    rest.projects["elsewhere"] = {
        "name": "projects/8888",
        "projectId": "elsewhere",
        "parent": "organizations/1",
    }
    gcp_fakes.iam.accounts["acme-dev"] = [_sa("acme-dev", "builder")]
    rest.org_policies["4242"] = {
        "bindings": [{"role": "roles/iam.serviceAccountUser", "members": ["group:ops@acme.example"]}],
        "auditConfigs": [{"service": "allServices", "auditLogConfigs": [{"logType": "ADMIN_READ"}]}],
    }
    folder = "//cloudresourcemanager.googleapis.com/folders/77"
    rest.search_results["4242"] = [
        {
            "resource": "//cloudresourcemanager.googleapis.com/organizations/4242",
            "assetType": "cloudresourcemanager.googleapis.com/Organization",
            "organization": "organizations/4242",
            "policy": {
                "bindings": [{"role": "roles/iam.serviceAccountUser", "members": ["group:ops@acme.example"]}]
            },
        },
        {
            "resource": folder,
            "assetType": "cloudresourcemanager.googleapis.com/Folder",
            "folders": ["folders/77"],
            "organization": "organizations/4242",
            "policy": {
                "bindings": [
                    {"role": "roles/iam.serviceAccountTokenCreator", "members": ["user:eve@acme.example"]}
                ]
            },
        },
        {
            "resource": "//cloudresourcemanager.googleapis.com/projects/2222",
            "assetType": "cloudresourcemanager.googleapis.com/Project",
            "project": "projects/2222",
            "folders": ["folders/77"],
            "organization": "organizations/4242",
            "policy": {
                "bindings": [{"role": "roles/viewer", "members": ["serviceAccount:builder@acme-dev" + SA]}]
            },
        },
        {
            "resource": f"//iam.googleapis.com/projects/acme-dev/serviceAccounts/builder@acme-dev{SA}",
            "assetType": "iam.googleapis.com/ServiceAccount",
            "project": "projects/2222",
            "folders": ["folders/77"],
            "organization": "organizations/4242",
            "policy": {
                "bindings": [{"role": "roles/iam.serviceAccountUser", "members": ["domain:acme.example"]}]
            },
        },
        *(
            {
                "resource": f"//cloudresourcemanager.googleapis.com/projects/{number}",
                "assetType": "cloudresourcemanager.googleapis.com/Project",
                "project": f"projects/{number}",
                "organization": "organizations/4242",
                "policy": {"bindings": [{"role": "roles/owner", "members": ["user:root@acme.example"]}]},
            }
            for number in ("1111", "3333")
        ),
        {
            "resource": "//storage.googleapis.com/acme-dev-artifacts",
            "assetType": "storage.googleapis.com/Bucket",
            "project": "projects/2222",
            "folders": ["folders/77"],
            "organization": "organizations/4242",
            "policy": {
                "bindings": [
                    {"role": "roles/storage.admin", "members": ["serviceAccount:builder@acme-dev" + SA]}
                ]
            },
        },
    ]

    inv = _collect(gcp_fakes, [], "4242")

    searches = [c for c in rest.calls if c[0] == "searchAllIamPolicies"]
    assert len(searches) == 4  # 7 results, 2 per page
    assert len([c for c in rest.calls if c[0] == "projects.search"]) == 2  # 4 projects, 2 per page
    assert not [c for c in rest.calls if c[1] == "projects/elsewhere"]
    assert not [c for c in gcp_fakes.iam.calls if c[1] == "projects/elsewhere"]
    by_id = {i.id: i for i in inv.identities}
    builder = by_id[f"builder@acme-dev{SA}"]
    # Folder-level Token Creator reaches the project's SA; org-level SA User too.
    assert "user:eve@acme.example" in builder.facts.project_level_impersonators
    assert "group:ops@acme.example" in builder.facts.project_level_impersonators
    assert builder.facts.non_sa_impersonators == ("domain:acme.example",)
    # storage.admin on one bucket is not project-wide admin.
    assert "admin" not in builder.permissions.classes
    assert any(r.resource == "//storage.googleapis.com/acme-dev-artifacts" for r in builder.facts.roles)
    scopes = {s.key: s for s in inv.scopes}
    assert scopes["gcp:project:acme-dev"].parent == "gcp:folder:77"
    assert scopes["gcp:folder:77"].parent == "gcp:organization:4242"
    states = {s.scope: s for s in inv.logging}
    # acme-dev has no audit config of its own; it inherits ADMIN_READ from the organisation.
    assert states["gcp:project:acme-dev"].status == "partial"
    assert states["gcp:project:acme-dev"].facts.inherited_from == ("organizations/4242",)
    assert any(g.scope == "gcp:project:acme-denied" and g.status == "denied" for g in inv.gaps)


def test_denied_asset_search_is_a_gap_and_the_scan_continues(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.rest.denied.add("search/organizations/4242")
    inv = _collect(gcp_fakes, ["acme-prod"], "organizations/4242")
    assert any(g.source == "cloudasset.searchAllIamPolicies" and g.status == "denied" for g in inv.gaps)
    assert any(i.id == f"ci@acme-prod{SA}" for i in inv.identities)


def test_disabled_api_is_reported_as_not_enabled(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.rest.disabled.add("search/organizations/4242")
    inv = _collect(gcp_fakes, ["acme-prod"], "4242")
    gap = next(g for g in inv.gaps if g.source == "cloudasset.searchAllIamPolicies")
    assert gap.status == "not_enabled" and "has not been used" in gap.detail
    assert gap.scope == "gcp:organization:4242"


def test_throttling_is_retried(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.rest.throttle["projects.getIamPolicy"] = 2
    gcp_fakes.iam.throttle["ListServiceAccounts"] = 1
    inv = _collect(gcp_fakes, ["acme-prod"])
    assert not [g for g in inv.gaps if g.status == "throttled"]
    assert {s.scope: s.status for s in inv.logging}["gcp:project:acme-prod"] == "enabled"
    assert len([c for c in gcp_fakes.rest.calls if c[0] == "projects.getIamPolicy"]) == 3


def test_persistent_throttling_becomes_a_throttled_gap(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.iam.throttle["ListServiceAccounts"] = 10_000
    inv = _collect(gcp_fakes, ["acme-prod"], retry_timeout=0.5)
    gap = next(g for g in inv.gaps if g.source == "iam.serviceAccounts.list")
    assert gap.status == "throttled"
    assert not [i for i in inv.identities if i.facts.listed]


def test_nothing_readable_raises_collection_error(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    with pytest.raises(CollectionError, match="nothing could be read"):
        _collect(gcp_fakes, ["acme-denied"])


def test_empty_project_is_an_empty_inventory_not_an_error(gcp_fakes: SimpleNamespace) -> None:
    gcp_fakes.rest.projects["empty"] = {"name": "projects/9", "projectId": "empty"}
    inv = _collect(gcp_fakes, ["empty"])
    assert inv.identities == ()
    assert [s.status for s in inv.logging] == ["disabled"]
    assert not inv.gaps


def test_key_material_never_reaches_the_inventory(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    text = dump_inventory(_collect(gcp_fakes, ["acme-prod"]))
    assert CANARY not in text
    import base64

    assert base64.b64encode(CANARY.encode()).decode() not in text


def test_fake_rejects_write_methods(gcp_fakes: SimpleNamespace) -> None:
    """The read-only guard itself works: a write call is refused and recorded."""
    from google.api_core import exceptions

    with pytest.raises(exceptions.GoogleAPICallError):
        gcp_fakes.clients.iam.delete_service_account(
            name=f"projects/acme-prod/serviceAccounts/ci@acme-prod{SA}"
        )
    with pytest.raises(exceptions.GoogleAPICallError):
        gcp_fakes.clients.projects.set_iam_policy(request={"resource": "projects/acme-prod", "policy": {}})
    assert gcp_fakes.iam.violations == ["/google.iam.admin.v1.IAM/DeleteServiceAccount"]
    assert gcp_fakes.rest.violations == ["POST /v3/projects/acme-prod:setIamPolicy"]
    gcp_fakes.iam.violations.clear()
    gcp_fakes.rest.violations.clear()


def test_collect_without_credentials_is_a_collection_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    with pytest.raises(CollectionError, match="^gcp: "):
        Plugin().collect(CollectOptions(as_of=AS_OF, settings=(GcpSettings(projects=("p",)),)))


def test_credentials_hint(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plugin = Plugin()
    options = CollectOptions(as_of=AS_OF)
    for var in ("GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST", "GCE_METADATA_IP", "K_SERVICE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    assert "application-default login" in (plugin.credentials_hint(options) or "")
    (tmp_path / "application_default_credentials.json").write_text("{}")
    assert plugin.credentials_hint(options) is None
    (tmp_path / "application_default_credentials.json").unlink()
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "sa.json"))
    assert plugin.credentials_hint(options) is None


def test_importing_the_provider_does_not_import_google() -> None:
    code = (
        "import sys, nhiscan.providers.gcp as g; g.Plugin();"
        "bad = [m for m in sys.modules if m.startswith(('google', 'grpc'))]; assert not bad, bad"
    )
    src = str(Path(__file__).resolve().parents[3] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_collect_with_credentials_but_no_project_is_a_collection_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Placeholder values only: google-auth builds the credential without any network call.
    adc = tmp_path / "adc.json"
    adc.write_text(
        '{"type": "authorized_user", "client_id": "id", "client_secret": "placeholder", "refresh_token": "x"}'
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    for var in ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no gcloud binary to ask for a default project
    with pytest.raises(CollectionError, match="no project to scan"):
        Plugin().collect(CollectOptions(as_of=AS_OF))
