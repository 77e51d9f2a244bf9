"""Live collection of agent identities: boto3 over real HTTP against the local fake (the operations
moto lacks) and against moto's server (the ones it has)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nhiscan.facts import AgentFacts, InboundAuth
from nhiscan.model import Identity, Inventory
from nhiscan.providers.aws import agents
from nhiscan.providers.aws.facts import AwsCredentialFacts, AwsIdentityFacts
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import NullProgress
from providers.aws.agents_fake import (
    ACCT,
    ADMIN_ROLE,
    APIKEY_PROVIDER,
    CANARY_ENV,
    CANARY_URL,
    GW_JWT,
    GW_LAMBDA,
    GW_OPEN,
    LONER,
    OAUTH_PROVIDER,
    RUNTIME,
    SHARED_ROLE,
    SUPER,
    TOOL_LAMBDA,
    WID,
    WID_ORPHAN,
    WORKER,
    FakeEstate,
    estate,
    serve,
)

pytest.importorskip("boto3")

REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_AGENT", "AWS_ENDPOINT_URL_IAM"):
        monkeypatch.delenv(var, raising=False)


def _session() -> Any:
    import boto3

    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


class Recorder:
    """Every operation boto3 sends, from botocore's own event hook (independent of the servers)."""

    def __init__(self, session: Any) -> None:
        self.ops: list[str] = []
        session.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.ops.append(model.name)


def _collect(est: FakeEstate, **settings: Any) -> tuple[Inventory, Recorder]:
    with serve(est) as url:
        session = _session()
        rec = Recorder(session)
        inv = agents.collect_agents(
            session,
            REGIONS,
            AwsSettings(endpoint_url=url, max_attempts=1, **settings),
            ACCT,
            NullProgress(),
            role_classes={ADMIN_ROLE: ["admin", "can_escalate"], SHARED_ROLE: []},
        )
    return inv, rec


@pytest.fixture(scope="module")
def scanned() -> Iterator[tuple[Inventory, Recorder, FakeEstate]]:
    import os

    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    est = estate()
    est.unavailable.add("eu-west-1")
    inv, rec = _collect(est)
    yield inv, rec, est
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _ident(inv: Inventory, id_: str) -> Any:
    (found,) = [i for i in inv.identities if i.id == id_]
    return found


