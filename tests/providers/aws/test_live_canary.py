"""Secrets never leave: the secret access keys and the console password created in the estate
appear in no report, no saved inventory, no stdout/stderr and no log record of a full CLI scan."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .estate import CANARY_PASSWORD, seed_estate
from .moto_server import MotoAws, run_cli


def test_no_secret_in_any_output(
    aws_env: MotoAws, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    estate = seed_estate(aws_env, datetime.now(timezone.utc))
    iam = aws_env.client("iam")
    key_id = iam.list_access_keys(UserName="ci-machine")["AccessKeyMetadata"][0]["AccessKeyId"]
    assert len(estate.secrets) == 6 and CANARY_PASSWORD in estate.secrets
    out = {name: tmp_path / name for name in ("a.json", "a.sarif", "a.md", "inv.json")}
    caplog.set_level(logging.DEBUG)
    code = run_cli(
        ["--debug", "scan", "aws", "--key-details",
         "-f", "json", "-o", str(out["a.json"]), "-f", "sarif", "-o", str(out["a.sarif"]),
         "-f", "markdown", "-o", str(out["a.md"]), "-f", "table", "--save-inventory", str(out["inv.json"])]
    )  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    texts = {name: path.read_text(encoding="utf-8") for name, path in out.items()}
    texts["stdout"], texts["stderr"], texts["log"] = captured.out, captured.err, caplog.text
    # the outputs are real: the table went to stdout, key ids (not secrets) are in the inventory
    assert "ci-machine" in texts["stdout"] and key_id in texts["inv.json"]
    for secret in estate.secrets:
        for name, text in texts.items():
            assert secret not in text, f"a secret leaked into {name}"
            assert secret[:16] not in text, f"part of a secret leaked into {name}"
