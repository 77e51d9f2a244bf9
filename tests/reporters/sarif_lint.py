"""A lint for what GitHub code scanning demands beyond the SARIF schema (its ingestion rules and
limits, see shared/reference/sarif.md section 3). The schema alone accepts an ARN or an empty string as
``artifactLocation.uri``; GitHub rejects both, the first one for the whole upload."""

from __future__ import annotations

import re
from typing import Any

MAX_RUNS = 20
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_TAGS = 20
MAX_TEXT = 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def github_lint(doc: dict[str, Any]) -> list[str]:
    """Return one message per violation; empty when GitHub would ingest the file."""
    errors: list[str] = []
    if doc.get("version") != "2.1.0":
        errors.append("version must be 2.1.0")
    if not doc.get("$schema"):
        errors.append("$schema missing or empty")
    runs = doc.get("runs")
    if not isinstance(runs, list) or not runs:
        return [*errors, "runs must be a non-empty list"]
    if len(runs) > MAX_RUNS:
        errors.append(f"{len(runs)} runs > {MAX_RUNS}")
    seen: set[tuple[str, str]] = set()
    for r, run in enumerate(runs):
        where = f"runs[{r}]"
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name"):
            errors.append(f"{where}.tool.driver.name missing")
        key = (str(driver.get("name")), str(run.get("automationDetails", {}).get("id", "")))
        if key in seen:
            errors.append(f"{where}: duplicate (tool, automationDetails.id) {key}")
        seen.add(key)
        rules = driver.get("rules", [])
        if len(rules) > MAX_RULES:
            errors.append(f"{where}: {len(rules)} rules > {MAX_RULES}")
        for i, rule in enumerate(rules):
            errors += _lint_rule(rule, f"{where}.rules[{i}]")
        results = run.get("results")
        if not isinstance(results, list):
            errors.append(f"{where}.results missing")
            continue
        if len(results) > MAX_RESULTS:
            errors.append(f"{where}: {len(results)} results > {MAX_RESULTS}")
        for i, res in enumerate(results):
            errors += _lint_result(res, f"{where}.results[{i}]", len(rules))
    return errors


def _text(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else ""


def _lint_rule(rule: dict[str, Any], where: str) -> list[str]:
    errors = []
    if not rule.get("id"):
        errors.append(f"{where}.id missing")
    for field in ("shortDescription", "fullDescription", "help"):
        text = _text(rule.get(field))
        if not text:
            errors.append(f"{where}.{field}.text missing or empty")
        elif len(text) > MAX_TEXT:
            errors.append(f"{where}.{field}.text is {len(text)} > {MAX_TEXT} characters")
    if len(rule.get("name", "")) > 255:
        errors.append(f"{where}.name longer than 255")
    props = rule.get("properties", {})
    tags = props.get("tags", [])
    if len(tags) > MAX_TAGS:
        errors.append(f"{where}: {len(tags)} tags > {MAX_TAGS}")
    if "security-severity" in props:
        value = props["security-severity"]
        try:
            if not isinstance(value, str):
                raise ValueError
            float(value)
        except ValueError:
            errors.append(f"{where}: security-severity {value!r} is not a numeric string")
    return errors


def _lint_result(res: dict[str, Any], where: str, n_rules: int) -> list[str]:
    errors = []
    if not _text(res.get("message")):
        errors.append(f"{where}.message.text missing or empty")
    index = res.get("ruleIndex")
    if index is not None and not (0 <= index < n_rules):
        errors.append(f"{where}.ruleIndex {index} out of range")
    locations = res.get("locations") or []
    if not locations:
        errors.append(f"{where}: no location")
    for j, loc in enumerate(locations[:1]):
        phys = loc.get("physicalLocation")
        if not phys:
            errors.append(f"{where}.locations[{j}]: no physicalLocation")
            continue
        uri = phys.get("artifactLocation", {}).get("uri")
        if not uri:
            errors.append(f"{where}.locations[{j}]: empty artifactLocation.uri")
        elif _SCHEME.match(uri) and not uri.lower().startswith("file:"):
            errors.append(f"{where}.locations[{j}]: uri {uri!r} has a non-file scheme")
        elif uri.startswith("/") or uri.lower().startswith("file:"):
            errors.append(f"{where}.locations[{j}]: uri {uri!r} is absolute")
        if not isinstance(phys.get("region", {}).get("startLine"), int):
            errors.append(f"{where}.locations[{j}]: region.startLine missing")
    if not res.get("partialFingerprints", {}).get("primaryLocationLineHash"):
        errors.append(f"{where}: partialFingerprints.primaryLocationLineHash missing")
    return errors
