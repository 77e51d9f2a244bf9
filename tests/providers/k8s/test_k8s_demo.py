"""The demo cluster export (examples/demo/k8s) shows every Kubernetes rule, and nothing more."""

from __future__ import annotations

from datetime import datetime, timezone

from nhiscan.engine import evaluate, load_rules
from nhiscan.scan import analyse
from providers.k8s.k8s_support import build_from
from support import DEMO

AS_OF = datetime(2026, 11, 23, tzinfo=timezone.utc)


def test_demo_export_triggers_every_k8s_rule() -> None:
    inv = build_from(sorted((DEMO / "k8s").iterdir()))
    rules = [r for r in load_rules() if r.id.startswith("NHI-K8S-")]
    findings = evaluate(inv, rules, AS_OF)
    fired = {f.rule_id for f in findings}
    assert fired == {r.id for r in rules}
    flagged = {(f.rule_id, f.resource_name) for f in findings}
    # limited to a low-privilege account: not an escalation
    assert ("NHI-K8S-004", "ci/impersonation-helper") not in flagged
    # built-in controller, allowlisted by default
    assert ("NHI-K8S-004", "kube-system/replicaset-controller") not in flagged
    assert ("NHI-K8S-004", "ci/deployer") in flagged
    assert all(i.id.startswith("k8s://prod-eu-1/") for i in inv.identities)
    # the kagent Deployment belongs to its Agent; the GitHub MCP server has no CRD
    assert ("NHI-K8S-010", "mcp/github-mcp") in flagged
    assert not any(rule == "NHI-K8S-010" and name.startswith("kagent/") for rule, name in flagged)


def test_demo_export_shows_the_agent_rules() -> None:
    inv = build_from(sorted((DEMO / "k8s").iterdir()))
    rules = [r for r in load_rules() if r.id.startswith("NHI-AGT-")]
    flagged = {(f.rule_id, f.resource_name) for f in evaluate(inv, rules, AS_OF, analyse(inv))}
    assert {
        ("NHI-AGT-001", "kagent/k8s-agent"),
        ("NHI-AGT-002", "kagent/support-bot"),
        ("NHI-AGT-003", "kagent/support-bot"),
        ("NHI-AGT-005", "kagent/helm-agent"),
        ("NHI-AGT-006", "mcp/fetch"),
        ("NHI-AGT-011", "mcp/github-mcp"),
    } <= flagged