def test_only_read_only_calls_and_no_secret_calls(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    _, rec, est = scanned
    assert not est.unexpected
    assert set(rec.ops) <= agents.READ_ONLY_OPERATIONS
    assert all(op.startswith(("List", "Get")) for op in rec.ops)
    assert {op for op, _ in est.calls} == set(rec.ops)
    forbidden = {"GetResourceApiKey", "GetResourceOauth2Token", "GetWorkloadAccessToken"}
    assert not forbidden & set(rec.ops)


def test_pagination_is_followed(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    inv, rec, _ = scanned
    # page size 1: three agents take three ListAgents pages in us-east-1 (+1 empty in eu-west-1)
    assert rec.ops.count("ListAgents") == 4
    kinds = [i.kind for i in inv.identities]
    assert kinds.count("agent.bedrock_agent") == 3
    assert rec.ops.count("ListServiceSpecificCredentials") == 2
    assert {c.id for c in inv.credentials if c.kind == "aws.bedrock_api_key"} == {
        "ACCAEXAMPLEBEDROCK1",
        "ACCAEXAMPLEBEDROCK2",
    }


def _agent(ident: Identity) -> AgentFacts:
    assert isinstance(ident.agent, AgentFacts), ident.id
    return ident.agent


def _aws(ident: Identity) -> AwsIdentityFacts:
    assert isinstance(ident.facts, AwsIdentityFacts), ident.id
    return ident.facts


def test_bedrock_agents(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    inv, _, _ = scanned
    sup = _ident(inv, SUPER)
    a, ag, aws = sup.attributes, _agent(sup), _aws(sup)
    assert sup.kind == "agent.bedrock_agent" and sup.scope == f"aws:account:{ACCT}"
    assert ag.platform == "bedrock" and ag.inbound_auth is InboundAuth.IAM
    assert aws.region == "us-east-1" and ag.runs_as == (SHARED_ROLE,)
    assert aws.agent is not None and aws.agent.collaboration == "SUPERVISOR"
    assert a["role_shared_with"] == [LONER]
    assert ag.high_risk_builtin_tools == ("ANTHROPIC.Bash",)  # Computer is disabled
    assert {t.target for t in ag.tools} == {TOOL_LAMBDA, "ANTHROPIC.Bash"}
    assert aws.agent.collaborators[0].agent == WORKER
    assert ag.relay_history_to == (WORKER,)
    assert ag.delegates_to == (WORKER,) and a["delegation_depth"] == 1
    assert a["delegation_reach_classes"] == ["admin", "can_escalate"]
    assert a["runs_as_classes"] == []
    assert sup.owner is None
    worker = _ident(inv, WORKER)
    assert worker.owner == "ml-platform@example.com"
    assert worker.attributes["runs_as_classes"] == ["admin", "can_escalate"]
    assert _agent(worker).high_risk_builtin_tools == ()
    edges = {(e.src, e.dst, e.kind) for e in inv.edges}
    assert (SUPER, SHARED_ROLE, "agent.runs_as") in edges
    assert (SUPER, WORKER, "agent.delegates_to") in edges
    assert (SUPER, TOOL_LAMBDA, "agent.uses_tool") in edges
    assert (WORKER, ADMIN_ROLE, "agent.runs_as") in edges
    (deleg,) = [e for e in inv.edges if e.kind == "agent.delegates_to" and e.src == SUPER]
    assert deleg.attributes["relay_conversation_history"] is True and deleg.evidence


def test_calls_per_agent_are_bounded(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    inv, _, _ = scanned
    # supervisor: GetAgent, tags, aliases, DRAFT (list + 1 get + collaborators) and version 2
    # (list + 3 gets + collaborators); a paginated list counts once
    calls = {
        i.id: _aws(i).agent.api_calls  # type: ignore[union-attr]
        for i in inv.identities
        if i.kind in ("agent.bedrock_agent", "agent.agentcore_runtime", "agent.agentcore_gateway")
    }
    assert calls[SUPER] == 11
    assert calls[WORKER] == 8 and calls[LONER] == 5
    assert calls[RUNTIME] == 2 and calls[GW_OPEN] == 6 and calls[GW_JWT] == 3


def test_agentcore(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    inv, _, _ = scanned
    rt, rt_aws = _agent(_ident(inv, RUNTIME)), _aws(_ident(inv, RUNTIME)).agent
    assert rt_aws is not None
    assert rt.platform == "agentcore"
    assert rt.inbound_auth is InboundAuth.JWT and rt.jwt_audience_pinned is False
    assert rt_aws.server_protocol == "MCP" and rt_aws.network_mode == "PUBLIC"
    assert rt_aws.env_names == ("LOG_LEVEL", "OPENAI_API_KEY")
    assert rt.secret_env_names == ("OPENAI_API_KEY",)
    assert rt_aws.workload_identity == WID
    assert _ident(inv, RUNTIME).owner == "agents-team"
    gw, gw_aws = _agent(_ident(inv, GW_OPEN)), _aws(_ident(inv, GW_OPEN)).agent
    assert gw_aws is not None
    assert gw.inbound_auth is InboundAuth.NONE and gw.token_passthrough is True
    assert gw_aws.authorizer_type == "NONE"
    assert gw_aws.credential_providers == (OAUTH_PROVIDER,)
    assert gw.delegates_to == (RUNTIME,)
    types = {t.type: t.target for t in gw.tools}
    assert types == {
        "lambda": GW_LAMBDA,
        "mcp_server": "https://mcp.example.com/mcp",  # the query (a token) is dropped
        "agentcore_runtime": RUNTIME,
    }
    jwt = _agent(_ident(inv, GW_JWT))
    assert jwt.inbound_auth is InboundAuth.JWT and jwt.jwt_audience_pinned is True
    assert jwt.token_passthrough is False
    edges = {(e.src, e.dst, e.kind) for e in inv.edges}
    assert (GW_OPEN, RUNTIME, "agent.delegates_to") in edges
    assert (GW_OPEN, GW_LAMBDA, "agent.uses_tool") in edges
    assert (RUNTIME, WID, "agent.has_identity") in edges
    assert _agent(_ident(inv, WID)).referenced_by == (RUNTIME,)
    assert _agent(_ident(inv, WID_ORPHAN)).referenced_by == ()
    creds = {c.id: c for c in inv.credentials}
    assert creds["openai"].kind == "agent.api_key_provider" and creds["openai"].location == APIKEY_PROVIDER
    assert creds["github"].kind == "agent.oauth2_provider"
    github = creds["github"].facts
    assert isinstance(github, AwsCredentialFacts)
    assert github.used_by == (GW_OPEN,) and github.arn == creds["github"].location


def test_bedrock_api_keys(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    inv, _, _ = scanned
    keys = {c.id: c for c in inv.credentials if c.kind == "aws.bedrock_api_key"}
    user = f"arn:aws:iam::{ACCT}:user/bedrock-ci"
    assert keys["ACCAEXAMPLEBEDROCK1"].active and keys["ACCAEXAMPLEBEDROCK1"].expires is None
    assert keys["ACCAEXAMPLEBEDROCK1"].identity_id == user
    assert not keys["ACCAEXAMPLEBEDROCK2"].active and keys["ACCAEXAMPLEBEDROCK2"].expires is not None
    assert _ident(inv, user).kind == "aws.iam_user"


def test_unavailable_region_is_a_coverage_entry(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    inv, rec, _ = scanned
    (entry,) = [
        c for c in inv.coverage if c.source == "bedrock-agentcore-control:ListAgentRuntimes eu-west-1"
    ]
    assert entry.status == "not_enabled"
    # nothing else is tried in a region without AgentCore
    assert not [
        c for c in inv.coverage if c.source.startswith("bedrock-agentcore-control:ListGateways eu-west-1")
    ]
    assert any(c.source == "bedrock-agent:ListAgents eu-west-1" and c.status == "ok" for c in inv.coverage)


def test_no_secret_in_the_inventory(scanned: tuple[Inventory, Recorder, FakeEstate]) -> None:
    from nhiscan.inventory_io import inventory_to_dict

    inv, _, _ = scanned
    text = repr(inv) + repr(inventory_to_dict(inv))
    assert CANARY_ENV not in text and CANARY_URL not in text


def test_access_denied_is_a_gap_and_the_scan_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    est = estate()
    est.deny = {"ListAgentCollaborators", "GetGateway", "ListServiceSpecificCredentials"}
    inv, _ = _collect(est)
    gaps = {c.source: c for c in inv.gaps}
    assert gaps["bedrock-agent:ListAgentCollaborators us-east-1 SUPER01 2"].status == "denied"
    assert gaps["bedrock-agentcore-control:GetGateway us-east-1 gw-open-01"].status == "denied"
    assert gaps["iam:ListServiceSpecificCredentials"].status == "denied"
    assert "AccessDenied" in gaps["iam:ListServiceSpecificCredentials"].detail
    ids = {i.id for i in inv.identities}
    assert {SUPER, WORKER, RUNTIME} <= ids and GW_OPEN not in ids
    assert _aws(_ident(inv, SUPER)).agent.collaborators == ()  # type: ignore[union-attr]
    assert _agent(_ident(inv, SUPER)).delegates_to == ()
    assert _agent(_ident(inv, SUPER)).high_risk_builtin_tools == ("ANTHROPIC.Bash",)


def test_throttling_is_a_gap() -> None:
    est = estate()
    # the last AgentCore call in the region: adaptive retry would slow every later call down
    est.throttle = {"ListOauth2CredentialProviders"}
    inv, rec = _collect(est)
    (gap,) = [g for g in inv.gaps if "eu-west-1" not in g.source]
    assert gap.source == "bedrock-agentcore-control:ListOauth2CredentialProviders us-east-1"
    assert gap.status == "throttled"
    assert rec.ops.count("ListOauth2CredentialProviders") == 2  # max_attempts 1: one try per region
    assert "openai" in {c.id for c in inv.credentials}


def test_unreachable_endpoint_is_not_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    est = estate()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with serve(est) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", dead)
        session = _session()
        inv = agents.collect_agents(session, ["us-east-1"], AwsSettings(max_attempts=1), ACCT, NullProgress())
    (entry,) = [c for c in inv.coverage if c.source.startswith("bedrock-agentcore-control:ListAgentRuntimes")]
    assert entry.status == "not_enabled" and "not reachable" in entry.detail
    assert any(i.id == SUPER for i in inv.identities)


def test_empty_estate() -> None:
    inv, rec = _collect(FakeEstate())
    assert not inv.identities and not inv.credentials and not inv.gaps
    assert rec.ops.count("ListAgents") == 2


def test_progress_is_reported() -> None:
    steps: list[str] = []

    class Progress:
        def step(self, message: str) -> None:
            steps.append(message)

    with serve(FakeEstate()) as url:
        agents.collect_agents(_session(), ["us-east-1"], AwsSettings(endpoint_url=url), ACCT, Progress())
    assert any("Bedrock agents in us-east-1" in s for s in steps)
