"""``nhiscan scan --from`` over Azure exports, end to end through the CLI: findings, exit codes,
one-line errors for bad input, and no secret in any output or saved inventory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from providers.azure.azure_support import CANARY, DEMO, real_dir
from support import needs_shared

AS_OF = ["--as-of", "2026-11-01T00:00:00Z"]
SCUBA = "cisagov__ScubaGear__PowerShell__ScubaGear__Testing__Unit__PowerShell__Providers__AADProvider__RiskyPermissionsSnippets__"


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_demo_tenant_scan_every_format_without_the_canary(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "export"
    shutil.copytree(DEMO, src)
    apps = json.loads((src / "app-list.json").read_text())
    apps[0]["passwordCredentials"][0]["secretText"] = CANARY
    (src / "app-list.json").write_text(json.dumps(apps))
    outs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "markdown")}
    args = ["scan", "--from", str(src), *AS_OF, "--save-inventory", str(tmp_path / "inv.json")]
    for fmt, path in outs.items():
        args += ["-f", fmt, "-o", str(path)]
    r = run_cli([*args, "-f", "table", "--fail-on", "critical"])
    assert r.code == 1, r.err  # NHI-AZ-005/006/007/009 are critical
    report = json.loads(outs["json"].read_text())
    rules = {f["rule_id"] for f in report["findings"]}
    assert {
        "NHI-AZ-001",
        "NHI-AZ-002",
        "NHI-AZ-005",
        "NHI-AZ-007",
        "NHI-AZ-010",
        "NHI-AZ-012",
        "NHI-AZ-013",
    } <= rules
    for text in [r.out, r.err, *(p.read_text() for p in outs.values()), (tmp_path / "inv.json").read_text()]:
        assert CANARY not in text and "Zq8~" not in text


@needs_shared("real-exports", "azure")
def test_graph_powershell_utf16_exports_scan(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("MockServicePrincipals.json", "MockApplications.json"):
        shutil.copy(real_dir() / f"{SCUBA}{name}", tmp_path / name)
    r = run_cli(["inventory", "--from", str(tmp_path), "-f", "json"])
    assert r.code == 0, r.err
    assert "Test SP 1" in r.out


@needs_shared("real-exports", "azure")
def test_cassette_is_exit_2_with_one_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    path = (
        real_dir()
        / "cloud-custodian__cloud-custodian__tools__c7n_azure__tests_azure__cassettes__AccessControlTest.test_find_assignments_by_role.json"
    )
    r = run_cli(["scan", "--from", str(path), *AS_OF])
    assert r.code == 2
    assert "vcrpy cassette" in _one_line_error(r.err)


@needs_shared("real-exports", "azure")
def test_bare_federated_credentials_are_exit_2(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli(["scan", "--from", str(real_dir() / f"{SCUBA}MockFederatedCredentials.json"), *AS_OF])
    assert r.code == 2
    assert "which application" in _one_line_error(r.err)


def test_malformed_service_principal_list_is_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sps = json.loads((DEMO / "sp-list.json").read_text())
    sps[2]["keyCredentials"] = "not-a-list"
    bad = tmp_path / "sp-list.json"
    bad.write_text(json.dumps(sps))
    r = run_cli(["scan", "--from", str(bad), *AS_OF])
    assert r.code == 2
    line = _one_line_error(r.err)
    assert str(bad) in line and "keyCredentials" in line


def test_truncated_json_is_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "role-assignments.json"
    bad.write_text((DEMO / "role-assignments.json").read_text()[:500])
    r = run_cli(["scan", "--from", str(bad), *AS_OF])
    assert r.code == 2
    assert "invalid JSON" in _one_line_error(r.err)


def test_secret_bearing_az_output_is_refused_without_echoing_it(run_cli) -> None:  # type: ignore[no-untyped-def]
    # `az ad sp create-for-rbac` / `az ad app credential reset` print the new secret; such a file in
    # an export folder must be refused without the secret appearing anywhere.
    path = Path(__file__).parent / "fixtures" / "sp-create-for-rbac.json"
    assert CANARY in path.read_text()
    r = run_cli(["scan", "--from", str(path), *AS_OF])
    assert r.code == 2
    line = _one_line_error(r.err)
    assert str(path) in line and CANARY not in r.out + r.err
