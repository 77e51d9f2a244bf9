"""AWS: IAM users, roles and keys, their effective permissions and trust, and CloudTrail.

Live collection uses the standard credential chain (profiles, SSO, environment, instance roles)
and only bulk read-only calls; offline import reads what the AWS CLI exports (see
``documents.py``). Both feed the same builder, so they give the same inventory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from nhiscan.errors import InputError
from nhiscan.model import Inventory
from nhiscan.providers.aws import documents as d
from nhiscan.providers.aws.facts import (
    AwsCredentialFacts,
    AwsEdgeFacts,
    AwsIdentityFacts,
    AwsLoggingFacts,
)
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.interface import (
    CollectOptions,
    Delegation,
    DelegationContext,
    LoadedFile,
    ProviderPlugin,
    RecognisedFile,
)


class Plugin(ProviderPlugin):
    name: ClassVar[str] = "aws"
    extra: ClassVar[str] = "aws"
    description: ClassVar[str] = "IAM users, roles, access keys, trust policies, CloudTrail"
    display_name: ClassVar[str] = "AWS"
    settings_class = AwsSettings
    sdk_modules: ClassVar[tuple[str, ...]] = ("boto3", "botocore")
    external_source_edge_kinds: ClassVar[frozenset[str]] = frozenset({"aws.oidc_federation"})
    derives_admin_edges: ClassVar[bool] = True
    identity_facts: ClassVar[type | None] = AwsIdentityFacts
    credential_facts: ClassVar[type | None] = AwsCredentialFacts
    edge_facts: ClassVar[type | None] = AwsEdgeFacts
    logging_facts: ClassVar[type | None] = AwsLoggingFacts
    identity_kinds: ClassVar[Mapping[str, str]] = {
        "aws.iam_user": "IAM user",
        "aws.iam_role": "IAM role",
        "aws.root_account": "the account root user",
        "aws.agentcore_token_vault": "AgentCore Identity token vault (holds credential providers)",
        "agent.bedrock_agent": "Amazon Bedrock agent",
        "agent.agentcore_runtime": "Bedrock AgentCore runtime",
        "agent.agentcore_gateway": "Bedrock AgentCore gateway",
        "agent.agentcore_workload_identity": "Bedrock AgentCore workload identity",
    }
    credential_kinds: ClassVar[Mapping[str, str]] = {
        "aws.access_key": "IAM access key",
        "aws.signing_certificate": "IAM signing certificate",
        "aws.bedrock_api_key": "long-term Bedrock API key (service-specific credential)",
        "agent.api_key_provider": "AgentCore API key credential provider",
        "agent.oauth2_provider": "AgentCore OAuth2 credential provider",
    }
    edge_kinds: ClassVar[Mapping[str, str]] = {
        "aws.assume_role": "sts:AssumeRole allowed by both the trust and the source's policies",
        "aws.pass_role:ec2": "iam:PassRole to EC2 and run an instance",
        "aws.pass_role:lambda": "iam:PassRole to Lambda and run a function",
        "aws.pass_role:glue": "iam:PassRole to Glue and run a dev endpoint or job",
        "aws.pass_role:cloudformation": "iam:PassRole to CloudFormation and create a stack",
        "aws.pass_role:codebuild": "iam:PassRole to CodeBuild and run a build",
        "aws.pass_role:sagemaker": "iam:PassRole to SageMaker and run a notebook or job",
        "aws.pass_role:ecs-tasks": "iam:PassRole to ECS and run a task",
        "aws.pass_role:datapipeline": "iam:PassRole to Data Pipeline and run a pipeline",
        "aws.ssm": "run commands on an instance running as the role (SSM)",
        "aws.create_access_key": "create an access key for the user",
        "aws.create_login_profile": "create a console password for the user",
        "aws.update_login_profile": "reset the user's console password",
        "aws.update_assume_role_policy": "rewrite the role's trust policy, then assume it",
        "aws.self_escalation": "give itself more permissions",
        "aws.shared_policies": "has the same policies as the hub's other members",
        "aws.empower_then_act_as": "add permissions to another identity it can act as",
        "aws.oidc_federation": "an OIDC identity provider's subjects can assume the role",
        "agent.runs_as": "the agent runs as this role",
        "agent.uses_tool": "the agent calls this tool",
        "agent.delegates_to": "the agent can invoke this agent",
        "agent.has_identity": "the agent uses this AgentCore workload identity",
    }

    def delegation(self, context: DelegationContext) -> Delegation | None:
        from nhiscan.providers.aws.delegation import AwsEdges

        inventory = context.inventory
        if not any(i.provider == "aws" for i in inventory.identities):
            return None
        key_slots: dict[str, int] = {}
        for c in inventory.credentials:
            if c.kind == "aws.access_key":
                key_slots[c.identity_id] = key_slots.get(c.identity_id, 0) + 1
        return AwsEdges(inventory.identities, context.sink_of, key_slots)

    def credentials_hint(self, options: CollectOptions) -> str | None:
        if options.settings_for(AwsSettings).profile:
            return None
        env = (
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        )
        if any(os.environ.get(v) for v in env):
            return None
        home = Path.home() / ".aws"
        files = [
            os.environ.get("AWS_SHARED_CREDENTIALS_FILE"),
            os.environ.get("AWS_CONFIG_FILE"),
            str(home / "credentials"),
            str(home / "config"),
        ]
        if any(f and Path(f).is_file() for f in files):
            return None
        return "no AWS credentials found (no AWS_* environment variables, no ~/.aws/credentials or config)"

    def collect(self, options: CollectOptions) -> Inventory:
        from nhiscan.providers.aws.collector import collect

        return collect(options)

    def recognise(self, file: LoadedFile) -> str | None:
        found = d.recognise(file.data, file.text)
        if found is None and file.data is not None:
            from nhiscan.providers.aws import agents

            found = agents.recognise(file.data)
        return found

    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        from nhiscan.model import merge
        from nhiscan.providers.aws import agents
        from nhiscan.providers.aws.build import AwsDocuments, build

        docs = AwsDocuments()
        agent_docs: list[tuple[str, str, Any]] = []
        for rf in files:
            where = str(rf.file.path)
            data: Any = d.unwrap(rf.file.data) if rf.file.data is not None else None
            if rf.doc_type in agents.DOC_TYPES:
                agent_docs.append((rf.doc_type, where, data))
            elif rf.doc_type == d.GAAD:
                docs.gaad.append((where, data))
            elif rf.doc_type == d.CREDENTIAL_REPORT:
                docs.reports.append(
                    (where, d.parse_report(d.report_csv(rf.file.data, rf.file.text, where), where))
                )
            elif rf.doc_type == d.TRAILS:
                for i, trail in enumerate(d.require_list(data, "trailList", where)):
                    if not trail.get("TrailARN"):
                        raise InputError(where, f"trailList[{i}] has no TrailARN")
                    docs.trails.append((where, trail))
            elif rf.doc_type == d.TRAIL_STATUS:
                docs.statuses.append((None, where, data))
            elif rf.doc_type == d.EVENT_SELECTORS:
                docs.selectors.append((where, data))
        inv = build(docs)
        if agent_docs:
            part = agents.build_agents(agent_docs, {s.id for s in inv.scopes}, **agents.context_from(inv))
            inv = merge([inv, part])
        return inv
