"""SARIF: valid against the OASIS errata schema (with format checks), accepted by the GitHub
ingestion lint, and shaped as docs/output.md promises."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from nhiscan.findings import Finding, ScanResult, Severity, Status
from nhiscan.reporters import ReportOptions, SarifReporter
from nhiscan.reporters.sarif import kind_segments, pseudo_path, rule_name
from support import needs_shared, shared_path

from .conftest import ADMIN, AWS_SCOPE, CI_USER, K8S_SA, RULES, scan_result
from .sarif_lint import github_lint


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = json.loads(shared_path("sarif-schema-2.1.0.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    # FormatChecker() (not the draft-04 one) so that uri-reference is checked.
    return cls(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]


def render(result: ScanResult, **opts: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        SarifReporter().render(result, ReportOptions(tool_version="0.1.0", **opts))
    )
    return doc


def assert_valid(doc: dict[str, Any]) -> None:
    assert schema_errors(doc) == []
    assert github_lint(doc) == []


@needs_shared("sarif-schema-2.1.0.json")
def test_format_checker_checks_uri_reference() -> None:
    # Guard for the gotcha in shared/reference/sarif.md: without the right checker a malformed
    # uri would pass silently, and the validity tests below would prove nothing about uris.
    doc = render(scan_result())
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "no file here"
    )
    assert any("uri-reference" in e for e in schema_errors(doc))


@needs_shared("sarif-schema-2.1.0.json")
@pytest.mark.parametrize("include_suppressed", [False, True])
@pytest.mark.parametrize("category", [None, "nhiscan/aws/123456789012"])
def test_valid_against_schema_and_github_lint(include_suppressed: bool, category: str | None) -> None:
    doc = render(scan_result(), sarif_include_suppressed=include_suppressed, sarif_category=category)
    assert_valid(doc)


@needs_shared("sarif-schema-2.1.0.json")
def test_empty_and_clean_results_are_valid(empty_result: ScanResult, clean_result: ScanResult) -> None:
    empty = render(empty_result)
    assert_valid(empty)
    assert empty["runs"][0]["results"] == []
    assert empty["runs"][0]["tool"]["driver"]["rules"] == []
    clean = render(clean_result)
    assert_valid(clean)
    # Every rule that ran is listed even with no result, so GitHub closes fixed alerts.
    assert [r["id"] for r in clean["runs"][0]["tool"]["driver"]["rules"]] == sorted(r.id for r in RULES)
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_top_level_shape() -> None:
    doc = render(scan_result())
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "nhiscan"
    assert driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    # several providers: the category names them all, so per-provider uploads stay separate
    assert doc["runs"][0]["automationDetails"] == {"id": "nhiscan/aws+gcp+k8s/"}


def test_default_category_of_a_single_account_scan() -> None:
    from nhiscan.model import Inventory, Scope

    one = scan_result(
        providers=("aws",), inventory=Inventory(scopes=(Scope("aws", "account", "123456789012"),))
    )
    assert render(one)["runs"][0]["automationDetails"] == {"id": "nhiscan/aws/123456789012/"}


def test_rules_metadata() -> None:
    rules = {r["id"]: r for r in render(scan_result())["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {r.id for r in RULES}
    crit = rules["NHI-AWS-010"]
    assert crit["name"] == "DelegationPathToAnAdministrator"
    assert crit["shortDescription"]["text"] == "Delegation path to an administrator"
    assert crit["fullDescription"]["text"].startswith("Delegation path to an administrator. Why")
    assert "Remediation: Rotate or remove it" in crit["help"]["text"]
    assert "cis: aws-3.0 1.14" in crit["help"]["text"]
    assert "**Remediation**" in crit["help"]["markdown"]
    assert crit["helpUri"].endswith("docs/rules.md#nhi-aws-010")
    assert crit["defaultConfiguration"]["level"] == "error"
    assert crit["properties"]["tags"][0] == "security"
    assert crit["properties"]["precision"] in {"very-high", "high", "medium", "low"}
    expected = {"NHI-AWS-010": "9.5", "NHI-K8S-002": "8.0", "NHI-AWS-001": "5.5", "NHI-GCP-003": "2.0"}
    for rid, score in expected.items():
        assert rules[rid]["properties"]["security-severity"] == score
    assert "security-severity" not in rules["NHI-AZ-004"]["properties"]
    assert rules["NHI-AZ-004"]["defaultConfiguration"]["level"] == "note"
    assert rules["NHI-AWS-001"]["defaultConfiguration"]["level"] == "warning"


@needs_shared("sarif-schema-2.1.0.json")
def test_long_texts_and_many_tags_are_clipped_to_github_limits() -> None:
    from dataclasses import replace

    big = replace(RULES[0], description="x" * 5000, tags=tuple(f"t{i}" for i in range(40)), title="T" * 2000)
    doc = render(scan_result(rules=(big,), findings=()))
    assert_valid(doc)
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["fullDescription"]["text"]) == 1024
    assert len(rule["properties"]["tags"]) == 20
    assert len(rule["name"]) <= 255
    assert "x" * 5000 in rule["help"]["markdown"]  # markdown has no GitHub limit: keep it whole


def test_results_shape_and_order() -> None:
    run = render(scan_result())["runs"][0]
    results = run["results"]
    # Suppressed finding (NHI-GCP-003) left out by default; most severe first.
    assert [r["ruleId"] for r in results] == ["NHI-AWS-010", "NHI-K8S-002", "NHI-AWS-001"]
    assert [r["level"] for r in results] == ["error", "error", "warning"]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert len(r["locations"]) == 1
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
        assert (
            r["partialFingerprints"]["primaryLocationLineHash"]
            == r["partialFingerprints"]["nhiscanFindingId/v1"]
        )
    key = results[2]
    assert key["locations"][0]["logicalLocations"][0] == {
        "name": "ci-deployer",
        "kind": "resource",
        "fullyQualifiedName": CI_USER,
    }
    assert key["properties"]["nhiscan/resourceId"] == CI_USER
    assert key["properties"]["nhiscan/provider"] == "aws"
    assert key["properties"]["nhiscan/severity"] == "medium"
    assert key["properties"]["nhiscan/credentialId"] == "AKIAIOSFODNN7EXAMPLE"
    assert key["baselineState"] == "unchanged"
    assert "nhiscan/path" not in key["properties"]


def test_path_in_message_and_properties() -> None:
    result = scan_result()
    crit = render(result)["runs"][0]["results"][0]
    # The second hop names the deployer by its alias; the path still reads with display names.
    assert (
        crit["message"]["text"]
        == "builder can become an administrator in 2 hops. Path: builder -> deployer -> OrgAdmin"
    )
    assert [h["dst"] for h in crit["properties"]["nhiscan/path"]] == [
        "arn:aws:iam::123456789012:role/deployer",
        ADMIN,
    ]
    assert crit["properties"]["nhiscan/path"][0]["src"] == K8S_SA


def test_fingerprint_is_the_finding_fingerprint() -> None:
    result = scan_result()
    by_rule = {r["ruleId"]: r for r in render(result)["runs"][0]["results"]}
    for f in result.findings:
        if f.status == Status.OPEN:
            assert by_rule[f.rule_id]["partialFingerprints"]["primaryLocationLineHash"] == f.fingerprint


def test_pseudo_paths() -> None:
    result = scan_result()
    uris = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in render(result, sarif_include_suppressed=True)["runs"][0]["results"]
    }
    assert uris["NHI-AWS-001"] == "nhiscan/aws/123456789012/iam/user/ci-deployer"
    assert uris["NHI-K8S-002"] == "nhiscan/k8s/prod-eu/ci/service/account/builder"
    assert uris["NHI-GCP-003"] == "nhiscan/gcp/my-proj/service/account/ci%40my-proj.iam.gserviceaccount.com"
    for uri in uris.values():
        assert ":" not in uri and not uri.startswith("/") and uri


@needs_shared("sarif-schema-2.1.0.json")
def test_pseudo_path_never_leaks_a_scheme_or_structure() -> None:
    nasty = Finding(
        rule_id="R",
        title="t",
        severity=Severity.HIGH,
        message="m",
        provider="aws",
        scope="aws:account:",  # no id
        resource_id="arn:aws:iam::123456789012:role/a/b",
        resource_name="",  # falls back to the ARN, which must be encoded
        resource_kind="",
    )
    dots = Finding(
        rule_id="R",
        title="t",
        severity=Severity.HIGH,
        message="m",
        provider="aws",
        scope=AWS_SCOPE,
        resource_id="arn:aws:iam::123456789012:role/..",
        resource_name="..",
        resource_kind="aws.iam_role",
    )
    result = scan_result(findings=(nasty, dots))
    p1, p2 = pseudo_path(result, nasty), pseudo_path(result, dots)
    assert p1 == "nhiscan/aws/aws%3Aaccount%3A/resource/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa%2Fb"
    assert unquote(p1.split("/")[-1]) == nasty.resource_id
    assert p2 == "nhiscan/aws/123456789012/iam/role/%2E%2E"
    doc = render(result)
    assert_valid(doc)


def _finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "rule_id": "R",
        "title": "t",
        "severity": Severity.HIGH,
        "message": "m",
        "provider": "azure",
        "scope": "azure:tenant:t1",
    }
    base.update(kw)
    return Finding(**base)


@needs_shared("sarif-schema-2.1.0.json")
def test_pseudo_paths_unique_per_resource() -> None:
    # Display names that are not part of the id can repeat (Azure service principals): a short,
    # stable hash of the id keeps the paths apart.
    sp1 = _finding(resource_id="0d1f-aaaa", resource_name="my-app", resource_kind="azure.service_principal")
    sp2 = _finding(resource_id="0d1f-bbbb", resource_name="my-app", resource_kind="azure.service_principal")
    # Kubernetes service accounts are unique per namespace, not per cluster.
    ns1 = _finding(
        provider="k8s",
        scope="k8s:cluster:c1",
        resource_id="system:serviceaccount:a:default",
        resource_name="default",
        resource_kind="k8s.service_account",
    )
    ns2 = _finding(
        provider="k8s",
        scope="k8s:cluster:c1",
        resource_id="system:serviceaccount:b:default",
        resource_name="default",
        resource_kind="k8s.service_account",
    )
    result = scan_result(findings=(sp1, sp2, ns1, ns2))
    paths = [pseudo_path(result, f) for f in (sp1, sp2, ns1, ns2)]
    assert len(set(paths)) == 4
    assert paths[0].startswith("nhiscan/azure/t1/service/principal/my-app~")
    assert paths[0] == pseudo_path(scan_result(findings=(sp1,)), sp1)  # stable
    assert paths[2:] == [
        "nhiscan/k8s/c1/a/service/account/default",
        "nhiscan/k8s/c1/b/service/account/default",
    ]
    assert_valid(render(result))


def test_kind_segments_and_rule_names() -> None:
    assert kind_segments("aws.iam_role", "aws") == ["iam", "role"]
    assert kind_segments("agent.bedrock_agent", "aws") == ["agent", "bedrock", "agent"]
    assert kind_segments("", "aws") == ["resource"]
    assert rule_name("IAM user: access key > 90 days", "NHI-AWS-001") == "IAMUserAccessKey90Days"
    assert rule_name("", "NHI-AWS-001") == "NHIAWS001"


def test_suppressed_included_on_request() -> None:
    results = render(scan_result(), sarif_include_suppressed=True)["runs"][0]["results"]
    supp = [r for r in results if r["ruleId"] == "NHI-GCP-003"]
    assert len(supp) == 1
    assert supp[0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "Vaulted key, tracked in SEC-123"}
    ]
    assert all("suppressions" not in r for r in results if r["ruleId"] != "NHI-GCP-003")


def test_category_and_invocation() -> None:
    run = render(scan_result(), sarif_category="nhiscan/aws/123456789012")["runs"][0]
    assert run["automationDetails"] == {"id": "nhiscan/aws/123456789012/"}
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False  # the GCP key listing was denied
    texts = [n["message"]["text"] for n in inv["toolExecutionNotifications"]]
    assert any("iam.serviceAccounts.keys.list" in t and "denied" in t for t in texts)
    assert any(t.startswith("Provider azure skipped: no credentials found") for t in texts)


def test_results_capped_at_github_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import nhiscan.reporters.sarif as sarif_mod

    monkeypatch.setattr(sarif_mod, "MAX_RESULTS", 2)
    run = render(scan_result())["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["NHI-AWS-010", "NHI-K8S-002"]  # most severe kept
    assert run["properties"]["nhiscan/omittedResults"] == 1
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["message"]["text"].startswith("1 less severe results omitted")


@needs_shared("sarif-schema-2.1.0.json")
def test_finding_with_unknown_rule_gets_a_stand_in_rule() -> None:
    result = scan_result(rules=())
    doc = render(result)
    assert_valid(doc)
    ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    # The suppressed finding's rule is listed too: it ran, even if its result is left out.
    assert ids == ["NHI-AWS-001", "NHI-AWS-010", "NHI-GCP-003", "NHI-K8S-002"]


def test_deterministic() -> None:
    result = scan_result()
    reversed_result = scan_result(findings=tuple(reversed(result.findings)), rules=tuple(reversed(RULES)))
    opts = ReportOptions(tool_version="0.1.0")
    assert SarifReporter().render(result, opts) == SarifReporter().render(reversed_result, opts)


# --- the lint itself must catch what GitHub rejects (negative tests) ---


def _first_location(doc: dict[str, Any]) -> dict[str, Any]:
    loc: dict[str, Any] = doc["runs"][0]["results"][0]["locations"][0]
    return loc


@needs_shared("sarif-schema-2.1.0.json")
def test_lint_catches_arn_uri() -> None:
    doc = render(scan_result())
    bad = copy.deepcopy(doc)
    _first_location(bad)["physicalLocation"]["artifactLocation"]["uri"] = (
        "arn:aws:iam::123456789012:role/deployer"
    )
    assert schema_errors(bad) == []  # the schema accepts an ARN: that is why the lint exists
    assert any("non-file scheme" in e for e in github_lint(bad))


def test_lint_catches_empty_uri() -> None:
    bad = render(scan_result())
    _first_location(bad)["physicalLocation"]["artifactLocation"]["uri"] = ""
    assert any("empty artifactLocation.uri" in e for e in github_lint(bad))


def test_lint_catches_missing_fingerprint() -> None:
    bad = render(scan_result())
    del bad["runs"][0]["results"][1]["partialFingerprints"]["primaryLocationLineHash"]
    assert any("primaryLocationLineHash" in e for e in github_lint(bad))


def test_lint_catches_other_violations() -> None:
    bad = render(scan_result())
    _first_location(bad)["physicalLocation"]["artifactLocation"]["uri"] = "/abs/path"
    bad["runs"][0]["results"][1]["locations"] = []
    bad["runs"][0]["results"][2]["locations"][0]["physicalLocation"].pop("region")
    rule = bad["runs"][0]["tool"]["driver"]["rules"][0]
    rule["properties"]["security-severity"] = "high"
    rule["properties"]["tags"] = [str(i) for i in range(21)]
    del rule["fullDescription"]
    bad["runs"].append(copy.deepcopy(bad["runs"][0]))  # same tool, same (absent) category
    errors = "\n".join(github_lint(bad))
    for needle in (
        "is absolute",
        "no location",
        "startLine",
        "not a numeric string",
        "tags > 20",
        "fullDescription",
        "duplicate",
    ):
        assert needle in errors
