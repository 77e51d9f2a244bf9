"""A local HTTP server that speaks the parts of the AWS APIs moto lacks, for the agent collector.

``bedrock-agent`` and ``bedrock-agentcore-control`` are rest-json services: each operation is a
method + URI template from botocore's service model (``http`` field), pagination is ``nextToken``
in the body or the query string, and errors carry their code in ``x-amzn-ErrorType``. IAM's
``ListServiceSpecificCredentials`` is a query-protocol call answered in XML with Marker paging.

Every request is recorded as ``(operation, region)``; an operation the fake does not know (which
includes every write and every secret-returning call) fails the test through ``unexpected``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

from nhiscan.model import Inventory, merge
from nhiscan.providers.aws import Plugin as AwsPlugin
from nhiscan.providers.aws import agents
from nhiscan.providers.aws import calls as aws_calls
from nhiscan.providers.aws import collector as aws_collector
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile


@dataclass
class FakeEstate:
    """What the fake serves, keyed by region where the real API is regional."""

    agents: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region -> GetAgent 'agent'
    aliases: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # agentId -> summaries
    action_groups: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    collaborators: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    runtimes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region -> GetAgentRuntime
    gateways: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region -> GetGateway
    targets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # gatewayId -> GetGatewayTarget
    workload_identities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    api_key_providers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    oauth2_providers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    api_keys: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    deny: set[str] = field(default_factory=set)  # operations answered with AccessDenied
    unavailable: set[str] = field(default_factory=set)  # regions without AgentCore
    throttle: set[str] = field(default_factory=set)  # operations answered with ThrottlingException
    page_size: int = 1
    calls: list[tuple[str, str]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


def _region(headers: Any) -> str:
    m = re.search(r"Credential=[^/]+/\d+/([a-z0-9-]+)/", headers.get("Authorization", ""))
    return m.group(1) if m else "?"


def _page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    start = int(token) if token else 0
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


Route = tuple[str, re.Pattern[str], str]
ROUTES: list[Route] = [
    (m, re.compile(p), op)
    for m, p, op in (
        ("POST", r"^/agents/$", "ListAgents"),
        ("GET", r"^/agents/(?P<agentId>[^/]+)/$", "GetAgent"),
        ("POST", r"^/agents/(?P<agentId>[^/]+)/agentaliases/$", "ListAgentAliases"),
        (
            "POST",
            r"^/agents/(?P<agentId>[^/]+)/agentversions/(?P<v>[^/]+)/actiongroups/$",
            "ListAgentActionGroups",
        ),
        (
            "GET",
            r"^/agents/(?P<agentId>[^/]+)/agentversions/(?P<v>[^/]+)/actiongroups/(?P<g>[^/]+)/$",
            "GetAgentActionGroup",
        ),
        (
            "POST",
            r"^/agents/(?P<agentId>[^/]+)/agentversions/(?P<v>[^/]+)/agentcollaborators/$",
            "ListAgentCollaborators",
        ),
        ("GET", r"^/tags/(?P<arn>.+)$", "ListTagsForResource"),
        ("POST", r"^/runtimes/$", "ListAgentRuntimes"),
        ("GET", r"^/runtimes/(?P<r>[^/]+)/$", "GetAgentRuntime"),
        ("GET", r"^/gateways/$", "ListGateways"),
        ("GET", r"^/gateways/(?P<g>[^/]+)/$", "GetGateway"),
        ("GET", r"^/gateways/(?P<g>[^/]+)/targets/$", "ListGatewayTargets"),
        ("GET", r"^/gateways/(?P<g>[^/]+)/targets/(?P<t>[^/]+)/$", "GetGatewayTarget"),
        ("POST", r"^/identities/ListWorkloadIdentities$", "ListWorkloadIdentities"),
        ("POST", r"^/identities/ListApiKeyCredentialProviders$", "ListApiKeyCredentialProviders"),
        ("POST", r"^/identities/ListOauth2CredentialProviders$", "ListOauth2CredentialProviders"),
    )
]
AGENTCORE_OPS = {
    "ListAgentRuntimes",
    "GetAgentRuntime",
    "ListGateways",
    "GetGateway",
    "ListGatewayTargets",
    "GetGatewayTarget",
    "ListWorkloadIdentities",
    "ListApiKeyCredentialProviders",
    "ListOauth2CredentialProviders",
}


class _Handler(BaseHTTPRequestHandler):
    estate: FakeEstate

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any, status: int = 200, error: str | None = None) -> None:
        headers = {"x-amzn-ErrorType": error} if error else None
        self._send(status, json.dumps(data, default=str).encode(), "application/json", headers)

    def _dispatch(self, method: str) -> None:
        est = self.estate
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        region = _region(self.headers)
        if method == "POST" and url.path == "/" and b"Action=" in raw:
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            self._iam(form, region)
            return
        for m, pattern, op in ROUTES:
            match = pattern.match(url.path)
            if m == method and match:
                est.calls.append((op, region))
                if op in est.deny:
                    self._json({"message": f"not authorized to perform {op}"}, 403, "AccessDeniedException")
                    return
                if op in est.throttle:
                    self._json({"message": "Rate exceeded"}, 429, "ThrottlingException")
                    return
                if op in AGENTCORE_OPS and region in est.unavailable:
                    self._json({"message": "Unknown operation"}, 404, "UnknownOperationException")
                    return
                body = json.loads(raw) if raw else {}
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                self._answer(op, params, body, query, region)
                return
        est.unexpected.append(f"{method} {self.path}")
        self._json({"message": "unexpected call"}, 400, "ValidationException")

    def _paged(self, items: list[Any], key: str, token: str | None) -> None:
        page, nxt = _page(items, token, self.estate.page_size)
        out: dict[str, Any] = {key: page}
        if nxt:
            out["nextToken"] = nxt
        self._json(out)

    def _not_found(self, what: str) -> None:
        self._json({"message": f"{what} not found"}, 404, "ResourceNotFoundException")

    def _answer(
        self, op: str, p: dict[str, str], body: dict[str, Any], query: dict[str, str], region: str
    ) -> None:
        est = self.estate
        agents = est.agents.get(region, [])
        handlers: dict[str, Callable[[], None]] = {
            "ListAgents": lambda: self._paged(
                [
                    {
                        "agentId": a["agentId"],
                        "agentName": a["agentName"],
                        "agentStatus": a.get("agentStatus"),
                    }
                    for a in agents
                ],
                "agentSummaries",
                body.get("nextToken"),
            ),
            "ListAgentAliases": lambda: self._paged(
                est.aliases.get(p.get("agentId", ""), []), "agentAliasSummaries", body.get("nextToken")
            ),
            "ListAgentActionGroups": lambda: self._paged(
                [
                    {"actionGroupId": g["actionGroupId"], "actionGroupName": g["actionGroupName"]}
                    for g in est.action_groups.get((p.get("agentId", ""), p.get("v", "")), [])
                ],
                "actionGroupSummaries",
                body.get("nextToken"),
            ),
            "ListAgentCollaborators": lambda: self._paged(
                est.collaborators.get((p.get("agentId", ""), p.get("v", "")), []),
                "agentCollaboratorSummaries",
                body.get("nextToken"),
            ),
            "ListTagsForResource": lambda: self._json({"tags": est.tags.get(p.get("arn", ""), {})}),
            "ListAgentRuntimes": lambda: self._paged(
                [
                    {
                        k: r[k]
                        for k in (
                            "agentRuntimeArn",
                            "agentRuntimeId",
                            "agentRuntimeName",
                            "agentRuntimeVersion",
                        )
                    }
                    for r in est.runtimes.get(region, [])
                ],
                "agentRuntimes",
                query.get("nextToken"),
            ),
            "ListGateways": lambda: self._paged(
                [
                    {"gatewayId": g["gatewayId"], "name": g["name"], "authorizerType": g["authorizerType"]}
                    for g in est.gateways.get(region, [])
                ],
                "items",
                query.get("nextToken"),
            ),
            "ListGatewayTargets": lambda: self._paged(
                [{"targetId": t["targetId"], "name": t["name"]} for t in est.targets.get(p.get("g", ""), [])],
                "items",
                query.get("nextToken"),
            ),
            "ListWorkloadIdentities": lambda: self._paged(
                est.workload_identities.get(region, []), "workloadIdentities", body.get("nextToken")
            ),
            "ListApiKeyCredentialProviders": lambda: self._paged(
                est.api_key_providers.get(region, []), "credentialProviders", body.get("nextToken")
            ),
            "ListOauth2CredentialProviders": lambda: self._paged(
                est.oauth2_providers.get(region, []), "credentialProviders", body.get("nextToken")
            ),
        }
        if op in handlers:
            handlers[op]()
            return
        if op == "GetAgent":
            found = [a for a in agents if a["agentId"] == p["agentId"]]
            self._json({"agent": found[0]}) if found else self._not_found("agent")
        elif op == "GetAgentActionGroup":
            groups = est.action_groups.get((p["agentId"], p["v"]), [])
            match = [g for g in groups if g["actionGroupId"] == p["g"]]
            self._json({"agentActionGroup": match[0]}) if match else self._not_found("action group")
        elif op == "GetAgentRuntime":
            rts = [r for r in est.runtimes.get(region, []) if r["agentRuntimeId"] == p["r"]]
            self._json(rts[0]) if rts else self._not_found("runtime")
        elif op == "GetGateway":
            gws = [g for g in est.gateways.get(region, []) if g["gatewayId"] == p["g"]]
            self._json(gws[0]) if gws else self._not_found("gateway")
        elif op == "GetGatewayTarget":
            ts = [t for t in est.targets.get(p["g"], []) if t["targetId"] == p["t"]]
            self._json(ts[0]) if ts else self._not_found("target")

    def _iam(self, form: dict[str, str], region: str) -> None:
        est = self.estate
        action = form.get("Action", "")
        est.calls.append((action, region))
        if action != "ListServiceSpecificCredentials":
            est.unexpected.append(f"iam {action}")
            self._iam_error(400, "InvalidAction", "unexpected call")
            return
        if action in est.deny:
            self._iam_error(403, "AccessDenied", f"not authorized to perform iam:{action}")
            return
        if form.get("ServiceName") != "bedrock.amazonaws.com" or form.get("AllUsers") != "true":
            est.unexpected.append(f"iam {action} with {form}")
        page, nxt = _page(est.api_keys, form.get("Marker"), est.page_size)
        members = "".join(
            "<member>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in c.items()) + "</member>"
            for c in page
        )
        marker = f"<Marker>{nxt}</Marker>" if nxt else ""
        xml = (
            '<ListServiceSpecificCredentialsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            f"<ListServiceSpecificCredentialsResult><ServiceSpecificCredentials>{members}"
            f"</ServiceSpecificCredentials><IsTruncated>{'true' if nxt else 'false'}</IsTruncated>{marker}"
            "</ListServiceSpecificCredentialsResult><ResponseMetadata><RequestId>r1</RequestId>"
            "</ResponseMetadata></ListServiceSpecificCredentialsResponse>"
        )
        self._send(200, xml.encode(), "text/xml")

    def _iam_error(self, status: int, code: str, message: str) -> None:
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
            "</Error><RequestId>r1</RequestId></ErrorResponse>"
        )
        self._send(status, xml.encode(), "text/xml")


@contextmanager
def serve(estate: FakeEstate) -> Iterator[str]:
    """Serve ``estate`` on 127.0.0.1; yields the endpoint URL."""
    handler = type("Handler", (_Handler,), {"estate": estate})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- the estate the tests share -----------------------------------------------------------------
# One small agent estate, served by the fake and exported as CLI documents, shared by the tests.
#
# Account 111122223333, region us-east-1:
# - Bedrock agent SUPER01 (supervisor, runs as the shared role) delegates with history relay to
#   WORKER01 (runs as the admin role), has a Lambda action group in DRAFT and ANTHROPIC.Bash in the
#   live version 2; LONER01 runs as the same shared role.
# - AgentCore runtime rt-mcp-01 (MCP, public, JWT authorizer without audience or clients) with the
#   canary OPENAI_API_KEY value in its environment.
# - Gateway gw-open-01 (no inbound auth) with a Lambda target, an MCP server target whose URL holds a
#   canary token and uses JWT passthrough, and a target that invokes rt-mcp-01 with an OAuth provider.
# - Gateway gw-jwt-01 with a JWT authorizer pinned to an audience.
# - Workload identities (one referenced, one orphaned), an API-key and an OAuth2 credential provider.
# - Long-term Bedrock API keys of IAM user bedrock-ci: one active without expiry, one inactive.


ACCT = "111122223333"
R = "us-east-1"
CANARY_ENV = "sk-canary-4f1b2c3d-env-value-never-printed"
CANARY_URL = "canary-url-token-9a8b7c"
SHARED_ROLE = f"arn:aws:iam::{ACCT}:role/AmazonBedrockExecutionRoleForAgents_shared"
ADMIN_ROLE = f"arn:aws:iam::{ACCT}:role/admin"
RT_ROLE = f"arn:aws:iam::{ACCT}:role/AmazonBedrockAgentCoreSDKRuntime-us-east-1-abc"
GW_ROLE = f"arn:aws:iam::{ACCT}:role/gateway"
SUPER = f"arn:aws:bedrock:{R}:{ACCT}:agent/SUPER01"
WORKER = f"arn:aws:bedrock:{R}:{ACCT}:agent/WORKER01"
LONER = f"arn:aws:bedrock:{R}:{ACCT}:agent/LONER01"
RUNTIME = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:runtime/rt-mcp-01"
GW_OPEN = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:gateway/gw-open-01"
GW_JWT = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:gateway/gw-jwt-01"
WID = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:workload-identity-directory/default/workload-identity/rt-mcp-01"
WID_ORPHAN = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:workload-identity-directory/default/workload-identity/old"
TOOL_LAMBDA = f"arn:aws:lambda:{R}:{ACCT}:function:lookup-orders"
GW_LAMBDA = f"arn:aws:lambda:{R}:{ACCT}:function:gw-tool"
OAUTH_PROVIDER = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:token-vault/default/oauth2credentialprovider/github"
APIKEY_PROVIDER = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:token-vault/default/apikeycredentialprovider/openai"
T = "2026-05-01T10:00:00Z"


def _agent(agent_id: str, name: str, role: str, collaboration: str = "DISABLED") -> dict[str, Any]:
    return {
        "agentId": agent_id,
        "agentName": name,
        "agentArn": f"arn:aws:bedrock:{R}:{ACCT}:agent/{agent_id}",
        "agentVersion": "DRAFT",
        "agentStatus": "PREPARED",
        "foundationModel": "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "agentResourceRoleArn": role,
        "agentCollaboration": collaboration,
        "idleSessionTTLInSeconds": 600,
        "createdAt": T,
        "updatedAt": T,
    }


def _ag(agent_id: str, version: str, gid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "agentId": agent_id,
        "agentVersion": version,
        "actionGroupId": gid,
        "actionGroupName": name,
        "actionGroupState": "ENABLED",
        "createdAt": T,
        "updatedAt": T,
        **extra,
    }


def _collab(agent_id: str, version: str) -> dict[str, Any]:
    return {
        "agentId": agent_id,
        "agentVersion": version,
        "collaboratorId": "C1",
        "collaboratorName": "worker",
        "agentDescriptor": {"aliasArn": f"arn:aws:bedrock:{R}:{ACCT}:agent-alias/WORKER01/WALIAS1"},
        "collaborationInstruction": "hand off order lookups",
        "relayConversationHistory": "TO_COLLABORATOR",
        "createdAt": T,
        "lastUpdatedAt": T,
    }


def runtime() -> dict[str, Any]:
    return {
        "agentRuntimeArn": RUNTIME,
        "agentRuntimeName": "rt_mcp",
        "agentRuntimeId": "rt-mcp-01",
        "agentRuntimeVersion": "1",
        "createdAt": T,
        "lastUpdatedAt": T,
        "roleArn": RT_ROLE,
        "status": "READY",
        "networkConfiguration": {"networkMode": "PUBLIC"},
        "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800},
        "workloadIdentityDetails": {"workloadIdentityArn": WID},
        "protocolConfiguration": {"serverProtocol": "MCP"},
        "authorizerConfiguration": {
            "customJWTAuthorizer": {
                "discoveryUrl": "https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/openid-configuration"
            }
        },
        "environmentVariables": {"OPENAI_API_KEY": CANARY_ENV, "LOG_LEVEL": "debug"},
    }


def gateways() -> list[dict[str, Any]]:
    base = {"createdAt": T, "updatedAt": T, "status": "READY", "protocolType": "MCP"}
    return [
        {
            **base,
            "gatewayArn": GW_OPEN,
            "gatewayId": "gw-open-01",
            "gatewayUrl": f"https://gw-open-01.gateway.bedrock-agentcore.{R}.amazonaws.com/mcp",
            "name": "open-gateway",
            "roleArn": GW_ROLE,
            "authorizerType": "NONE",
        },
        {
            **base,
            "gatewayArn": GW_JWT,
            "gatewayId": "gw-jwt-01",
            "name": "jwt-gateway",
            "roleArn": GW_ROLE,
            "authorizerType": "CUSTOM_JWT",
            "authorizerConfiguration": {
                "customJWTAuthorizer": {
                    "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                    "allowedAudience": ["gw-jwt-01"],
                }
            },
            "workloadIdentityDetails": {"workloadIdentityArn": WID.replace("rt-mcp-01", "gw-jwt-01")},
        },
    ]


def targets() -> list[dict[str, Any]]:
    base = {"gatewayArn": GW_OPEN, "createdAt": T, "updatedAt": T, "status": "READY"}
    return [
        {
            **base,
            "targetId": "T1",
            "name": "orders",
            "targetConfiguration": {
                "mcp": {"lambda": {"lambdaArn": GW_LAMBDA, "toolSchema": {"inlinePayload": []}}}
            },
            "credentialProviderConfigurations": [{"credentialProviderType": "GATEWAY_IAM_ROLE"}],
        },
        {
            **base,
            "targetId": "T2",
            "name": "remote-mcp",
            "targetConfiguration": {
                "mcp": {"mcpServer": {"endpoint": f"https://mcp.example.com/mcp?token={CANARY_URL}"}}
            },
            "credentialProviderConfigurations": [{"credentialProviderType": "JWT_PASSTHROUGH"}],
        },
        {
            **base,
            "targetId": "T3",
            "name": "runtime",
            "targetConfiguration": {"http": {"agentcoreRuntime": {"arn": RUNTIME, "qualifier": "DEFAULT"}}},
            "credentialProviderConfigurations": [
                {
                    "credentialProviderType": "OAUTH",
                    "credentialProvider": {
                        "oauthCredentialProvider": {"providerArn": OAUTH_PROVIDER, "scopes": ["repo"]}
                    },
                }
            ],
        },
    ]


def estate() -> FakeEstate:
    est = FakeEstate()
    est.agents[R] = [
        _agent("SUPER01", "supervisor", SHARED_ROLE, "SUPERVISOR"),
        _agent("WORKER01", "worker", ADMIN_ROLE),
        _agent("LONER01", "loner", SHARED_ROLE),
    ]
    est.aliases["SUPER01"] = [
        {"agentAliasId": "LIVE", "agentAliasName": "live", "routingConfiguration": [{"agentVersion": "2"}]},
        {
            "agentAliasId": "TSTALIASID",
            "agentAliasName": "test",
            "routingConfiguration": [{"agentVersion": "DRAFT"}],
        },
    ]
    est.aliases["WORKER01"] = [
        {"agentAliasId": "WALIAS1", "agentAliasName": "live", "routingConfiguration": [{"agentVersion": "1"}]}
    ]
    est.action_groups[("SUPER01", "DRAFT")] = [
        _ag("SUPER01", "DRAFT", "AG1", "orders", actionGroupExecutor={"lambda": TOOL_LAMBDA}),
    ]
    est.action_groups[("SUPER01", "2")] = [
        _ag("SUPER01", "2", "AG1", "orders", actionGroupExecutor={"lambda": TOOL_LAMBDA}),
        _ag("SUPER01", "2", "AG2", "shell", parentActionSignature="ANTHROPIC.Bash"),
        _ag(
            "SUPER01",
            "2",
            "AG3",
            "old",
            parentActionSignature="ANTHROPIC.Computer",
            actionGroupState="DISABLED",
        ),
    ]
    est.action_groups[("WORKER01", "1")] = [
        _ag("WORKER01", "1", "AG9", "ask", parentActionSignature="AMAZON.UserInput"),
    ]
    est.collaborators[("SUPER01", "2")] = [_collab("SUPER01", "2")]
    est.collaborators[("SUPER01", "DRAFT")] = [_collab("SUPER01", "DRAFT")]
    est.tags[WORKER] = {"owner": "ml-platform@example.com"}
    est.tags[RUNTIME] = {"Owner": "agents-team"}
    est.runtimes[R] = [runtime()]
    est.gateways[R] = gateways()
    est.targets["gw-open-01"] = targets()
    est.workload_identities[R] = [
        {"name": "rt-mcp-01", "workloadIdentityArn": WID},
        {"name": "old", "workloadIdentityArn": WID_ORPHAN},
    ]
    est.api_key_providers[R] = [
        {"name": "openai", "credentialProviderArn": APIKEY_PROVIDER, "createdTime": T, "lastUpdatedTime": T}
    ]
    est.oauth2_providers[R] = [
        {
            "name": "github",
            "credentialProviderVendor": "GithubOauth2",
            "credentialProviderArn": OAUTH_PROVIDER,
            "createdTime": T,
            "lastUpdatedTime": T,
        }
    ]
    est.api_keys = [
        {
            "UserName": "bedrock-ci",
            "Status": "Active",
            "ServiceUserName": f"bedrock-ci-at-{ACCT}",
            "CreateDate": "2026-01-10T00:00:00Z",
            "ServiceSpecificCredentialId": "ACCAEXAMPLEBEDROCK1",
            "ServiceName": "bedrock.amazonaws.com",
        },
        {
            "UserName": "bedrock-ci",
            "Status": "Inactive",
            "ServiceUserName": f"bedrock-ci-at-{ACCT}",
            "CreateDate": "2025-01-10T00:00:00Z",
            "ExpirationDate": "2025-02-10T00:00:00Z",
            "ServiceSpecificCredentialId": "ACCAEXAMPLEBEDROCK2",
            "ServiceName": "bedrock.amazonaws.com",
        },
    ]
    return est


# --- the estate as AWS CLI exports, and the AWS plugin wired the way the lead will wire it ---------


ORIGINAL_BUILD = AwsPlugin.build  # captured before any test patches the plugin
ORIGINAL_COLLECT = aws_collector.collect


def wired_recognise(self: Any, file: LoadedFile) -> str | None:
    from nhiscan.providers.aws import documents as d

    found = d.recognise(file.data, file.text)
    if found is None and file.data is not None:
        found = agents.recognise(file.data)
    return found


def wired_build(self: Any, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
    from nhiscan.providers.aws.build import AwsDocuments, build

    agent_files = [f for f in files if f.doc_type in agents.DOC_TYPES]
    rest = [f for f in files if f.doc_type not in agents.DOC_TYPES]
    base = ORIGINAL_BUILD(self, rest, options) if rest else build(AwsDocuments())
    part = agents.build_agents(
        [(f.doc_type, str(f.file.path), f.file.data) for f in agent_files],
        {s.id for s in base.scopes},
        **agents.context_from(base),
    )
    return merge([base, part])


def wired_collect(options: CollectOptions) -> Inventory:
    """The live AWS scan followed by the agent collection, as the lead will wire it."""
    base = ORIGINAL_COLLECT(options)
    settings = options.settings_for(AwsSettings)
    session = aws_calls.session(settings)
    account = next(s.id for s in base.scopes if s.type == "account")
    regions = list(settings.regions or [session.region_name or "us-east-1"])
    part = agents.collect_agents(
        session, regions, settings, account, options.progress, **agents.context_from(base)
    )
    return merge([base, part])


def cli_exports(est: Any = None) -> dict[str, Any]:
    """The estate of agents_fake as the AWS CLI prints it, one document per file."""
    est = est or estate()
    files: dict[str, Any] = {}
    for a in est.agents["us-east-1"]:
        files[f"get-agent-{a['agentId']}.json"] = {"agent": a}
    for (agent_id, version), groups in est.action_groups.items():
        for g in groups:
            files[f"get-agent-action-group-{agent_id}-{version}-{g['actionGroupId']}.json"] = {
                "agentActionGroup": g
            }
    for (agent_id, version), collabs in est.collaborators.items():
        files[f"list-agent-collaborators-{agent_id}-{version}.json"] = {"agentCollaboratorSummaries": collabs}
    files["get-agent-runtime.json"] = runtime()
    for g in gateways():
        files[f"get-gateway-{g['gatewayId']}.json"] = g
    for t in targets():
        files[f"get-gateway-target-{t['targetId']}.json"] = t
    files["list-workload-identities.json"] = {"workloadIdentities": est.workload_identities["us-east-1"]}
    files["list-api-key-credential-providers.json"] = {
        "credentialProviders": est.api_key_providers["us-east-1"]
    }
    files["list-oauth2-credential-providers.json"] = {
        "credentialProviders": est.oauth2_providers["us-east-1"]
    }
    files["list-service-specific-credentials.json"] = {"ServiceSpecificCredentials": est.api_keys}
    files["list-agents.json"] = {
        "agentSummaries": [
            {"agentId": a["agentId"], "agentName": a["agentName"]} for a in est.agents["us-east-1"]
        ]
    }
    files["list-agent-aliases.json"] = {"agentAliasSummaries": est.aliases["SUPER01"]}
    return files


def docs_of(files: dict[str, Any]) -> list[tuple[str, str, Any]]:
    out = []
    for name, data in files.items():
        doc_type = agents.recognise(data)
        assert doc_type, name
        out.append((doc_type, name, data))
    return out


def rebase(est: FakeEstate, account: str) -> FakeEstate:
    """The same estate in another account (moto's default account, for end-to-end scans)."""

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(ACCT, account)
        if isinstance(value, dict):
            return {swap(k): swap(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(swap(v) for v in value)
        return value

    for name in est.__dataclass_fields__:
        setattr(est, name, swap(getattr(est, name)))
    return est
