"""Live collection against moto's server: the agent operations moto implements are read for real,
and the ones it lacks (aliases, action groups, workload identities, credential providers, Bedrock
API keys) become coverage gaps instead of crashing the scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nhiscan.facts import InboundAuth
from nhiscan.providers.aws import agents
from nhiscan.providers.aws.facts import AwsIdentityFacts
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import NullProgress

pytest.importorskip("moto.server")

ACCT = "123456789012"  # moto's default account
CANARY = "sk-canary-moto-0b1c2d3e4f"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _session() -> Any:
    import boto3

    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def test_collects_what_moto_serves(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    session = _session()
    kw = {"endpoint_url": moto_endpoint, "region_name": "us-east-1"}
    ba = session.client("bedrock-agent", **kw)
    agent = ba.create_agent(
        agentName="helper",
        agentResourceRoleArn=f"arn:aws:iam::{ACCT}:role/admin",
        foundationModel="anthropic.claude-3-haiku-20240307-v1:0",
        tags={"owner": "data-team"},
    )["agent"]
    ac = session.client("bedrock-agentcore-control", **kw)
    rt = ac.create_agent_runtime(
        agentRuntimeName="rt1",
        agentRuntimeArtifact={
            "containerConfiguration": {"containerUri": f"{ACCT}.dkr.ecr.us-east-1.amazonaws.com/a:1"}
        },
        roleArn=f"arn:aws:iam::{ACCT}:role/runtime",
        networkConfiguration={"networkMode": "PUBLIC"},
        environmentVariables={"OPENAI_API_KEY": CANARY},
        protocolConfiguration={"serverProtocol": "A2A"},
    )
    gw = ac.create_gateway(
        name="gw1", roleArn=f"arn:aws:iam::{ACCT}:role/admin", protocolType="MCP", authorizerType="NONE"
    )
    lam = f"arn:aws:lambda:us-east-1:{ACCT}:function:tool"
    ac.create_gateway_target(
        gatewayIdentifier=gw["gatewayId"],
        name="t1",
        targetConfiguration={"mcp": {"lambda": {"lambdaArn": lam, "toolSchema": {"inlinePayload": []}}}},
        credentialProviderConfigurations=[{"credentialProviderType": "GATEWAY_IAM_ROLE"}],
    )

    ops: list[str] = []
    session.events.register("before-call", lambda model, **_: ops.append(model.name))
    inv = agents.collect_agents(
        session,
        ["us-east-1"],
        AwsSettings(endpoint_url=moto_endpoint, max_attempts=1),
        ACCT,
        NullProgress(),
        role_classes={f"arn:aws:iam::{ACCT}:role/admin": ["admin"]},
    )

    assert ops and set(ops) <= agents.READ_ONLY_OPERATIONS
    by_id = {i.id: i for i in inv.identities}
    bedrock = by_id[agent["agentArn"]]
    assert bedrock.kind == "agent.bedrock_agent" and bedrock.owner == "data-team"
    assert bedrock.attributes["runs_as_classes"] == ["admin"]
    runtime = by_id[rt["agentRuntimeArn"]]
    assert isinstance(runtime.facts, AwsIdentityFacts) and runtime.facts.agent is not None
    assert runtime.facts.agent.server_protocol == "A2A"
    assert runtime.facts.agent.env_names == ("OPENAI_API_KEY",)
    assert runtime.facts.agent.workload_identity
    gateway = by_id[gw["gatewayArn"]]
    assert gateway.agent is not None and gateway.agent.inbound_auth is InboundAuth.NONE
    assert gateway.attributes["role_shared_with"] == [agent["agentArn"]]
    assert (gw["gatewayArn"], lam, "agent.uses_tool") in {(e.src, e.dst, e.kind) for e in inv.edges}
    gaps = {c.source.split(" ")[0] for c in inv.gaps}
    assert {
        "bedrock-agent:ListAgentAliases",
        "bedrock-agent:ListAgentActionGroups",
        "bedrock-agentcore-control:ListWorkloadIdentities",
        "iam:ListServiceSpecificCredentials",
    } <= gaps
    assert all(len(c.detail) <= 200 and "\n" not in c.detail for c in inv.gaps)
    assert CANARY not in repr(inv)
