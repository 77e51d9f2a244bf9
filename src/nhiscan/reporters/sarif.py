"""SARIF 2.1.0 for GitHub code scanning (conventions: ``docs/output.md``).

Cloud identities have no source file, yet GitHub rejects a result without a file-like location and
rejects the whole upload when a uri has a scheme (an ARN parses as scheme ``arn``). So every result
points at a scheme-less pseudo-path ``nhiscan/<provider>/<scope id>/<kind segments>/<name>``, line
1, and carries the real id in ``logicalLocations`` and ``properties``. ``primaryLocationLineHash``
is the finding's fingerprint, because upload-sarif cannot compute one for a file that does not exist.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from nhiscan.findings import Finding, RuleInfo, ScanResult, Severity, Status, Target
from nhiscan.reporters._common import (
    identity_names,
    path_nodes,
    path_text,
    scope_id,
    sorted_findings,
    suppression_reason,
)
from nhiscan.reporters.interface import Reporter, ReportOptions
from nhiscan.timeutil import format_time

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/nhiscan/nhiscan"
RULES_DOC_URI = "https://github.com/nhiscan/nhiscan/blob/main/docs/rules.md"

# GitHub buckets security-severity as >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low;
# 9.5 avoids the ambiguous 9.0 boundary (Trivy does the same).
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
LEVEL: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub limits: description texts 1024 characters, 20 tags per rule, rule name 255 characters.
MAX_TEXT = 1024
MAX_TAGS = 20
MAX_NAME = 255
# GitHub rejects a run with more results than this; keeping the most severe ones (the order GitHub
# itself would show them in) beats a rejected upload.
MAX_RESULTS = 25_000


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rule_name(title: str, rule_id: str) -> str:
    """CamelCase name from a title: "Active access key older than 90 days" -> "ActiveAccessKeyOlderThan90Days"."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    name = "".join(w[0].upper() + w[1:] for w in words)
    return name[:MAX_NAME] or re.sub(r"[^A-Za-z0-9]", "", rule_id) or "Rule"


def _segment(value: str) -> str:
    """One path segment: percent-encoded (so '/', ':', '%', spaces and non-ASCII cannot change the
    structure or introduce a scheme), never empty and never a dot segment."""
    encoded = quote(value, safe="")
    if encoded in ("", ".", ".."):
        # Empty segments would collapse the path; dot segments would be resolved away.
        return "_" if not encoded else encoded.replace(".", "%2E")
    return encoded


def kind_segments(kind: str, provider: str) -> list[str]:
    """ "aws.iam_role" -> ["iam", "role"]; "k8s.service_account" -> ["service", "account"]."""
    parts = [p for p in kind.split(".") if p]
    if len(parts) > 1 and parts[0] == provider:
        parts = parts[1:]
    segments = [s for p in parts for s in p.split("_") if s]
    return segments or ["resource"]


_K8S_SA = re.compile(r"^system:serviceaccount:([^:]+):([^:]+)$")


def _leaf(f: Finding) -> str:
    """The last segment: the display name, made unique when the name alone may not be.

    ARNs, emails and Kubernetes ids end with the name, which is unique within its scope and kind.
    A display name that is not part of the id (an Azure service principal's, a logging scope's)
    can repeat, so a short hash of the id is appended; it is stable because the id is.
    """
    name = f.resource_name or f.resource_id
    rid = f.resource_id
    if rid == name or any(rid.endswith(sep + name) for sep in ("/", ":", "@")) or rid.startswith(name + "@"):
        return name
    return f"{name}~{hashlib.sha256(rid.encode()).hexdigest()[:8]}"


