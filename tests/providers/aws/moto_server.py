"""An in-process moto server for the live AWS tests and the scale benchmark.

The server runs in this process (``ThreadedMotoServer`` on 127.0.0.1, port chosen by the OS) so
that tests can reach into ``moto.iam.models.iam_backends`` to set what no API can: creation and
last-use dates. Everything nhiscan reads still goes through boto3 over real HTTP.

AWS-managed policies are not bulk-loaded (``MOTO_IAM_LOAD_MANAGED_POLICIES`` makes every reset
cost ~1 s and every unfiltered GetAccountAuthorizationDetails ~2 s, because it returns all 1,582
of them); :meth:`MotoAws.add_aws_managed_policy` installs the real document of just the ones a
test attaches.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from nhiscan.providers.aws.settings import AwsSettings

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
# exactly the operations nhiscan may call (collector.READ_ONLY_OPERATIONS and
# agents.READ_ONLY_OPERATIONS), as IAM actions; Bedrock Agents authorise as "bedrock:",
# AgentCore as "bedrock-agentcore:"
READ_ONLY_SCANNER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "sts:GetCallerIdentity",
                "iam:GetAccountAuthorizationDetails",
                "iam:GenerateCredentialReport",
                "iam:GetCredentialReport",
                "iam:ListAccessKeys",
                "iam:ListServiceSpecificCredentials",
                "cloudtrail:DescribeTrails",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:GetEventSelectors",
                "bedrock:ListAgents",
                "bedrock:GetAgent",
                "bedrock:ListAgentAliases",
                "bedrock:ListAgentActionGroups",
                "bedrock:GetAgentActionGroup",
                "bedrock:ListAgentCollaborators",
                "bedrock:ListTagsForResource",
                "bedrock-agentcore:ListAgentRuntimes",
                "bedrock-agentcore:GetAgentRuntime",
                "bedrock-agentcore:ListGateways",
                "bedrock-agentcore:GetGateway",
                "bedrock-agentcore:ListGatewayTargets",
                "bedrock-agentcore:GetGatewayTarget",
                "bedrock-agentcore:ListWorkloadIdentities",
                "bedrock-agentcore:ListApiKeyCredentialProviders",
                "bedrock-agentcore:ListOauth2CredentialProviders",
                "bedrock-agentcore:ListTagsForResource",
            ],
            "Resource": "*",
        }
    ],
}


@dataclass
class CallLog:
    """Operation names seen by a botocore ``before-call`` hook, in order."""

    operations: list[str] = field(default_factory=list)

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.operations.append(model.name)


class MotoAws:
    """A running moto server plus the helpers tests need around it."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        # one access-log line per request would bury test failures
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self._loader: Any = None
        self._seed_session = self.session()
        self._clients: dict[str, Any] = {}

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                raise RuntimeError(f"moto reset failed: HTTP {response.status}")

    # --- clients ---------------------------------------------------------------------------

    def session(self, key_id: str = "testing", secret: str = "testing") -> Any:
        """A new session (its own event hooks and credentials) sharing one model loader, so the
        service models are parsed once per test run rather than once per session."""
        import boto3
        import botocore.loaders
        import botocore.session

        if self._loader is None:
            self._loader = botocore.loaders.create_loader()
        core = botocore.session.get_session()
        core.register_component("data_loader", self._loader)
        return boto3.Session(
            aws_access_key_id=key_id, aws_secret_access_key=secret, region_name=REGION, botocore_session=core
        )

    def client(self, service: str, session: Any = None) -> Any:
        """A client for seeding and checking; without ``session``, from one shared session (and
        cached), because every new session loads the service models again (~0.1 s each)."""
        if session is not None:
            return session.client(service, endpoint_url=self.endpoint)
        if service not in self._clients:
            self._clients[service] = self._seed_session.client(service, endpoint_url=self.endpoint)
        return self._clients[service]

    def settings(self, session: Any = None, **extra: Any) -> tuple[AwsSettings]:
        """``CollectOptions.settings`` for calling ``collector.collect`` directly against this server."""
        base: dict[str, Any] = {
            "endpoint_url": self.endpoint,
            "session": session or self.session(),
            "report_timeout": 10,
            "max_attempts": 2,
        }
        base.update(extra)
        return (AwsSettings(**base),)

    # --- backend access (dates cannot be set over the API) ---------------------------------

    @property
    def iam_backend(self) -> Any:
        from moto.iam.models import iam_backends

        return iam_backends[ACCOUNT]["global"]

    def add_aws_managed_policy(self, name: str) -> str:
        """Install one AWS-managed policy with its real published document; returns its ARN."""
        from moto.iam.aws_managed_policies import aws_managed_policies_data
        from moto.iam.models import AWSManagedPolicy

        data = json.loads(aws_managed_policies_data)[name]
        be = self.iam_backend
        policy = AWSManagedPolicy.from_data(name, ACCOUNT, "global", data)
        be.aws_managed_policies.append(policy)
        be.managed_policies[policy.arn] = policy
        return str(policy.arn)

    def backdate_key(
        self, user: str, index: int, created: datetime, last_used: datetime | None = None
    ) -> None:
        from moto.iam.models import AccessKeyLastUsed

        key = self.iam_backend.users[user].access_keys[index]
        # AWS reports key dates to the second; moto would keep microseconds
        key.create_date = created.replace(microsecond=0)
        if last_used is not None:
            key.last_used = AccessKeyLastUsed(timestamp=last_used, service="s3", region=REGION)

    def backdate_role(self, name: str, created: datetime, last_used: datetime | None = None) -> None:
        role = next(r for r in self.iam_backend.roles.values() if r.name == name)
        role.create_date = created
        if last_used is not None:
            role.last_used = last_used

    def credential_report_ready(self) -> None:
        """As if the report had been generated earlier: GenerateCredentialReport answers COMPLETE
        at once, sparing the collector its first 0.5 s wait (the report is built when read)."""
        self.iam_backend.generate_report()

    def backdate_user(self, name: str, created: datetime) -> None:
        self.iam_backend.users[name].create_date = created

    def read_only_scanner(self, policy: dict[str, Any] | None = None, name: str = "nhiscan-scanner") -> Any:
        """A user holding only ``policy`` (default: exactly what nhiscan needs); returns a
        boto3 session signed with its key, for use under :func:`iam_enforced`."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name, PolicyName="scan", PolicyDocument=json.dumps(policy or READ_ONLY_SCANNER_POLICY)
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return self.session(key["AccessKeyId"], key["SecretAccessKey"])


# List operations the collector makes that moto 5.2.5 does not implement (it answers 500, which
# botocore retries with back-off): answered with an empty list, as an account with none of them
# gets from AWS. (module, class) -> {method: output list key}
MOTO_MISSING_LISTS = {
    ("moto.bedrockagentcorecontrol.responses", "BedrockAgentCoreControlResponse"): {
        "list_workload_identities": "workloadIdentities",
        "list_api_key_credential_providers": "credentialProviders",
        "list_oauth2_credential_providers": "credentialProviders",
    },
    ("moto.iam.responses", "IamResponse"): {
        "list_service_specific_credentials": "ServiceSpecificCredentials"
    },
}


def fill_moto_gaps(setattr_: Callable[[Any, str, Any], None]) -> None:
    """Install the empty-list answers with ``setattr_`` (``monkeypatch.setattr`` in tests, so
    other tests in the process see moto unchanged)."""
    import importlib

    from moto.core.responses import ActionResult

    for (module, cls_name), methods in MOTO_MISSING_LISTS.items():
        cls = getattr(importlib.import_module(module), cls_name)
        for method, key in methods.items():
            if not hasattr(cls, method):
                setattr_(cls, method, lambda self, _key=key: ActionResult({_key: []}))


@contextmanager
def iam_enforced() -> Iterator[None]:
    """moto evaluates IAM policies and signatures for every request inside this block. moto 5.2.5
    miscomputes the signature of some rest-json AgentCore requests and answers them with
    SignatureDoesNotMatch; filter those gaps with :func:`real_gaps`."""
    from moto.core.authorization import enable_iam_authentication

    with enable_iam_authentication():
        yield


def real_gaps(gaps: Iterable[Any]) -> list[Any]:
    """Coverage gaps other than moto's AgentCore signature mismatches under IAM enforcement."""
    return [g for g in gaps if not _moto_signature_artifact(g.source, g.detail)]


