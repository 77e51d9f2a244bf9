"""Vertex AI Agent Engine (reasoning engines): live collection over REST against the local fake,
offline import of both export shapes, secret hygiene, and malformed input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nhiscan.analyse.agents import agent_facts
from nhiscan.errors import InputError
from nhiscan.inventory_io import dump_inventory
from nhiscan.model import Inventory
from nhiscan.providers.gcp import Plugin, collect_inventory
from nhiscan.providers.gcp.agents import DEFAULT_LOCATIONS, AiPlatformRest, secret_like
from nhiscan.providers.gcp.settings import GcpSettings
from nhiscan.providers.interface import CollectOptions
from providers.gcp.gcp_support import AS_OF, DEMO, import_files, load
from providers.gcp.test_gcp_live import seed

CANARY = "CANARY-vertex-env-value-5b1d0c3e"
SA = ".iam.gserviceaccount.com"
RE_AGENT = "service-1111@gcp-sa-aiplatform-re.iam.gserviceaccount.com"
ENGINES = "projects/1111/locations/us-central1/reasoningEngines"
AGENT_PRINCIPAL = (
    "agents.global.org-4242.system.id.goog/resources/aiplatform/projects/1111/locations/us-central1/"
    "reasoningEngines/104"
)


def engine(number: str, name: str, **spec: Any) -> dict[str, Any]:
    return {
        "name": f"{ENGINES}/{number}",
        "displayName": name,
        "createTime": "2026-06-01T12:00:00.123456789Z",
        "spec": {"agentFramework": "google-adk", **spec},
    }


def seed_engines(f: SimpleNamespace) -> None:
    seed(f)
    rest = f.rest
    rest.locations["acme-prod"] = ["global", "us-central1", "europe-west1", "asia-northeast1"]
    rest.engines["projects/acme-prod/locations/us-central1"] = [
        engine("101", "support-bot", deploymentSpec={"env": [{"name": "LOG_LEVEL", "value": "debug"}]}),
        # The service agent as the discovery document spells it.
        engine("102", "triage", effectiveIdentity="service-1111@gcp-sa-aiplatform-re.googleapis.com"),
        engine(
            "103",
            "ops-agent",
            serviceAccount=f"ci@acme-prod{SA}",
            deploymentSpec={
                "env": [{"name": "OPENAI_API_KEY", "value": CANARY}, {"name": "REGION", "value": "eu"}],
                "secretEnv": [
                    {"name": "DB_PASSWORD", "secretRef": {"secret": "db-password", "version": "2"}}
                ],
            },
        )
        | {"labels": {"owner": "ops-team"}},
        engine("104", "ledger", identityType="AGENT_IDENTITY", effectiveIdentity=AGENT_PRINCIPAL),
    ]
    rest.denied.add("projects/acme-prod/locations/europe-west1")
    rest.no_agent_engine.add("projects/acme-prod/locations/asia-northeast1")
    rest.project_policies["acme-prod"]["bindings"].append(
        {"role": "roles/editor", "members": [f"principal://{AGENT_PRINCIPAL}"]}
    )


def _collect(f: SimpleNamespace, projects: list[str], **settings: Any) -> Inventory:
    return collect_inventory(
        f.clients, projects, None, CollectOptions(as_of=AS_OF, settings=(GcpSettings(**settings),))
    )


def _engines(inv: Inventory) -> dict[str, Any]:
    return {i.name: i for i in inv.identities if i.kind == "agent.vertex_agent_engine"}


def test_live_engines_page_resolve_identities_and_report_denied_locations(gcp_fakes: SimpleNamespace) -> None:
    seed_engines(gcp_fakes)
    inv = _collect(gcp_fakes, ["acme-prod"])
    calls = [c for c in gcp_fakes.rest.calls if c[0] == "aiplatform.reasoningEngines.list"]
    # 4 engines, 2 per page, in us-central1; one call for each other location; never "global".
    assert [c[1] for c in calls].count("projects/acme-prod/locations/us-central1") == 2
    assert {c[1].rsplit("/", 1)[1] for c in calls} == {"us-central1", "europe-west1", "asia-northeast1"}

    engines = _engines(inv)
    # what needs the other identities comes from the neutral agent analysis (identity.graph.*)
    graph = agent_facts(inv)
    assert set(engines) == {"support-bot", "triage", "ops-agent", "ledger"}
    bot, triage, ops, ledger = (engines[n] for n in ("support-bot", "triage", "ops-agent", "ledger"))
    assert bot.id == f"{ENGINES}/101" and bot.scope == "gcp:project:acme-prod" and bot.provider == "gcp"
    assert bot.created is not None and bot.created.year == 2026
    # No serviceAccount: the project's Reasoning Engine service agent, shared by both engines.
    for a, b in ((bot, triage), (triage, bot)):
        assert a.agent.runs_as == (RE_AGENT,)
        assert a.facts.agent_engine.identity_type == "DEFAULT_SERVICE_AGENT"
        assert graph[a.id]["shares_identity_with"] == [b.id]
    by_id = {i.id: i for i in inv.identities}
    agent_sa = by_id[RE_AGENT]
    assert agent_sa.managed_by == "provider" and agent_sa.scope == "gcp:project:acme-prod"
    assert agent_sa.facts.used_by_agents == (bot.id, triage.id)

    assert (
        ops.agent.runs_as == (f"ci@acme-prod{SA}",)
        and ops.facts.agent_engine.identity_type == "SERVICE_ACCOUNT"
    )
    assert {"admin", "wildcard"} <= set(graph[ops.id]["runs_as_classes"])
    assert ops.facts.agent_engine.runs_as_user_managed_keys == 1
    assert graph[ops.id]["shares_identity_with"] == []
    assert ops.owner == "ops-team"
    assert ops.facts.agent_engine.env_names == ("OPENAI_API_KEY", "REGION")
    assert ops.agent.secret_env_names == ("OPENAI_API_KEY",)
    assert ops.facts.agent_engine.secret_manager_env_names == ("DB_PASSWORD",)
    assert ops.facts.agent_engine.secret_refs == ("db-password:2",)
    assert by_id[f"ci@acme-prod{SA}"].facts.used_by_agents == (ops.id,)

    # An agent identity is its own principal: its grants are the engine's permissions.
    assert ledger.facts.agent_engine.identity_type == "AGENT_IDENTITY"
    assert ledger.agent.runs_as == (f"principal://{AGENT_PRINCIPAL}",)
    assert "admin" in ledger.permissions.classes and "admin" in graph[ledger.id]["runs_as_classes"]
    assert ledger.managed_by == "customer" and ledger.agent.platform == "vertex"

    edges = {(e.src, e.dst) for e in inv.edges if e.kind == "agent.runs_as"}
    assert edges == {
        (bot.id, RE_AGENT),
        (triage.id, RE_AGENT),
        (ops.id, f"ci@acme-prod{SA}"),
        (ledger.id, f"principal://{AGENT_PRINCIPAL}"),
    }

    gaps = {(g.source, g.status): g for g in inv.gaps if g.source.startswith("aiplatform.")}
    assert gaps[("aiplatform.reasoningEngines.list europe-west1", "denied")].scope == "gcp:project:acme-prod"
    assert "asia-northeast1" in gaps[("aiplatform.reasoningEngines.list", "not_found")].detail
    assert CANARY not in dump_inventory(inv)


def test_denied_location_list_falls_back_to_the_default_locations(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.rest.denied.add("projects/acme-prod")  # Resource Manager and Vertex AI both denied
    inv = _collect(gcp_fakes, ["acme-prod"])
    gap = next(g for g in inv.gaps if g.source == "aiplatform.locations.list")
    assert gap.status == "denied" and "us-central1" in gap.detail
    asked = {c[1] for c in gcp_fakes.rest.calls if c[0] == "aiplatform.reasoningEngines.list"}
    assert asked == {f"projects/acme-prod/locations/{loc}" for loc in DEFAULT_LOCATIONS}
    # The service accounts were still read.
    assert any(i.id == f"ci@acme-prod{SA}" for i in inv.identities)


def test_disabled_vertex_api_is_one_not_enabled_gap(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.rest.disabled.add("aiplatform/projects/acme-prod")
    inv = _collect(gcp_fakes, ["acme-prod"])
    gaps = [g for g in inv.gaps if g.source.startswith("aiplatform.")]
    assert [(g.source, g.status) for g in gaps] == [("aiplatform.reasoningEngines.list", "not_enabled")]
    assert not [c for c in gcp_fakes.rest.calls if c[0] == "aiplatform.reasoningEngines.list"]


def test_configured_locations_skip_the_location_list_and_throttling_is_retried(
    gcp_fakes: SimpleNamespace,
) -> None:
    seed_engines(gcp_fakes)
    gcp_fakes.rest.throttle["aiplatform.reasoningEngines.list"] = 2
    inv = _collect(gcp_fakes, ["acme-prod"], locations=("us-central1",))
    assert not [c for c in gcp_fakes.rest.calls if c[0] == "aiplatform.locations.list"]
    assert len(_engines(inv)) == 4
    assert not [g for g in inv.gaps if g.source.startswith("aiplatform.")]
    ok = next(c for c in inv.coverage if c.source == "aiplatform.reasoningEngines.list")
    assert ok.status == "ok"


def test_empty_project_has_no_engines_and_no_gaps(gcp_fakes: SimpleNamespace) -> None:
    gcp_fakes.rest.projects["empty"] = {"name": "projects/9", "projectId": "empty"}
    inv = _collect(gcp_fakes, ["empty"])
    assert not _engines(inv) and not inv.gaps


def test_endpoint_template() -> None:
    default = AiPlatformRest(None)
    assert default.base("europe-west1") == "https://europe-west1-aiplatform.googleapis.com"
    assert default.base(None) == "https://aiplatform.googleapis.com"
    assert (
        AiPlatformRest(None, "http://127.0.0.1:9/{location}/").base("asia-east1")
        == "http://127.0.0.1:9/asia-east1"
    )


# -- offline -------------------------------------------------------------------------------------


def test_demo_engines_import_from_both_export_shapes() -> None:
    inv = import_files(*sorted(DEMO.glob("*.json")))
    engines = _engines(inv)
    graph = agent_facts(inv)
    assert set(engines) == {
        "payments-support-agent",
        "refund-triage-agent",
        "release-agent",
        "ledger-reader-agent",
    }
    support, triage = engines["payments-support-agent"], engines["refund-triage-agent"]
    agent = "service-412345678901@gcp-sa-aiplatform-re.iam.gserviceaccount.com"
    # Project number 412345678901 resolves to the project id through the Compute default SA.
    assert {e.scope for e in engines.values()} == {"gcp:project:acme-pay-prod"}
    assert support.agent.runs_as == triage.agent.runs_as == (agent,)
    assert graph[support.id]["shares_identity_with"] == [triage.id]
    assert graph[support.id]["runs_as_classes"] == ["secret_read"]
    assert support.owner == "payments-team" and triage.owner is None
    release = engines["release-agent"]
    assert "admin" in graph[release.id]["runs_as_classes"]
    assert release.facts.agent_engine.container_image.endswith(":latest")
    # The deployer can impersonate every SA of the project (folder-level Token Creator).
    assert f"terraform@acme-pay-prod{SA}" in release.facts.agent_engine.runs_as_reach
    assert "admin" in release.facts.agent_engine.runs_as_reach_classes
    assert support.facts.agent_engine.runs_as_reach == ()
    ledger = engines["ledger-reader-agent"]
    assert (
        ledger.facts.agent_engine.identity_type == "AGENT_IDENTITY" and ledger.facts.agent_engine.cmek is True
    )
    assert ledger.facts.agent_engine.runs_as_roles == ("roles/bigquery.dataViewer",)
    assert ledger.permissions.classes == ()
    text = dump_inventory(inv)
    for value in (
        "demo-placeholder-not-a-key",
        "demo-placeholder-not-a-token",
        "ledger.internal.acme.example",
    ):
        assert value not in text


def test_bare_engine_list_without_any_other_file(tmp_path: Path) -> None:
    f = tmp_path / "engines.json"
    f.write_text(json.dumps([engine("7", "solo"), engine("8", "duo", serviceAccount=f"bot@acme-prod{SA}")]))
    inv = import_files(f)
    engines = _engines(inv)
    # No project record links number 1111 to an id: the number stands in.
    assert engines["solo"].scope == "gcp:project:1111"
    assert engines["solo"].agent.runs_as == (RE_AGENT,)
    # it runs as a service account of the inventory that holds nothing: known, and no classes
    assert agent_facts(inv)[engines["duo"].id]["runs_as_classes"] == []
    assert engines["duo"].agent.inbound_auth == "iam"
    bot = next(i for i in inv.identities if i.id == f"bot@acme-prod{SA}")
    assert bot.facts.listed is False and bot.scope == "gcp:project:acme-prod"
    assert {s.key for s in inv.scopes} >= {"gcp:project:1111", "gcp:project:acme-prod"}


def test_agent_identity_without_effective_identity_is_built_from_the_organisation(tmp_path: Path) -> None:
    f = tmp_path / "engines.json"
    f.write_text(json.dumps({"reasoningEngines": [engine("9", "ai", identityType="AGENT_IDENTITY")]}))
    search = tmp_path / "search.json"
    search.write_text(
        json.dumps(
            [
                {
                    "resource": "//cloudresourcemanager.googleapis.com/organizations/4242",
                    "organization": "organizations/4242",
                    "policy": {"bindings": []},
                }
            ]
        )
    )
    [ai] = _engines(import_files(f, search)).values()
    assert ai.agent.runs_as == (
        "principal://agents.global.org-4242.system.id.goog/resources/aiplatform/projects/1111/"
        "locations/us-central1/reasoningEngines/9",
    )
    # Without an organisation the principal cannot be named.
    [ai] = _engines(import_files(f)).values()
    assert ai.agent.runs_as == () and ai.facts.agent_engine.identity_type == "AGENT_IDENTITY"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reasoningEngines": [{"displayName": "x"}]}, "reasoningEngines[0].name: missing"),
        ([{"name": "projects/1/locations/l/reasoningEngines/1", "spec": []}], "[0].spec"),
        (
            [
                {
                    "name": "projects/1/locations/l/reasoningEngines/1",
                    "spec": {"deploymentSpec": {"env": "A=1"}},
                }
            ],
            "[0].spec.deploymentSpec.env",
        ),
        (
            [
                {
                    "name": "projects/1/locations/l/reasoningEngines/1",
                    "spec": {"deploymentSpec": {"env": [{"value": CANARY}]}},
                }
            ],
            "[0].spec.deploymentSpec.env[0].name: missing",
        ),
        ({"reasoningEngines": [{"name": "projects/1/reasoningEngines/1"}]}, "is not a reasoning engine name"),
        (
            [{"name": "projects/1/locations/l/reasoningEngines/1", "createTime": "soon"}],
            "[0].createTime",
        ),
    ],
)
def test_malformed_engine_exports_are_input_errors(tmp_path: Path, body: Any, field: str) -> None:
    f = tmp_path / "engines.json"
    f.write_text(json.dumps(body))
    with pytest.raises(InputError) as err:
        import_files(f)
    message = err.value.diagnostics()
    assert "engines.json" in message and field in message and "\n" not in message
    assert CANARY not in message


def test_truncated_engine_export_is_claimed_and_rejected(tmp_path: Path) -> None:
    f = tmp_path / "engines.json"
    f.write_text('{"reasoningEngines": [{"name": "projects/1/locations/l/reasoningEngines/1"')
    plugin = Plugin()
    assert plugin.recognise(load(f)) == "gcp.malformed"


# -- end to end ----------------------------------------------------------------------------------


def test_cli_never_prints_or_saves_env_values(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "export"
    shutil.copytree(DEMO, folder)
    engines = json.loads((folder / "reasoning-engines-us-central1.json").read_text())
    engines[1]["spec"]["deploymentSpec"]["env"].append({"name": "ANTHROPIC_API_KEY", "value": CANARY})
    (folder / "reasoning-engines-us-central1.json").write_text(json.dumps(engines))
    saved = tmp_path / "inventory.json"
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "markdown")}
    args = ["scan", "--from", str(folder), "--as-of", "2026-11-01T00:00:00Z", "--save-inventory", str(saved)]
    args += ["-f", "table"]
    for fmt, path in outputs.items():
        args += ["-f", fmt, "-o", str(path)]
    r = run_cli(args)
    assert r.code in (0, 1), r.err
    assert "refund-triage-agent" in saved.read_text()
    texts = [r.out, r.err, saved.read_text(), *(p.read_text() for p in outputs.values())]
    assert all(CANARY not in t for t in texts)
    assert "ANTHROPIC_API_KEY" in saved.read_text()
    r = run_cli(["inventory", "--from", str(folder), "-f", "json"])
    assert r.code == 0 and CANARY not in r.out + r.err


def test_cli_malformed_engine_export_is_one_line(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "engines.json"
    bad.write_text(
        json.dumps([{"name": "projects/1/locations/l/reasoningEngines/1", "labels": {"owner": 3}}])
    )
    r = run_cli(["scan", "--from", str(bad), "--as-of", "2026-11-01T00:00:00Z"])
    lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
    assert r.code == 2 and len(lines) == 1, r.err
    assert "engines.json" in lines[0] and "labels.owner" in lines[0]


def test_malformed_engine_from_the_api_is_a_gap_not_a_crash(gcp_fakes: SimpleNamespace) -> None:
    seed(gcp_fakes)
    gcp_fakes.rest.engines["projects/acme-prod/locations/us-central1"] = [
        engine("1", "good"),
        {"name": f"{ENGINES}/2", "spec": {"deploymentSpec": {"env": [{"value": CANARY}]}}},
    ]
    inv = _collect(gcp_fakes, ["acme-prod"])
    assert set(_engines(inv)) == {"good"}
    gap = next(g for g in inv.gaps if g.source == "aiplatform.reasoningEngines.list us-central1")
    assert gap.status == "error" and "env[0].name: missing" in gap.detail and CANARY not in gap.detail


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("OPENAI_API_KEY", True),
        ("GITHUB_TOKEN", True),
        ("client_secret", True),
        ("DB_PASSWORD", True),
        ("AZURE_STORAGE_CONNECTION_STRING", True),
        ("PWD", False),
        ("TOKENIZER_MODEL", False),
        ("AUTHOR", False),
        ("LOG_LEVEL", False),
    ],
)
def test_secret_like_env_names(name: str, expected: bool) -> None:
    assert secret_like(name) is expected


def test_generic_agent_rules_and_nhi_gcp_014_read_the_gcp_facts() -> None:
    from nhiscan.engine import evaluate, load_rules
    from nhiscan.scan import analyse

    inv = import_files(*sorted(DEMO.glob("*.json")))
    names = {i.id: i.name for i in inv.identities}
    found: dict[str, set[str]] = {}
    for f in evaluate(inv, load_rules(), AS_OF, analyse(inv)):
        found.setdefault(f.rule_id, set()).add(names.get(f.target_id, f.target_id))
    assert found["NHI-AGT-001"] == {"release-agent"}
    assert found["NHI-AGT-002"] == {"payments-support-agent", "refund-triage-agent"}
    assert found["NHI-AGT-011"] == {"refund-triage-agent", "release-agent"}
    assert found["NHI-GCP-014"] == {"payments-support-agent", "refund-triage-agent"}
    # Agent Engine queries are IAM-authenticated and the API names no sub-agents or tools.
    for rule in ("NHI-AGT-003", "NHI-AGT-004", "NHI-AGT-005", "NHI-AGT-006", "NHI-AGT-008"):
        assert not found.get(rule), rule


def test_reach_follows_impersonation_transitively_and_stops_at_cycles() -> None:
    from nhiscan.model import Edge
    from nhiscan.providers.gcp.agents import reach_of

    walk = reach_of(
        [
            Edge("a", "b", "gcp.impersonate"),
            Edge("b", "a", "gcp.implicit_delegation"),
            Edge("b", "c", "gcp.create_key"),
            Edge("c", "d", "gcp.act_as"),  # needs more than the edge to be used
        ]
    )
    assert walk("a") == ["b", "c"]
    assert walk("d") == []


def test_unreachable_endpoint_is_an_error_gap_per_location() -> None:
    import socket
    import threading

    import requests

    from nhiscan.providers.gcp.agents import EngineCollector
    from nhiscan.providers.gcp.estate import EstateBuilder

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = EstateBuilder()
    client = AiPlatformRest(requests.Session(), f"http://127.0.0.1:{port}", timeout=2)
    collector = EngineCollector(client, out, threading.Lock(), ["us-central1", "europe-west1"], 0.1)
    collector.project("acme-prod")
    assert sorted((c.source, c.status) for c in out.coverage) == [
        ("aiplatform.reasoningEngines.list europe-west1", "error"),
        ("aiplatform.reasoningEngines.list us-central1", "error"),
    ]
    assert collector.reads == 0 and not out.reasoning_engines
    assert all(f"connecting to 127.0.0.1:{port}" in c.detail for c in out.coverage)
