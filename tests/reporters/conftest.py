"""Hand-built scan results for the reporter tests: a few identities across providers, a
suppressed finding, a delegation path, a coverage gap, a skipped provider, and an empty scan."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nhiscan.findings import Finding, FindingSummary, Hop, RuleInfo, ScanResult, Severity, Status, Target
from nhiscan.model import (
    CoverageEntry,
    Credential,
    Edge,
    Identity,
    Inventory,
    PermissionSummary,
    Scope,
)

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
AS_OF = datetime(2026, 11, 20, 9, 0, 5, tzinfo=timezone.utc)

AWS_SCOPE = "aws:account:123456789012"
K8S_SCOPE = "k8s:cluster:prod-eu"
GCP_SCOPE = "gcp:project:my-proj"
AZ_SCOPE = "azure:tenant:72f988bf-86f1-41af-91ab-2d7cd011db47"

DEPLOYER = "arn:aws:iam::123456789012:role/deployer"
ADMIN = "arn:aws:iam::123456789012:role/OrgAdmin"
CI_USER = "arn:aws:iam::123456789012:user/ci-deployer"
K8S_SA = "system:serviceaccount:ci:builder"
GCP_SA = "ci@my-proj.iam.gserviceaccount.com"


def rule(id_: str, title: str, sev: Severity, provider: str, target: Target = Target.IDENTITY) -> RuleInfo:
    return RuleInfo(
        id=id_,
        title=title,
        severity=sev,
        description=f"{title}. Why it matters, in a sentence.",
        remediation="Rotate or remove it: `aws iam update-access-key --status Inactive`.",
        references={"cis": {"aws-3.0": "1.14"}, "owasp_nhi": ["NHI7"], "urls": ["https://example.org/x"]},
        tags=("credential-rotation",),
        provider=provider,
        target=target,
    )


RULES = (
    rule(
        "NHI-AWS-001",
        "Active access key older than the rotation threshold",
        Severity.MEDIUM,
        "aws",
        Target.CREDENTIAL,
    ),
    rule("NHI-AWS-010", "Delegation path to an administrator", Severity.CRITICAL, "aws"),
    rule("NHI-K8S-002", "Service account bound to cluster-admin", Severity.HIGH, "k8s"),
    rule("NHI-GCP-003", "User-managed service account key", Severity.LOW, "gcp", Target.CREDENTIAL),
    rule("NHI-AZ-004", "Service principal without owner", Severity.INFO, "azure"),
    rule("NHI-AWS-099", "Rule that matched nothing", Severity.HIGH, "aws"),
)


def inventory(gaps: bool = True) -> Inventory:
    identities = (
        Identity(
            id=DEPLOYER,
            provider="aws",
            kind="aws.iam_role",
            scope=AWS_SCOPE,
            name="deployer",
            created=datetime(2024, 1, 2, tzinfo=timezone.utc),
            usage="machine",
            owner="team-platform",
            attributes={"aliases": ["AROAEXAMPLEDEPLOYER"]},
        ),
        Identity(
            id=ADMIN,
            provider="aws",
            kind="aws.iam_role",
            scope=AWS_SCOPE,
            name="OrgAdmin",
            permissions=PermissionSummary(classes=("wildcard", "admin")),
        ),
        Identity(id=CI_USER, provider="aws", kind="aws.iam_user", scope=AWS_SCOPE, name="ci-deployer"),
        Identity(
            id=K8S_SA,
            provider="k8s",
            kind="k8s.service_account",
            scope=K8S_SCOPE,
            name="builder",
            last_used=datetime(2026, 11, 1, tzinfo=timezone.utc),
        ),
        Identity(id=GCP_SA, provider="gcp", kind="gcp.service_account", scope=GCP_SCOPE, name=GCP_SA),
    )
    coverage = [
        CoverageEntry("aws", AWS_SCOPE, "iam:GetAccountAuthorizationDetails", "ok"),
        CoverageEntry("k8s", K8S_SCOPE, "rbac.authorization.k8s.io/v1 clusterrolebindings", "ok"),
    ]
    if gaps:
        coverage.append(
            CoverageEntry(
                "gcp",
                GCP_SCOPE,
                "iam.serviceAccounts.keys.list",
                "denied",
                "403 PERMISSION_DENIED | caller lacks iam.serviceAccountKeys.list",
            )
        )
    return Inventory(
        identities=identities,
        credentials=(Credential(id="AKIAIOSFODNN7EXAMPLE", identity_id=CI_USER, kind="aws.access_key"),),
        edges=(
            Edge(src=K8S_SA, dst=DEPLOYER, kind="k8s.cloud_identity"),
            Edge(src=DEPLOYER, dst=ADMIN, kind="aws.assume_role"),
        ),
        coverage=tuple(coverage),
        scopes=(
            Scope("aws", "account", "123456789012", name="prod"),
            Scope("k8s", "cluster", "prod-eu"),
            Scope("gcp", "project", "my-proj"),
        ),
        providers=("aws", "k8s", "gcp"),
        generated_at=AS_OF,
    )


def findings() -> tuple[Finding, ...]:
    return (
        Finding(
            rule_id="NHI-AWS-001",
            title="Active access key older than the rotation threshold",
            severity=Severity.MEDIUM,
            message="Access key AKIAIOSFODNN7EXAMPLE of ci-deployer is 212 days old (threshold 90).",
            provider="aws",
            scope=AWS_SCOPE,
            resource_id=CI_USER,
            resource_name="ci-deployer",
            resource_kind="aws.iam_user",
            credential_id="AKIAIOSFODNN7EXAMPLE",
            evidence={"age_days": 212, "created": datetime(2026, 4, 22, tzinfo=timezone.utc)},
            baseline="unchanged",
        ),
        Finding(
            rule_id="NHI-AWS-010",
            title="Delegation path to an administrator",
            severity=Severity.CRITICAL,
            message="builder can become an administrator in 2 hops.",
            provider="k8s",
            scope=K8S_SCOPE,
            resource_id=K8S_SA,
            resource_name="builder",
            resource_kind="k8s.service_account",
            path=(
                Hop(K8S_SA, DEPLOYER, "k8s.cloud_identity", "eks.amazonaws.com/role-arn annotation"),
                Hop("AROAEXAMPLEDEPLOYER", ADMIN, "aws.assume_role", "trust policy statement 0"),
            ),
            baseline="new",
        ),
        Finding(
            rule_id="NHI-K8S-002",
            title="Service account bound to cluster-admin",
            severity=Severity.HIGH,
            message="builder | bound to cluster-admin\nvia ClusterRoleBinding ci-admin <script>",
            provider="k8s",
            scope=K8S_SCOPE,
            resource_id=K8S_SA,
            resource_name="builder",
            resource_kind="k8s.service_account",
            baseline="new",
        ),
        Finding(
            rule_id="NHI-GCP-003",
            title="User-managed service account key",
            severity=Severity.LOW,
            message="Key 0123abcd of ci@my-proj.iam.gserviceaccount.com is user-managed.",
            provider="gcp",
            scope=GCP_SCOPE,
            resource_id=GCP_SA,
            resource_name=GCP_SA,
            resource_kind="gcp.service_account",
            credential_id="0123abcd",
            status=Status.SUPPRESSED,
            suppression={
                "rule": "NHI-GCP-003",
                "reason": "Vaulted key, tracked in SEC-123",
                "expires": "2026-12-31",
            },
            baseline="unchanged",
        ),
    )


def scan_result(**overrides: object) -> ScanResult:
    base: dict[str, object] = {
        "inventory": inventory(),
        "findings": findings(),
        "rules": RULES,
        "started": STARTED,
        "as_of": AS_OF,
        "providers": ("aws", "k8s", "gcp"),
        "skipped_providers": {"azure": "no credentials found (AZURE_CLIENT_ID unset, az login absent)"},
        "fixed": (
            FindingSummary(
                fingerprint="0f" * 16,
                rule_id="NHI-AWS-004",
                title="IAM user with long-lived access keys",
                severity="medium",
                provider="aws",
                scope=AWS_SCOPE,
                resource_id="arn:aws:iam::123456789012:user/old-bot",
                resource_name="old-bot",
                resource_kind="aws.iam_user",
            ),
        ),
        "baseline_used": True,
    }
    base.update(overrides)
    return ScanResult(**base)  # type: ignore[arg-type]


@pytest.fixture
def result() -> ScanResult:
    return scan_result()


@pytest.fixture
def empty_result() -> ScanResult:
    return ScanResult(
        inventory=Inventory(),
        findings=(),
        rules=(),
        started=STARTED,
        as_of=AS_OF,
        providers=(),
    )


@pytest.fixture
def clean_result() -> ScanResult:
    """Identities and rules but no findings, no baseline, no gaps."""
    return ScanResult(
        inventory=inventory(gaps=False),
        findings=(),
        rules=RULES,
        started=STARTED,
        as_of=AS_OF,
        providers=("aws",),
    )


def shared_dir() -> Path:
    """The ``shared/`` folder that sits beside the repository root (or $NHISCAN_SHARED_DIR).

    Fails loudly rather than skipping: CI has the folder, and a silently skipped schema check
    would let invalid SARIF through.
    """
    env = os.environ.get("NHISCAN_SHARED_DIR")
    candidates = [Path(env)] if env else []
    repo_root = Path(__file__).resolve().parents[2]
    # In a clone, shared/ is beside the repository root; in a git worktree kept elsewhere it is
    # beside the main checkout, which an ancestor walk finds as well.
    candidates += [parent / "shared" for parent in repo_root.parents]
    for c in candidates:
        if (c / "sarif-schema-2.1.0.json").is_file():
            return c.resolve()
    raise FileNotFoundError(
        "sarif-schema-2.1.0.json not found in "
        + ", ".join(str(c) for c in candidates)
        + " (set NHISCAN_SHARED_DIR)"
    )