def _moto_signature_artifact(source: str, detail: str) -> bool:
    return source.startswith("bedrock-agentcore-control:") and "SignatureDoesNotMatch" in detail


def real_gap_dicts(gaps: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`real_gaps` for the gaps of a JSON report."""
    return [g for g in gaps if not _moto_signature_artifact(g["source"], g["detail"])]


def record_calls(session: Any) -> CallLog:
    log = CallLog()
    session.events.register("before-call.*.*", log)
    return log


def response(body_text: str, status: int) -> Any:
    """A raw HTTP response for ``before-send`` hooks: returning it there makes botocore parse it
    and apply its retry policy exactly as for a response from AWS."""
    from botocore.awsrequest import AWSResponse

    body = body_text.encode()

    class _Raw:
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield body

    return AWSResponse("http://127.0.0.1/injected", status, {"Content-Type": "text/xml"}, _Raw())


def error_response(code: str, message: str, status: int) -> Any:
    """An error in the IAM/STS query-protocol shape."""
    return response(
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>00000000-nhiscan-test</RequestId>"
        "</ErrorResponse>",
        status,
    )


def fail_operation(
    session: Any, service: str, operation: str, code: str, status: int, times: int | None = None
) -> Callable[[], int]:
    """Answer ``operation`` with an error ``times`` times (None: always) before letting requests
    through to the server. Returns a function giving how many requests were failed."""
    failed = [0]

    def hook(**_: Any) -> Any:
        if times is None or failed[0] < times:
            failed[0] += 1
            return error_response(code, f"nhiscan test: {code}", status)
        return None

    session.events.register(f"before-send.{service}.{operation}", hook)
    return lambda: failed[0]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def run_cli(args: list[str]) -> int:
    """``nhiscan ARGS`` in this process; returns the exit code."""
    from nhiscan.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