def pseudo_path(result: ScanResult, f: Finding) -> str:
    """The scheme-less, repo-relative pseudo-path a result is anchored at:
    ``nhiscan/<provider>/<scope id>[/<namespace>]/<kind segments>/<name>``."""
    raw = ["nhiscan", f.provider or "unknown", scope_id(result, f.scope) if f.scope else "unknown"]
    k8s = _K8S_SA.match(f.resource_id)
    if k8s and not f.scope.startswith("k8s:namespace:"):
        # Service accounts are named per namespace; a cluster-scoped path needs the namespace.
        raw.append(k8s.group(1))
    raw += [*kind_segments(f.resource_kind, f.provider), _leaf(f)]
    # The first segment is the literal "nhiscan", so the reference can never start with a scheme
    # or a '/' whatever the ids contain.
    return "/".join(_segment(s) for s in raw)


def _references_text(refs: Mapping[str, Any]) -> list[str]:
    lines = []
    for key in sorted(refs):
        value = refs[key]
        if isinstance(value, Mapping):
            text = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
        elif isinstance(value, (list, tuple)):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        if text:
            lines.append(f"{key}: {text}")
    return lines


def _help(rule: RuleInfo) -> dict[str, str]:
    refs = _references_text(rule.references)
    text_parts = [rule.description.strip() or rule.title]
    md_parts = [rule.description.strip() or rule.title]
    if rule.remediation.strip():
        text_parts.append("Remediation: " + rule.remediation.strip())
        md_parts.append("**Remediation**\n\n" + rule.remediation.strip())
    if refs:
        text_parts.append("References: " + "; ".join(refs))
        md_parts.append("**References**\n\n" + "\n".join(f"- {line}" for line in refs))
    return {"text": _clip("\n\n".join(text_parts)), "markdown": "\n\n".join(md_parts)}


def _tags(rule: RuleInfo) -> list[str]:
    tags: list[str] = []
    for tag in ("security", "nhi", rule.provider, *rule.tags, rule.target.value):
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tags": _tags(rule),
        # RuleInfo carries no confidence; nhiscan's rules evaluate facts read from the provider,
        # so "high" is the honest default.
        "precision": "high",
        "nhiscan/severity": rule.severity.value,
        "nhiscan/target": rule.target.value,
    }
    if rule.severity in SECURITY_SEVERITY:
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": rule_name(rule.title, rule.id),
        "shortDescription": {"text": _clip(rule.title or rule.id)},
        "fullDescription": {"text": _clip(rule.description.strip() or rule.title or rule.id)},
        "help": _help(rule),
        "helpUri": f"{RULES_DOC_URI}#{rule.id.lower()}",
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": props,
    }


def _stand_in_rule(f: Finding) -> RuleInfo:
    """A finding whose rule is missing from ``result.rules`` still needs a rule to index."""
    return RuleInfo(
        id=f.rule_id,
        title=f.title,
        severity=f.severity,
        description=f.title,
        remediation="",
        references={},
        tags=(),
        provider=f.provider,
        target=Target.CREDENTIAL if f.credential_id else Target.IDENTITY,
    )


def _message(f: Finding, names: Mapping[str, str]) -> str:
    text = f.message.strip() or f.title
    path = path_text(f, names)
    if path and path not in text:
        text = f"{text.rstrip('.')}. Path: {path}"
    return text


def _result(
    result: ScanResult, f: Finding, rule_index: int, names: Mapping[str, str], include_suppressed: bool
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "nhiscan/resourceId": f.resource_id,
        "nhiscan/resourceKind": f.resource_kind,
        "nhiscan/provider": f.provider,
        "nhiscan/scope": f.scope,
        "nhiscan/severity": f.severity.value,
    }
    if f.credential_id is not None:
        props["nhiscan/credentialId"] = f.credential_id
    if f.path:
        props["nhiscan/path"] = [{"src": h.src, "dst": h.dst, "kind": h.kind} for h in f.path]
        props["nhiscan/pathNames"] = path_nodes(f, names)
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": _message(f, names)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": pseudo_path(result, f)},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {
                        "name": f.resource_name or f.resource_id,
                        "kind": "resource",
                        "fullyQualifiedName": f.resource_id,
                    }
                ],
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": f.fingerprint,
            "nhiscanFindingId/v1": f.fingerprint,
        },
        "properties": props,
    }
    if f.baseline in ("new", "unchanged"):
        out["baselineState"] = f.baseline
    if include_suppressed and f.status == Status.SUPPRESSED:
        out["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": suppression_reason(f.suppression)}
        ]
    return out


