"""Action tables the AWS policy evaluator classifies permissions with.

Each table is an immutable tuple of action names (case is irrelevant: IAM matches actions
case-insensitively). They are deliberately short, representative lists, not the full IAM
action catalogue: nhiscan has no offline copy of the service authorisation reference, so a class
such as ``iam_write`` is decided by probing these actions against the principal's policies.

``ESCALATION_METHODS`` is Rhino Security Labs' list of AWS self-escalation methods
(``aws_escalate.py``; see ``shared/reference/delegation.md`` 2.1 and 4.1), named as Rhino and
Cloudsplaining name them. A method fires when every one of its actions is allowed on every
resource. ``PASSED_TO_SERVICE`` says which service each ``iam:PassRole`` step hands the role to, so
that a PassRole grant limited by an ``iam:PassedToService`` condition still counts for the methods
that pass the role to that service (and only for those).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

IAM_WRITE_ACTIONS: Final[tuple[str, ...]] = (
    "iam:CreateUser",
    "iam:CreateRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
)

SECRET_READ_ACTIONS: Final[tuple[str, ...]] = (
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
)

# The sts actions whose unconditional denial means "*" on "*" is no longer administrator access:
# a principal that cannot assume roles or mint session credentials is cut down.
STS_ACTIONS: Final[tuple[str, ...]] = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
)

PASS_ROLE: Final = "iam:PassRole"
ASSUME_ROLE: Final = "sts:AssumeRole"

ESCALATION_METHODS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("CreateNewPolicyVersion", ("iam:CreatePolicyVersion",)),
    ("SetExistingDefaultPolicyVersion", ("iam:SetDefaultPolicyVersion",)),
    ("CreateEC2WithExistingIP", ("iam:PassRole", "ec2:RunInstances")),
    ("CreateAccessKey", ("iam:CreateAccessKey",)),
    ("CreateLoginProfile", ("iam:CreateLoginProfile",)),
    ("UpdateLoginProfile", ("iam:UpdateLoginProfile",)),
    ("AttachUserPolicy", ("iam:AttachUserPolicy",)),
    ("AttachGroupPolicy", ("iam:AttachGroupPolicy",)),
    ("AttachRolePolicy", ("iam:AttachRolePolicy",)),
    ("PutUserPolicy", ("iam:PutUserPolicy",)),
    ("PutGroupPolicy", ("iam:PutGroupPolicy",)),
    ("PutRolePolicy", ("iam:PutRolePolicy",)),
    ("AddUserToGroup", ("iam:AddUserToGroup",)),
    ("UpdateRolePolicyToAssumeIt", ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole")),
    (
        "PassExistingRoleToNewLambdaThenInvoke",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
    ),
    (
        "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    ),
    ("PassExistingRoleToNewGlueDevEndpoint", ("iam:PassRole", "glue:CreateDevEndpoint")),
    ("UpdateExistingGlueDevEndpoint", ("glue:UpdateDevEndpoint",)),
    ("PassExistingRoleToCloudFormation", ("iam:PassRole", "cloudformation:CreateStack")),
    (
        "PassExistingRoleToNewDataPipeline",
        ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
    ),
    ("EditExistingLambdaFunctionWithRole", ("lambda:UpdateFunctionCode",)),
)

# The one table of services that take a passed role: service principal -> alternatives, each a
# set of actions that must all be allowed (besides iam:PassRole) to start that service with the
# role. Delegation edges (aws.pass_role:<service>) use all of it; the Rhino methods above that
# pass a role are a subset of it (tests/providers/aws/test_one_evaluator.py checks).
PASS_ROLE_SERVICES: Final[Mapping[str, tuple[tuple[str, ...], ...]]] = {
    "ec2.amazonaws.com": (("ec2:RunInstances",),),
    "lambda.amazonaws.com": (
        ("lambda:CreateFunction", "lambda:InvokeFunction"),
        ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    ),
    "glue.amazonaws.com": (("glue:CreateDevEndpoint",), ("glue:CreateJob", "glue:StartJobRun")),
    "cloudformation.amazonaws.com": (
        ("cloudformation:CreateStack",),
        ("cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"),
    ),
    "codebuild.amazonaws.com": (
        ("codebuild:CreateProject", "codebuild:StartBuild"),
        ("codebuild:CreateProject", "codebuild:StartBuildBatch"),
    ),
    "sagemaker.amazonaws.com": (
        ("sagemaker:CreateNotebookInstance",),
        ("sagemaker:CreateTrainingJob",),
        ("sagemaker:CreateProcessingJob",),
    ),
    "ecs-tasks.amazonaws.com": (
        ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
        ("ecs:RegisterTaskDefinition", "ecs:StartTask"),
        ("ecs:RegisterTaskDefinition", "ecs:CreateService"),
    ),
    "datapipeline.amazonaws.com": (("datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),),
}
PASSED_TO_SERVICE: Final = MappingProxyType(
    {
        "CreateEC2WithExistingIP": "ec2.amazonaws.com",
        "PassExistingRoleToNewLambdaThenInvoke": "lambda.amazonaws.com",
        "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo": "lambda.amazonaws.com",
        "PassExistingRoleToNewGlueDevEndpoint": "glue.amazonaws.com",
        "PassExistingRoleToCloudFormation": "cloudformation.amazonaws.com",
        "PassExistingRoleToNewDataPipeline": "datapipeline.amazonaws.com",
    }
)

# Methods whose target can be the principal itself: with the principal's ARN known, a grant
# limited to "this user/role" (e.g. arn:aws:iam::*:user/${aws:username}) is enough to escalate.
SELF_TARGET_METHODS: Final[frozenset[str]] = frozenset(
    {"PutUserPolicy", "AttachUserPolicy", "PutRolePolicy", "AttachRolePolicy"}
)
