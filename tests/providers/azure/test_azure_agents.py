"""Entra Agent ID agent identities and blueprints, and managed identities of AI resources: offline
import of the Graph exports, live collection against the local Graph fake (paging, the sponsors
fallback, 403 on the agent APIs), classification of agents inside plain service-principal
listings, bad input, the rules' goldens, and a blueprint secret that must appear nowhere."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import InputError
from nhiscan.facts import AgentFacts
from nhiscan.inventory_io import dump_inventory
from nhiscan.model import Inventory
from nhiscan.providers.azure.facts import AzureIdentityFacts, InheritableScopes
from nhiscan.providers.azure.settings import AzureSettings
from nhiscan.providers.interface import CollectOptions
from providers.azure.azure_fake_server import FakeAzure, StaticTokenCredential, Tenant
from providers.azure.azure_support import AGENT, AS_OF, CANARY, DEMO, PLUGIN, PROD, SP, build, by_id, loaded

AGENT_FILES = sorted(DEMO.glob("agent-*.json"))
AS_OF_ARGS = ["--as-of", "2026-11-01T00:00:00Z"]
FOUNDRY = f"/subscriptions/{PROD}/resourcegroups/ai/providers/microsoft.cognitiveservices/accounts/northwind-foundry"
ML = f"/subscriptions/{PROD}/resourcegroups/ai/providers/microsoft.machinelearningservices/workspaces/northwind-ml"


@pytest.fixture(scope="module")
def demo_inv() -> Inventory:
    return build(sorted(DEMO.glob("*.json")))


def collect(fake: FakeAzure, **settings: Any) -> Inventory:
    return PLUGIN.collect(
        CollectOptions(
            as_of=AS_OF,
            settings=(
                AzureSettings(
                    credential=StaticTokenCredential(),
                    graph_endpoint=fake.url,
                    arm_endpoint=fake.url,
                    **settings,
                ),
            ),
        )
    )


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# -- offline -------------------------------------------------------------------------------------


def test_agent_identities_and_blueprints_from_the_demo(demo_inv: Inventory) -> None:
    ids = by_id(demo_inv)
    triage, autofix, research = ids[AGENT["triage"]], ids[AGENT["autofix"]], ids[AGENT["research"]]
    assert {triage.kind, autofix.kind, research.kind} == {"agent.entra_agent_identity"}
    assert triage.name == "helpdesk-triage-agent" and triage.owner == "bob@northwind.example"
    a = triage.facts
    assert isinstance(a, AzureIdentityFacts)
    assert a.blueprint_id == AGENT["helpdesk_bp"] and a.blueprint_app_id == AGENT["helpdesk_bp_app"]
    assert a.blueprint_name == "helpdesk-agent-blueprint"
    assert (a.sponsors, a.sponsors_known, a.owners, a.owners_known) == (
        ("bob@northwind.example",),
        True,
        (),
        True,
    )
    assert a.account_enabled is True
    assert triage.agent == AgentFacts(platform="entra", runs_as=(AGENT["triage"],))
    # Only the cross-identity agent keys the shared agent rules read stay in attributes;
    # runs_as matches the typed AgentFacts.runs_as (NHI-AGT-001's message names it).
    assert triage.attributes == {"runs_as": AGENT["triage"], "runs_as_classes": ["secret_read"]}
    # The blueprint principal's Graph app role reaches every child agent.
    assert a.inherited_graph_app_permissions == ("Mail.Read",)
    grant = next(g for g in triage.permissions.grants if g.role == "Mail.Read")
    assert grant.via == "inherited from blueprint helpdesk-agent-blueprint"
    assert a.inheritable_all_scopes is True and a.inheritable_high_privilege_scopes == ("Mail.Send",)
    assert autofix.owner is None and autofix.facts.sponsors == ()
    assert autofix.attributes["runs_as_classes"][0] == "admin"  # Owner on the prod subscription
    assert research.facts.owners == ("dave@northwind.example",)
    assert research.facts.inheritable_all_scopes is False

    bp = ids[AGENT["helpdesk_bp"]]
    assert bp.kind == "agent.entra_agent_blueprint" and bp.name == "helpdesk-agent-blueprint"
    b = bp.facts
    assert bp.aliases == (AGENT["helpdesk_bp_app"], AGENT["helpdesk_bp_sp"])
    assert bp.agent == AgentFacts(platform="entra", runs_as=(AGENT["helpdesk_bp_sp"],))
    assert b.blueprint_principal_id == AGENT["helpdesk_bp_sp"]
    assert b.agent_ids == (AGENT["triage"], AGENT["autofix"]) and bp.attributes["agent_count"] == 2
    assert bp.attributes["runs_as"] == AGENT["helpdesk_bp_sp"]
    assert b.sponsors == ("bob@northwind.example",) and b.owners == () and b.owners_known is True
    assert b.inheritable_scopes == (
        InheritableScopes(
            resource_app_id="00000003-0000-0000-c000-000000000000",
            resource="Microsoft Graph",
            kind="enumeratedScopes",
            scopes=("User.Read", "Mail.Send"),
        ),
        InheritableScopes(
            resource_app_id="00000003-0000-0ff1-ce00-000000000000",
            resource="Office 365 SharePoint Online",
            kind="allAllowedScopes",
            scopes=(),
        ),
    )
    assert b.inheritable_all_scopes_resources == ("Office 365 SharePoint Online",)
    assert bp.attributes["runs_as_classes"] == ["secret_read"] and b.graph_app_permissions == ("Mail.Read",)
    assert ids[AGENT["research_bp"]].facts.owners == ("dave@northwind.example",)


def test_blueprint_credentials_and_agent_edges(demo_inv: Inventory) -> None:
    creds = {(c.identity_id, c.id): c for c in demo_inv.credentials}
    secret = creds[(AGENT["helpdesk_bp"], "00000a61-4a2b-4c3d-8e4f-000000000a61")]
    assert secret.kind == "azure.client_secret" and secret.active and secret.facts.source == "application"
    fic = creds[(AGENT["research_bp"], "research-runtime-mi")]
    assert fic.kind == "azure.federated_credential" and fic.facts.subject == SP["mi_user"]
    assert not any(c.identity_id in (AGENT["triage"], AGENT["autofix"]) for c in demo_inv.credentials)
    edges = {(e.src, e.kind, e.dst) for e in demo_inv.edges}
    assert (AGENT["triage"], "agent.inherits_from", AGENT["helpdesk_bp"]) in edges
    assert (AGENT["helpdesk_bp"], "azure.blueprint_impersonation", AGENT["autofix"]) in edges
    assert (AGENT["research"], "agent.inherits_from", AGENT["research_bp"]) in edges
    dave = "40516273-8d9e-4fa0-b1c2-d3e4f5061728"  # owns the research agent and its blueprint
    assert (dave, "azure.owner_add_credential", AGENT["research_bp"]) in edges
    assert (dave, "azure.owner_add_credential", AGENT["research"]) not in edges
    assert (FOUNDRY, "agent.runs_as", SP["mi_foundry"]) in edges
    assert (ML, "agent.runs_as", SP["mi_user"]) in edges


def test_no_double_counting_of_agents_and_blueprint_principals(demo_inv: Inventory) -> None:
    ids = [i.id for i in demo_inv.identities]
    assert len(ids) == len(set(ids))
    # sp-list.json lists the triage agent and both blueprint principals as service principals.
    assert AGENT["helpdesk_bp_sp"] not in ids and AGENT["research_bp_sp"] not in ids
    assert not [i for i in demo_inv.identities if i.kind == "azure.application" and i.id.startswith("000002")]


def test_managed_identities_of_ai_resources(demo_inv: Inventory) -> None:
    ids = by_id(demo_inv)
    foundry = ids[SP["mi_foundry"]].facts
    assert foundry.ai_resource == FOUNDRY
    assert foundry.ai_resource_types == ("microsoft.cognitiveservices/accounts",)
    assert ids[SP["mi_user"]].facts.ai_resources == (ML,)
    assert ids[SP["mi_vm"]].facts.ai_resource is None and ids[SP["mi_vm"]].facts.ai_resources == ()
    # Managed identities of AI resources are not agents themselves: no agent facts.
    assert ids[SP["mi_foundry"]].agent is None


def test_agents_in_a_plain_service_principal_export_only(tmp_path: Path) -> None:
    """``az ad sp list`` alone: the agent is still an agent (sponsors unknown) and the missing
    agent export is a reported gap."""
    inv = build([DEMO / "sp-list.json", DEMO / "app-list.json"])
    ids = by_id(inv)
    triage = ids[AGENT["triage"]]
    assert triage.kind == "agent.entra_agent_identity" and triage.facts.sponsors_known is False
    assert ids[AGENT["helpdesk_bp"]].kind == "agent.entra_agent_blueprint"
    assert ids[AGENT["helpdesk_bp"]].facts.inheritable_scopes_known is False
    assert any(g.source == "azure.agent_identities" and g.status == "unknown" for g in inv.gaps)
    # Without @odata.type (older exports), agentIdentityBlueprintId alone marks an agent.
    sps = json.loads((DEMO / "sp-list.json").read_text())
    for sp in sps:
        sp.pop("@odata.type", None)
    (tmp_path / "sp.json").write_text(json.dumps(sps))
    again = by_id(build([tmp_path / "sp.json", DEMO / "app-list.json"]))
    assert again[AGENT["triage"]].kind == "agent.entra_agent_identity"
    assert AGENT["helpdesk_bp_sp"] not in again  # matched to its blueprint by appId


def test_mixed_listings_are_sorted_object_by_object(tmp_path: Path) -> None:
    sps = json.loads((DEMO / "sp-list.json").read_text())
    is_agent = [s.get("@odata.type") == "#microsoft.graph.agentIdentity" for s in sps]
    agents_first = [s for s, a in zip(sps, is_agent, strict=True) if a] + [
        s for s, a in zip(sps, is_agent, strict=True) if not a
    ]
    pages = {
        # az ad sp list with an agent first: recognised as agents, regular SPs still SPs
        "az.json": (agents_first, "azure.agent_identities"),
        # a plain Graph page: the context says service principals whatever comes first
        "graph.json": (
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals",
                "value": agents_first,
            },
            "azure.service_principals",
        ),
        # a blueprint-principal cast listing whose objects carry no @odata.type
        "principals.json": (
            {
                "@odata.context": "https://graph.microsoft.com/beta/$metadata#servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal",
                "value": [
                    {k: v for k, v in s.items() if k != "@odata.type"}
                    for s in sps
                    if s["id"] in (AGENT["helpdesk_bp_sp"], AGENT["research_bp_sp"])
                ],
            },
            "azure.service_principals",
        ),
    }
    for name, (doc, expected) in pages.items():
        (tmp_path / name).write_text(json.dumps(doc))
        assert PLUGIN.recognise(loaded(tmp_path / name)) == expected, name
    for name in ("az.json", "graph.json"):
        kinds = {i.id: i.kind for i in build([tmp_path / name]).identities}
        assert kinds[AGENT["autofix"]] == "agent.entra_agent_identity"
        assert kinds[SP["ci"]] == "azure.service_principal" and kinds[SP["mi_vm"]] == "azure.managed_identity"
        assert kinds[AGENT["helpdesk_bp_sp"]] == "agent.entra_agent_blueprint"
    kinds = {i.id: i.kind for i in build([tmp_path / "principals.json"]).identities}
    assert kinds == {
        AGENT["helpdesk_bp_sp"]: "agent.entra_agent_blueprint",
        AGENT["research_bp_sp"]: "agent.entra_agent_blueprint",
    }


def test_blueprint_registered_in_another_tenant_is_known_by_its_principal() -> None:
    """A multi-tenant blueprint's application lives in its home tenant: here only its principal
    (and the agents) are listed, and the principal stands for the blueprint."""
    inv = build([DEMO / "sp-list.json", DEMO / "graph-app-role-assignments.json"])
    ids = by_id(inv)
    bp = ids[AGENT["helpdesk_bp_sp"]]
    assert bp.kind == "agent.entra_agent_blueprint" and bp.facts.app_object_id is None
    assert bp.facts.agent_ids == (AGENT["triage"], AGENT["autofix"])
    assert bp.attributes["runs_as_classes"] == ["secret_read"]
    assert ids[AGENT["triage"]].facts.blueprint_id == AGENT["helpdesk_bp_sp"]
    edges = {(e.src, e.kind, e.dst) for e in inv.edges}
    assert (AGENT["autofix"], "agent.inherits_from", AGENT["helpdesk_bp_sp"]) in edges
    assert AGENT["helpdesk_bp"] not in ids


@pytest.mark.parametrize(
    ("name", "mutate", "field"),
    [
        ("agent-identity-sponsors.json", lambda d: d["value"][0].__setitem__("sponsors", "bob"), "sponsors"),
        (
            "agent-blueprint-inheritable-permissions-helpdesk.json",
            lambda d: d["value"][0].__setitem__("inheritableScopes", ["User.Read"]),
            "inheritableScopes",
        ),
        (
            "agent-blueprint-inheritable-permissions-helpdesk.json",
            lambda d: d["value"][0]["inheritableScopes"].__setitem__("scopes", "Mail.Send"),
            "scopes",
        ),
        (
            "agent-blueprint-inheritable-permissions-helpdesk.json",
            lambda d: d.pop("@odata.context"),
            "@odata.context",
        ),
        (
            "agent-identities.json",
            lambda d: d["value"][1].__setitem__("createdDateTime", "yesterday"),
            "createdDateTime",
        ),
        ("agent-identities.json", lambda d: d["value"][2].__setitem__("id", None), "'id'"),
    ],
)
def test_malformed_agent_exports_are_one_line_input_errors(
    tmp_path: Path, name: str, mutate: Any, field: str
) -> None:
    for p in AGENT_FILES + [DEMO / "sp-list.json", DEMO / "app-list.json"]:
        shutil.copy(p, tmp_path / p.name)
    doc = json.loads((tmp_path / name).read_text())
    mutate(doc)
    (tmp_path / name).write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        build(sorted(tmp_path.glob("*.json")))
    text = err.value.diagnostics()
    assert "\n" not in text.strip() and name in text and field in text


# -- live ----------------------------------------------------------------------------------------


def _agent_view(inv: Inventory) -> list[tuple[Any, ...]]:
    keep = (
        "blueprint_id",
        "sponsors",
        "owners",
        "inheritable_scopes",
        "agent_ids",
        "inherited_graph_app_permissions",
        "ai_resources",
    )
    return sorted(
        (
            i.id,
            i.kind,
            i.name,
            i.owner,
            str(i.agent),
            str(i.attributes.get("runs_as_classes")),
            tuple(str(getattr(i.facts, k)) for k in keep),
        )
        for i in inv.identities
        if i.kind.startswith("agent.") or i.facts.ai_resource
    )


def test_live_agents_page_fall_back_for_sponsors_and_match_the_import(demo_inv: Inventory) -> None:
    with FakeAzure(Tenant.from_demo(DEMO), deny=set()) as fake:
        inv = collect(fake)
    assert fake.violations == [] and fake.bad_auth == []
    paths = [p for _, p in fake.requests]
    owner_pages = [p for p in paths if p.startswith("/beta/servicePrincipals/microsoft.graph.agentIdentity?")]
    assert len(owner_pages) == 3  # owners: 3 agents at 2 per page, plus the refused $expand=sponsors
    assert sum("skiptoken" in p for p in owner_pages) == 1
    per_agent = [p for p in paths if p.endswith("/microsoft.graph.agentIdentity/sponsors")]
    assert len(per_agent) == 3  # the documented per-agent listing after the 400
    assert len([p for p in paths if p.endswith("/inheritablePermissions")]) == 2
    assert _agent_view(inv) == _agent_view(demo_inv)
    assert not [g for g in inv.gaps if "agent" in g.source.lower()]


def test_live_sponsors_expand_when_the_tenant_supports_it(demo_inv: Inventory) -> None:
    with FakeAzure(Tenant.from_demo(DEMO), deny=set(), sponsors_expand=True) as fake:
        inv = collect(fake)
    assert not [p for _, p in fake.requests if p.endswith("/microsoft.graph.agentIdentity/sponsors")]
    assert _agent_view(inv) == _agent_view(demo_inv)


def test_agent_apis_denied_are_gaps_and_the_scan_goes_on() -> None:
    """Azure CLI tokens are refused by the Agent ID APIs (403): the gaps are reported, everything
    else is collected, and agents/blueprints from the plain listings are still classified."""
    deny = {
        "/beta/servicePrincipals/microsoft.graph.agentIdentity",
        "/beta/applications/microsoft.graph.agentIdentityBlueprint",
    }
    with FakeAzure(Tenant.from_demo(DEMO), deny=deny) as fake:
        inv = collect(fake)
    gaps = {g.source: g for g in inv.gaps}
    assert gaps["GET /beta/servicePrincipals/microsoft.graph.agentIdentity"].status == "denied"
    assert gaps["GET /beta/applications/microsoft.graph.agentIdentityBlueprint"].status == "denied"
    assert "403" in gaps["GET /beta/servicePrincipals/microsoft.graph.agentIdentity"].detail
    assert len(inv.gaps) == 2
    ids = by_id(inv)
    assert ids[SP["ci"]].facts.rbac_roles_at_broad_scope == ("Owner",)  # later calls happened
    triage = ids[AGENT["triage"]]  # from /v1.0/servicePrincipals
    assert triage.kind == "agent.entra_agent_identity" and triage.facts.sponsors_known is False
    bp = ids[AGENT["helpdesk_bp"]]  # from /v1.0/applications
    assert bp.kind == "agent.entra_agent_blueprint" and bp.facts.inheritable_scopes_known is False
    autofix = ids[AGENT["autofix"]]
    assert (
        autofix.kind == "agent.entra_agent_identity" and autofix.attributes["runs_as_classes"][0] == "admin"
    )
    assert not [i for i in inv.identities if i.facts.orphaned_role_assignment]


def test_tenant_without_agents() -> None:
    tenant = Tenant.from_demo(DEMO)
    tenant.agents, tenant.blueprints = [], []
    tenant.service_principals = [s for s in tenant.service_principals if "@odata.type" not in s]
    tenant.applications = [a for a in tenant.applications if "@odata.type" not in a]
    with FakeAzure(tenant, deny=set()) as fake:
        inv = collect(fake)
    assert not [i for i in inv.identities if i.kind.startswith("agent.")]
    assert inv.gaps == ()
    agent_calls = [p for _, p in fake.requests if "agentIdentity" in p]
    assert len(agent_calls) == 2  # the two listings, no sponsors or per-blueprint calls


def test_per_agent_sponsors_denied_is_one_gap() -> None:
    deny = {"/beta/servicePrincipals/0000021"}
    with FakeAzure(Tenant.from_demo(DEMO), deny=deny) as fake:
        inv = collect(fake)
    gaps = [g for g in inv.gaps if "sponsors" in g.source]
    assert len(gaps) == 1 and gaps[0].status == "denied"
    assert len([p for _, p in fake.requests if p.endswith("agentIdentity/sponsors")]) == 1
    assert by_id(inv)[AGENT["triage"]].facts.sponsors_known is False


# -- secrets -----------------------------------------------------------------------------------


def test_blueprint_secret_never_reaches_any_output(
    run_cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    src = tmp_path / "export"
    shutil.copytree(DEMO, src)
    for name in ("agent-blueprints.json", "app-list.json"):
        doc = json.loads((src / name).read_text())
        for obj in doc["value"] if isinstance(doc, dict) else doc:
            for cred in obj.get("passwordCredentials") or []:
                cred["secretText"], cred["hint"] = CANARY, CANARY[:3]
        (src / name).write_text(json.dumps(doc))
    outs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "markdown")}
    args = [
        "--debug",
        "scan",
        "--from",
        str(src),
        *AS_OF_ARGS,
        "--save-inventory",
        str(tmp_path / "inv.json"),
    ]
    for fmt, path in outs.items():
        args += ["-f", fmt, "-o", str(path)]
    r = run_cli([*args, "-f", "table"])
    assert r.code == 0, r.err
    report = json.loads(outs["json"].read_text())
    assert {"NHI-AZ-015", "NHI-AZ-016", "NHI-AZ-017"} <= {f["rule_id"] for f in report["findings"]}
    texts = [
        r.out,
        r.err,
        caplog.text,
        *(p.read_text() for p in outs.values()),
        (tmp_path / "inv.json").read_text(),
    ]
    for text in texts:
        assert CANARY not in text and "Zq8~" not in text


def test_blueprint_secret_served_live_never_reaches_the_inventory() -> None:
    tenant = Tenant.from_demo(DEMO)
    for bp in tenant.blueprints:
        for cred in bp["passwordCredentials"]:
            cred["secretText"], cred["hint"] = CANARY, CANARY[:3]
    with FakeAzure(tenant, deny=set()) as fake:
        inv = collect(fake)
    out = dump_inventory(inv)
    assert CANARY not in out and "Zq8~" not in out
    assert any(c.identity_id == AGENT["helpdesk_bp"] for c in inv.credentials)


def test_recognised_agent_exports_are_not_other_documents() -> None:
    kinds = {p.name: PLUGIN.recognise(loaded(p)) for p in AGENT_FILES}
    assert set(kinds.values()) == {
        "azure.agent_identities",
        "azure.agent_blueprints",
        "azure.agent_blueprint_inheritable_permissions",
    }