def _notifications(result: ScanResult) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    for gap in sorted(result.inventory.gaps, key=lambda c: (c.provider, c.scope, c.source)):
        text = f"Coverage gap: {gap.provider} {gap.scope} {gap.source}: {gap.status}"
        notes.append(
            {
                "level": "warning",
                "message": {"text": f"{text} ({gap.detail})" if gap.detail else text},
                "descriptor": {"id": f"coverage/{gap.status}"},
                "properties": {
                    "nhiscan/provider": gap.provider,
                    "nhiscan/scope": gap.scope,
                    "nhiscan/source": gap.source,
                    "nhiscan/status": gap.status,
                },
            }
        )
    notes.extend(
        {
            "level": "note",
            "message": {"text": f"Provider {provider} skipped: {result.skipped_providers[provider]}"},
            "descriptor": {"id": "provider/skipped"},
            "properties": {"nhiscan/provider": provider},
        }
        for provider in sorted(result.skipped_providers)
    )
    return notes


def sarif_dict(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    """The SARIF log as plain JSON values (what :class:`SarifReporter` serialises)."""
    rules: dict[str, RuleInfo] = {}
    for rule in result.rules:
        rules.setdefault(rule.id, rule)
    for f in result.findings:
        if f.rule_id not in rules:
            rules[f.rule_id] = _stand_in_rule(f)
    ordered = sorted(rules.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(ordered)}
    names = identity_names(result.inventory)
    # GitHub ignores SARIF suppressions and would open alerts for them, so they are left out
    # unless asked for (for consumers that honour suppressions, or dismiss-alerts).
    findings = [
        f
        for f in sorted_findings(result.findings)
        if f.status == Status.OPEN or options.sarif_include_suppressed
    ]
    omitted = max(0, len(findings) - MAX_RESULTS)
    findings = findings[:MAX_RESULTS]
    invocation: dict[str, Any] = {
        "executionSuccessful": result.complete,
        "startTimeUtc": format_time(result.started),
    }
    notifications = _notifications(result)
    if omitted:
        notifications.insert(
            0,
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} less severe results omitted: GitHub accepts at most {MAX_RESULTS} "
                    "results per run. The JSON report lists every finding."
                },
                "descriptor": {"id": "sarif/results-truncated"},
            },
        )
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "nhiscan",
                "semanticVersion": options.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in ordered],
            }
        },
        "invocations": [invocation],
        "results": [
            _result(result, f, index[f.rule_id], names, options.sarif_include_suppressed) for f in findings
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "nhiscan/asOf": format_time(result.as_of),
            "nhiscan/providers": list(result.providers),
            "nhiscan/complete": result.complete,
            "nhiscan/omittedResults": omitted,
        },
    }
    # upload-sarif treats the text before the last '/' as the category; an upload replaces the
    # previous analysis of its category, so separate scans (per provider or account) must differ.
    category = options.sarif_category or default_category(result)
    run["automationDetails"] = {"id": category.rstrip("/") + "/"}
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def default_category(result: ScanResult) -> str:
    """``nhiscan/<provider>/<scope>`` for a scan of one top-level scope, else the providers."""
    providers = sorted(set(result.providers) or {i.provider for i in result.inventory.identities})
    tops = sorted(s.id for s in result.inventory.scopes if s.parent is None)
    if len(providers) == 1 and len(tops) == 1:
        return f"nhiscan/{providers[0]}/{tops[0]}"
    return "nhiscan/" + ("+".join(providers) or "empty")


class SarifReporter(Reporter):
    """One SARIF run listing every rule that ran, even those without results."""

    def render(self, result: ScanResult, options: ReportOptions) -> str:
        return json.dumps(sarif_dict(result, options), indent=2, ensure_ascii=False, default=str) + "\n"
