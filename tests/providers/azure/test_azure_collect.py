"""The live collector over real HTTP (httpx + a TokenCredential) against the local Graph + ARM
fake: paging, 429 with Retry-After, a 403 on the sign-in report, read-only calls, and agreement
with the offline importer on the same tenant."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import CollectionError
from nhiscan.inventory_io import dump_inventory
from nhiscan.model import Inventory
from nhiscan.providers import get
from nhiscan.providers.azure.settings import AzureSettings
from nhiscan.providers.interface import CollectOptions
from providers.azure.azure_fake_server import FakeAzure, StaticTokenCredential, Tenant
from providers.azure.azure_support import AS_OF, CANARY, DEMO, DEV, PROD, SP, TENANT, build

PLUGIN = get("azure")


def collect(fake: FakeAzure, credential: StaticTokenCredential, **settings: Any) -> Inventory:
    return PLUGIN.collect(
        CollectOptions(
            as_of=AS_OF,
            settings=(
                AzureSettings(
                    credential=credential, graph_endpoint=fake.url, arm_endpoint=fake.url, **settings
                ),
            ),
        )
    )


@pytest.fixture(scope="module")
def live() -> tuple[Inventory, FakeAzure, StaticTokenCredential, float]:
    """One full scan with a 429 on the first applications page, shared by the read-only checks."""
    credential = StaticTokenCredential()
    with FakeAzure(
        Tenant.from_demo(DEMO),
        throttle_once={"/v1.0/applications"},
        deny={"/beta/reports/servicePrincipalSignInActivities"},
    ) as fake:
        start = time.monotonic()
        inv = collect(fake, credential)
        return inv, fake, credential, time.monotonic() - start


def test_live_inventory_matches_offline_import(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
) -> None:
    inv = live[0]
    offline = build(sorted(DEMO.glob("*.json")))

    def ident(i: Any) -> tuple[Any, ...]:
        keep = (
            "app_id",
            "owners",
            "graph_app_permissions",
            "directory_roles",
            "rbac_roles",
            "privileged",
            "mi_type",
            "sponsors",
            "inheritable_scopes",
        )
        facts = tuple(getattr(i.facts, k) for k in keep)
        return (i.id, i.kind, i.name, i.owner, i.permissions.classes, i.managed_by, i.aliases, i.agent, facts)

    assert sorted(map(ident, inv.identities)) == sorted(map(ident, offline.identities))

    def cred(c):
        return (
            c.identity_id,
            c.id,
            c.kind,
            c.created,
            c.expires,
            c.active,
            c.facts,
        )

    assert sorted(map(cred, inv.credentials)) == sorted(map(cred, offline.credentials))
    edge = lambda e: (e.src, e.kind, e.dst)  # noqa: E731
    assert sorted(map(edge, inv.edges)) == sorted(map(edge, offline.edges))
    assert {(e.src, e.kind, e.dst): e.facts for e in inv.edges} == {
        (e.src, e.kind, e.dst): e.facts for e in offline.edges
    }
    assert {s.key for s in inv.scopes} == {s.key for s in offline.scopes}


def test_graph_paging_follows_next_link(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
) -> None:
    _, fake, _, _ = live
    sp_calls = [p for m, p in fake.requests if p.startswith("/v1.0/servicePrincipals?")]
    assert len(sp_calls) == 8  # 15 service principals (agents and blueprint principals too), 2 per page
    assert sum("skiptoken" in p for p in sp_calls) == 7
    assert len(live[0].identities) == 16


def test_throttling_honours_retry_after(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
) -> None:
    inv, fake, _, elapsed = live
    first_pages = [
        p for m, p in fake.requests if p.startswith("/v1.0/applications?") and "skiptoken" not in p
    ]
    assert len(first_pages) == 3  # the 429, its retry, and the federated-credential listing
    assert elapsed >= 1.0  # Retry-After: 1 was waited out
    assert not [c for c in inv.gaps if "applications" in c.source]


def test_sign_in_report_denied_is_a_gap_and_the_scan_goes_on(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
) -> None:
    inv = live[0]
    gap = next(c for c in inv.gaps if "servicePrincipalSignInActivities" in c.source)
    assert gap.status == "denied" and "403" in gap.detail
    ci = next(i for i in inv.identities if i.id == SP["ci"])
    assert ci.last_used is None and ci.facts.sign_in_known is False
    assert ci.facts.rbac_roles_at_broad_scope == ("Owner",)  # later calls still happened
    secret = next(c for c in inv.credentials if c.identity_id == SP["ci"])
    assert secret.last_used is not None and secret.last_used.isoformat().startswith("2026-10-30")
    assert len(inv.gaps) == 1


def test_live_logging_reads_every_subscription(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
) -> None:
    states = {lg.scope: lg.status for lg in live[0].logging}
    assert states == {
        f"azure:subscription:{PROD}": "enabled",
        f"azure:subscription:{DEV}": "disabled",  # live, an empty listing is definite
        f"azure:tenant:{TENANT}": "disabled",
    }


def test_only_read_calls_with_a_bearer_token(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
) -> None:
    _, fake, credential, _ = live
    assert fake.violations == [] and fake.bad_auth == []
    assert {m for m, _ in fake.requests} == {"GET", "POST"}
    assert {p.split("?")[0] for m, p in fake.requests if m == "POST"} == {
        "/providers/Microsoft.ResourceGraph/resources"
    }
    assert set(credential.scopes) == {
        "https://graph.microsoft.com/.default",
        "https://management.azure.com/.default",
    }


def test_selected_subscription_and_tenant(fake: FakeAzure, credential: StaticTokenCredential) -> None:
    inv = collect(fake, credential, subscriptions=(PROD.upper(),), tenant=TENANT)
    paths = [p for _, p in fake.requests]
    assert not any(p.startswith("/subscriptions?") for p in paths)
    assert not any(DEV in p for p in paths)
    assert not any(p.startswith("/v1.0/organization") for p in paths)
    assert {s.id for s in inv.scopes if s.type == "subscription"} == {PROD}
    assert set(credential.tenants) == {TENANT}


def test_many_subscriptions_read_rbac_through_resource_graph(
    live: tuple[Inventory, FakeAzure, StaticTokenCredential, float],
    tenant: Tenant,
    credential: StaticTokenCredential,
) -> None:
    with FakeAzure(tenant) as fake:
        inv = collect(fake, credential, resource_graph_threshold=1)
    paths = [p for _, p in fake.requests]
    assert not any("Microsoft.Authorization" in p for p in paths)  # no per-subscription RBAC calls
    queries = [p for m, p in fake.requests if m == "POST"]
    assert len(queries) == 4 + 3 + 3  # assignments (8 rows), definitions (6), identities (5), 2 per page

    def rbac(i: Any) -> tuple[Any, ...]:
        return (i.id, i.facts.rbac_roles, i.permissions.classes)

    assert sorted(map(rbac, inv.identities)) == sorted(map(rbac, live[0].identities))


def test_throttled_past_the_budget_is_reported(tenant: Tenant, credential: StaticTokenCredential) -> None:
    with FakeAzure(tenant, throttle_always={"/v1.0/roleManagement"}, retry_after="0") as fake:
        inv = collect(fake, credential, max_retries=1)
    gap = next(c for c in inv.gaps if "roleManagement" in c.source)
    assert gap.status == "throttled"
    assert len([p for _, p in fake.requests if p.startswith("/v1.0/roleManagement")]) == 2


def test_503_past_the_budget_is_throttled_not_an_error(
    tenant: Tenant, credential: StaticTokenCredential
) -> None:
    # Graph and ARM answer 503 with Retry-After when they throttle: the shared status mapping calls
    # a 503 an error, so the Azure client overrides it.
    with FakeAzure(
        tenant, throttle_always={"/v1.0/roleManagement"}, retry_after="0", throttle_status=503
    ) as fake:
        inv = collect(fake, credential, max_retries=1)
    gap = next(c for c in inv.gaps if "roleManagement" in c.source)
    assert gap.status == "throttled" and "HTTP 503" in gap.detail
    assert len([p for _, p in fake.requests if p.startswith("/v1.0/roleManagement")]) == 2


def test_everything_denied_raises_collection_error(tenant: Tenant, credential: StaticTokenCredential) -> None:
    with FakeAzure(tenant, deny={"/"}) as fake, pytest.raises(CollectionError) as err:
        collect(fake, credential)
    assert "nothing could be read" in err.value.diagnostics() and err.value.exit_code == 3


def test_canary_secret_served_live_never_reaches_output(
    tenant: Tenant, credential: StaticTokenCredential
) -> None:
    tenant.applications[0]["passwordCredentials"][0]["secretText"] = CANARY
    tenant.applications[0]["passwordCredentials"][0]["hint"] = CANARY[:3]
    with FakeAzure(tenant) as fake:
        inv = collect(fake, credential)
    out = dump_inventory(inv)
    assert CANARY not in out and "Zq8~" not in out and '"hint"' not in out


def test_credentials_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    opts = CollectOptions(as_of=AS_OF)
    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path / "missing"))
    reason = PLUGIN.credentials_hint(opts)
    assert reason and "no Azure credentials" in reason
    monkeypatch.setenv("IDENTITY_ENDPOINT", "http://169.254.169.254/")
    assert PLUGIN.credentials_hint(opts) is None
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    assert PLUGIN.credentials_hint(opts) is None


def test_importing_the_provider_loads_no_sdk() -> None:
    code = (
        "import sys, nhiscan.providers.azure as a; a.Plugin();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'azure')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
