"""JSON report: valid against the published schema, complete (coverage, gaps, inventory),
deterministic, and with fingerprints that survive message and severity changes."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
import pytest

from nhiscan.findings import ScanResult, Severity
from nhiscan.reporters import JsonReporter, ReportOptions

from .conftest import CI_USER, K8S_SA, RULES

OPTS = ReportOptions(tool_version="0.1.0")


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = json.loads(resources.files("nhiscan").joinpath("schemas/report.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    assert cls is jsonschema.Draft202012Validator
    return cls(schema, format_checker=jsonschema.FormatChecker())


def render(result: ScanResult) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(JsonReporter().render(result, OPTS))
    return doc


def schema_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]


def test_valid_against_published_schema(
    result: ScanResult, empty_result: ScanResult, clean_result: ScanResult
) -> None:
    for r in (result, empty_result, clean_result):
        assert schema_errors(render(r)) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("findings", 0, "fingerprint"), "not-a-fingerprint"),
        (("findings", 0, "severity"), "severe"),
        (("scan", "started"), "yesterday"),
        (("summary", "by_severity", "high"), -1),
        (("identities", 0, "usage"), "robot"),
    ],
)
def test_schema_rejects_broken_reports(result: ScanResult, path: tuple[Any, ...], value: Any) -> None:
    doc = render(result)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert schema_errors(doc) != []


def test_envelope_scan_and_summary(result: ScanResult) -> None:
    doc = render(result)
    assert doc["schema_version"] == "1.1"
    assert doc["tool"] == {"name": "nhiscan", "version": "0.1.0"}
    scan = doc["scan"]
    assert scan["started"] == "2026-11-20T09:00:00Z"
    assert scan["as_of"] == "2026-11-20T09:00:05Z"
    assert scan["providers"] == ["aws", "k8s", "gcp"]
    assert scan["skipped_providers"] == {
        "azure": "no credentials found (AZURE_CLIENT_ID unset, az login absent)"
    }
    assert scan["complete"] is False
    assert len(scan["coverage"]) == 3  # ok entries included
    assert [g["source"] for g in scan["gaps"]] == ["iam.serviceAccounts.keys.list"]
    assert scan["gaps"][0]["status"] == "denied"
    assert doc["inventory_summary"] == {
        "identities": 5,
        "by_provider": {"aws": 3, "gcp": 1, "k8s": 1},
        "by_kind": {"aws.iam_role": 2, "aws.iam_user": 1, "gcp.service_account": 1, "k8s.service_account": 1},
        "credentials": 1,
        "edges": 2,
        "scopes": 3,
    }
    assert doc["summary"] == {
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 0, "info": 0},
        "open": 3,
        "suppressed": 1,
        "new": 2,
        "unchanged": 1,
        "fixed": 1,
    }
    assert doc["fixed"] == ["0f" * 16]


def test_findings_content_and_order(result: ScanResult) -> None:
    findings = render(result)["findings"]
    assert [f["rule_id"] for f in findings] == ["NHI-AWS-010", "NHI-K8S-002", "NHI-AWS-001", "NHI-GCP-003"]
    crit, _, key, supp = findings
    assert crit["resource"] == {"id": K8S_SA, "name": "builder", "kind": "k8s.service_account"}
    assert crit["path"][0] == {
        "src": K8S_SA,
        "dst": "arn:aws:iam::123456789012:role/deployer",
        "kind": "k8s.cloud_identity",
        "evidence": "eks.amazonaws.com/role-arn annotation",
    }
    assert crit["baseline"] == "new"
    assert key["credential_id"] == "AKIAIOSFODNN7EXAMPLE"
    assert key["resource"]["id"] == CI_USER
    assert key["evidence"] == {"age_days": 212, "created": "2026-04-22T00:00:00Z"}
    assert key["suppression"] is None and key["path"] == []
    assert supp["status"] == "suppressed"
    assert supp["suppression"]["reason"] == "Vaulted key, tracked in SEC-123"


def test_identities_inventory(result: ScanResult) -> None:
    idents = {i["id"]: i for i in render(result)["identities"]}
    assert len(idents) == 5  # identities without findings are listed too
    admin = idents["arn:aws:iam::123456789012:role/OrgAdmin"]
    assert admin["classes"] == ["admin", "wildcard"]
    dep = idents["arn:aws:iam::123456789012:role/deployer"]
    assert dep == {
        "id": "arn:aws:iam::123456789012:role/deployer",
        "kind": "aws.iam_role",
        "name": "deployer",
        "provider": "aws",
        "scope": "aws:account:123456789012",
        "usage": "machine",
        "owner": "team-platform",
        "created": "2024-01-02T00:00:00Z",
        "last_used": None,
        "classes": [],
    }


def test_fingerprint_stable_under_message_and_severity_changes(result: ScanResult) -> None:
    before = {f["rule_id"]: f["fingerprint"] for f in render(result)["findings"]}
    changed = tuple(
        replace(
            f, message=f.message + " (reworded)", severity=Severity.INFO, title="New title", evidence={"x": 1}
        )
        for f in result.findings
    )
    after = {f["rule_id"]: f["fingerprint"] for f in render(replace(result, findings=changed))["findings"]}
    assert before == after
    assert len(set(before.values())) == 4
    # ...but a different credential is a different finding.
    other_key = replace(result.findings[0], credential_id="AKIAOTHER")
    assert other_key.fingerprint != result.findings[0].fingerprint


def test_deterministic_regardless_of_input_order(result: ScanResult) -> None:
    shuffled = replace(
        result,
        findings=tuple(reversed(result.findings)),
        rules=tuple(reversed(RULES)),
        inventory=replace(
            result.inventory,
            identities=tuple(reversed(result.inventory.identities)),
            coverage=tuple(reversed(result.inventory.coverage)),
        ),
        fixed=tuple(reversed(result.fixed)),
    )
    assert JsonReporter().render(result, OPTS) == JsonReporter().render(shuffled, OPTS)


def test_empty_result(empty_result: ScanResult) -> None:
    doc = render(empty_result)
    assert doc["findings"] == [] and doc["identities"] == [] and doc["fixed"] == []
    assert doc["scan"]["complete"] is True
    assert doc["summary"]["open"] == 0
    assert doc["inventory_summary"]["identities"] == 0


def test_odd_evidence_values_still_serialise(result: ScanResult) -> None:
    from pathlib import PurePosixPath

    f = replace(
        result.findings[0], evidence={"where": PurePosixPath("/etc/x"), "kinds": frozenset({"a"}), "n": None}
    )
    doc = render(replace(result, findings=(f,)))
    assert doc["findings"][0]["evidence"] == {"where": "/etc/x", "kinds": ["a"], "n": None}
    assert schema_errors(doc) == []
