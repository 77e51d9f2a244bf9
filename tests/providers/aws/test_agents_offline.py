"""Offline import of agent exports (aws bedrock-agent / bedrock-agentcore-control / iam CLI
output), called directly and through the AWS plugin wired the way the lead will wire it."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from nhiscan.errors import InputError
from nhiscan.providers.aws import Plugin as AwsPlugin
from nhiscan.providers.aws import agents
from nhiscan.providers.aws.facts import AwsIdentityFacts
from nhiscan.providers.interface import CollectOptions
from nhiscan.sources import load_path
from providers.aws.agents_fake import (
    ACCT,
    ADMIN_ROLE,
    CANARY_ENV,
    CANARY_URL,
    GW_OPEN,
    RUNTIME,
    SUPER,
    WORKER,
    cli_exports,
    docs_of,
    estate,
    runtime,
    wired_build,
    wired_recognise,
)
from support import DEMO

AS_OF = datetime(2026, 11, 20, tzinfo=timezone.utc)
OPTS = CollectOptions(as_of=AS_OF)
DEMO_ADMIN = "arn:aws:iam::210987654321:role/OrganizationAccountAccessRole"
DEMO_AGENTS = DEMO / "aws" / "agents"


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AwsPlugin, "recognise", wired_recognise)
    monkeypatch.setattr(AwsPlugin, "build", wired_build)


def test_every_export_is_recognised_by_content() -> None:
    types = {agents.recognise(d) for d in cli_exports().values()}
    assert types == set(agents.DOC_TYPES)
    assert agents.recognise({"UserDetailList": []}) is None
    assert agents.recognise([1, 2]) is None
    assert agents.recognise({"items": []}) is None
    other = {"ServiceSpecificCredentials": [{"ServiceName": "codecommit.amazonaws.com"}]}
    assert agents.recognise(other) is None


def test_offline_build_matches_the_live_collection() -> None:
    inv = agents.build_agents(docs_of(cli_exports()), {ACCT}, role_classes={ADMIN_ROLE: ["admin"]})
    by_id = {i.id: i for i in inv.identities}
    sup = by_id[SUPER].agent
    assert sup is not None
    assert sup.delegates_to == (WORKER,) and sup.relay_history_to == (WORKER,)
    assert by_id[SUPER].attributes["delegation_reach_classes"] == ["admin"]
    # offline there are no aliases to tell live versions apart: every exported version counts
    assert sup.high_risk_builtin_tools == ("ANTHROPIC.Bash",)
    assert by_id[RUNTIME].agent is not None and by_id[RUNTIME].agent.secret_env_names == ("OPENAI_API_KEY",)
    assert by_id[GW_OPEN].agent is not None and by_id[GW_OPEN].agent.token_passthrough is True
    assert not inv.gaps
    text = repr(inv)
    assert CANARY_ENV not in text and CANARY_URL not in text


def test_placebo_recording_is_accepted() -> None:
    wrapped = {
        "status_code": 200,
        "data": {
            "agent": {
                **estate().agents["us-east-1"][0],
                "createdAt": {"__class__": "datetime", "year": 2026, "month": 5, "day": 1, "hour": 10},
            },
            "ResponseMetadata": {},
        },
    }
    assert agents.recognise(wrapped) == agents.BEDROCK_AGENT
    inv = agents.build_agents([(agents.BEDROCK_AGENT, "rec.json", wrapped)], ())
    (ident,) = inv.identities
    assert ident.created == datetime(2026, 5, 1, 10, tzinfo=timezone.utc)


def test_listed_agent_without_its_export_is_a_gap() -> None:
    files = cli_exports()
    del files["get-agent-LONER01.json"]
    inv = agents.build_agents(docs_of(files), {ACCT})
    (gap,) = inv.gaps
    assert "LONER01" in gap.detail and gap.source == "list-agents.json"
    assert gap.scope == f"aws:account:{ACCT}"


def test_children_without_their_parent_are_gaps() -> None:
    files = cli_exports()
    del files["get-agent-SUPER01.json"]
    del files["get-gateway-gw-open-01.json"]
    inv = agents.build_agents(docs_of(files), {ACCT})
    details = " ".join(g.detail for g in inv.gaps)
    assert "action group for agent 'SUPER01'" in details and "gateway target of" in details


BAD: list[tuple[str, Any, str]] = [
    (agents.BEDROCK_AGENT, {"agent": {"agentId": "X"}}, "agentArn is missing"),
    (agents.BEDROCK_AGENT, {"agent": {"agentId": "X", "agentArn": "not-an-arn"}}, "agentArn"),
    (agents.BEDROCK_AGENT, {"agent": "x"}, "agent must be an object"),
    (
        agents.BEDROCK_AGENT,
        {"agent": {"agentId": "X", "agentArn": SUPER, "createdAt": "yesterday"}},
        "agent.createdAt: not a timestamp",
    ),
    (
        agents.AGENTCORE_RUNTIME,
        {**runtime(), "environmentVariables": ["A=1"]},
        "environmentVariables must be",
    ),
    (agents.AGENTCORE_RUNTIME, {**runtime(), "agentRuntimeArn": None}, "agentRuntimeArn"),
    (agents.BEDROCK_COLLABORATORS, {"agentCollaboratorSummaries": {"a": 1}}, "must be a list"),
    (agents.BEDROCK_COLLABORATORS, {"agentCollaboratorSummaries": [1]}, "agentCollaboratorSummaries[0]"),
    (agents.AGENTCORE_WORKLOAD_IDENTITIES, {"workloadIdentities": [{"name": "x"}]}, "workloadIdentityArn"),
    (
        agents.BEDROCK_API_KEYS,
        {"ServiceSpecificCredentials": [{"UserName": "u", "ServiceName": "bedrock.amazonaws.com"}]},
        "missing ServiceSpecificCredentialId",
    ),
    (agents.BEDROCK_AGENT_LIST, {"agentSummaries": [{"agentName": "n"}]}, "has no agentId"),
    (agents.AGENTCORE_GATEWAY, [1], "expected a JSON object"),
]


@pytest.mark.parametrize(("doc_type", "data", "problem"), BAD, ids=[b[2][:30] for b in BAD])
def test_bad_documents_name_the_file_and_field(doc_type: str, data: Any, problem: str) -> None:
    with pytest.raises(InputError) as err:
        agents.build_agents([(doc_type, "bad.json", data)], {ACCT})
    assert "bad.json" in str(err.value) and problem in str(err.value)


def test_bad_collaborator_alias_arn() -> None:
    files = cli_exports()
    name = "list-agent-collaborators-SUPER01-2.json"
    files[name]["agentCollaboratorSummaries"][0]["agentDescriptor"]["aliasArn"] = "arn:aws:s3:::bucket"
    with pytest.raises(InputError, match="aliasArn is not an agent alias ARN"):
        agents.build_agents(docs_of(files), {ACCT})


def test_api_key_account_must_be_known() -> None:
    doc = {
        "ServiceSpecificCredentials": [
            {"UserName": "u", "ServiceSpecificCredentialId": "ACCA1", "ServiceName": "bedrock.amazonaws.com"}
        ]
    }
    with pytest.raises(InputError, match="cannot tell the account"):
        agents.build_agents([(agents.BEDROCK_API_KEYS, "keys.json", doc)], ())
    inv = agents.build_agents(
        [(agents.BEDROCK_API_KEYS, "keys.json", doc)],
        {ACCT},
        known_users={"u": f"arn:aws:iam::{ACCT}:user/path/u"},
    )
    (cred,) = inv.credentials
    assert cred.identity_id == f"arn:aws:iam::{ACCT}:user/path/u" and cred.active
    assert not inv.identities  # the real user comes from the IAM inventory


def test_delegation_cycle_and_depth() -> None:
    files = cli_exports()
    # the worker delegates back to the supervisor: the walk stops, the cycle is recorded
    files["list-agent-collaborators-WORKER01-1.json"] = {
        "agentCollaboratorSummaries": [
            {
                "agentId": "WORKER01",
                "agentVersion": "1",
                "agentDescriptor": {"aliasArn": f"arn:aws:bedrock:us-east-1:{ACCT}:agent-alias/SUPER01/LIVE"},
                "relayConversationHistory": "DISABLED",
            }
        ]
    }
    inv = agents.build_agents(docs_of(files), {ACCT})
    by_id = {i.id: i.attributes for i in inv.identities}
    assert by_id[SUPER]["delegation_cycle"] and by_id[WORKER]["delegation_cycle"]
    worker = next(i for i in inv.identities if i.id == WORKER)
    assert by_id[SUPER]["delegation_depth"] == 1 and worker.agent is not None
    assert worker.agent.relay_history_to == ()


def test_demo_shows_a_delegation_path_to_admin(wired: None, tmp_path: Path) -> None:
    shutil.copytree(DEMO / "aws", tmp_path / "aws", ignore=shutil.ignore_patterns("agents"))
    shutil.copytree(DEMO_AGENTS, tmp_path / "aws" / "agents")
    inv = load_path(tmp_path, OPTS)
    by_id = {i.id: i for i in inv.identities}
    sup = by_id["arn:aws:bedrock:eu-west-1:210987654321:agent/SUPSUP0001"]
    worker = by_id["arn:aws:bedrock:eu-west-1:210987654321:agent/OPSWRK0001"]
    assert worker.agent is not None and worker.agent.runs_as == (DEMO_ADMIN,)
    assert "admin" in worker.attributes["runs_as_classes"]
    assert sup.agent is not None and sup.agent.delegates_to == (worker.id,)
    assert "admin" in sup.attributes["delegation_reach_classes"]
    assert sup.attributes["runs_as_classes"] is None  # its role is not in the IAM export
    edges = {(e.src, e.dst, e.kind) for e in inv.edges}
    assert (sup.id, worker.id, "agent.delegates_to") in edges
    assert (worker.id, DEMO_ADMIN, "agent.runs_as") in edges
    key = next(c for c in inv.credentials if c.kind == "aws.bedrock_api_key")
    assert key.identity_id == "arn:aws:iam::210987654321:user/reporting-bot"
    # the IAM user from GAAD and the credential report is kept, not replaced by a placeholder
    user_facts = by_id[key.identity_id].facts
    assert isinstance(user_facts, AwsIdentityFacts) and not user_facts.from_service_specific_credentials
    assert user_facts.in_credential_report


def test_demo_files_are_cli_shaped() -> None:
    for path in sorted(DEMO_AGENTS.glob("*.json")):
        assert agents.recognise(json.loads(path.read_text())), path.name


def _chain_docs(n: int, dense: bool) -> list[tuple[str, str, Any]]:
    docs: list[tuple[str, str, Any]] = []
    arn = f"arn:aws:bedrock:us-east-1:{ACCT}"
    for i in range(n):
        agent = {"agentId": f"A{i:04d}", "agentName": f"a{i}", "agentArn": f"{arn}:agent/A{i:04d}"}
        docs.append((agents.BEDROCK_AGENT, f"a{i}.json", {"agent": agent}))
        targets = range(i + 1, n) if dense else range(i + 1, min(i + 2, n))
        collabs = [
            {
                "agentId": f"A{i:04d}",
                "agentVersion": "DRAFT",
                "agentDescriptor": {"aliasArn": f"{arn}:agent-alias/A{j:04d}/L"},
                "relayConversationHistory": "DISABLED",
            }
            for j in targets
        ]
        docs.append((agents.BEDROCK_COLLABORATORS, f"c{i}.json", {"agentCollaboratorSummaries": collabs}))
    return docs


def test_dense_delegation_graph_stays_fast() -> None:
    import time

    started = time.monotonic()
    inv = agents.build_agents(_chain_docs(80, dense=True), {ACCT})
    assert time.monotonic() - started < 5  # every path of an 80-node dense DAG would never finish
    top = next(i for i in inv.identities if i.name == "a0")
    assert top.attributes["delegation_depth"] == 79 and not top.attributes["delegation_cycle"]
    assert top.agent is not None and len(top.agent.delegates_to) == 79
    assert len([e for e in inv.edges if e.kind == "agent.delegates_to"]) == 80 * 79 // 2


def test_long_chain_depth() -> None:
    inv = agents.build_agents(_chain_docs(4, dense=False), {ACCT})
    depth = {i.name: i.attributes["delegation_depth"] for i in inv.identities}
    assert depth == {"a0": 3, "a1": 2, "a2": 1, "a3": 0}


def test_demo_findings(wired: None, tmp_path: Path) -> None:
    from nhiscan.engine import evaluate, load_rules
    from nhiscan.scan import analyse

    shutil.copytree(DEMO / "aws", tmp_path / "aws", ignore=shutil.ignore_patterns("agents"))
    shutil.copytree(DEMO_AGENTS, tmp_path / "aws" / "agents")
    inv = load_path(tmp_path, OPTS)
    findings = evaluate(inv, load_rules(), AS_OF, analyse(inv))
    got = {(f.rule_id, f.target_id): f.severity.value for f in findings if f.rule_id.startswith("NHI-AGT")}
    sup = "arn:aws:bedrock:eu-west-1:210987654321:agent/SUPSUP0001"
    worker = "arn:aws:bedrock:eu-west-1:210987654321:agent/OPSWRK0001"
    gateway = "arn:aws:bedrock-agentcore:eu-west-1:210987654321:gateway/support-tools-x1y2z3"
    assert got[("NHI-AGT-003", sup)] == "critical"  # the delegation path to admin
    assert got[("NHI-AGT-004", sup)] == "medium"
    assert got[("NHI-AGT-001", worker)] == "critical"
    assert got[("NHI-AGT-008", worker)] == "critical"  # Bash on an admin role
    assert got[("NHI-AGT-006", gateway)] == "critical"
    assert got[("NHI-AGT-009", "arn:aws:iam::210987654321:user/reporting-bot#ACCAQBEDROCKDEMO0001")] == "high"
