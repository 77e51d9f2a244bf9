"""Provider options generated from the registry: present on every command that collects, grouped
per provider in ``--help``, converted to typed settings, and a wrong value is a one-line error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nhiscan import providers
from nhiscan.cli_options import ProviderValues, collect_settings, provider_options
from nhiscan.errors import ConfigError
from nhiscan.providers.aws.settings import AwsSettings
from nhiscan.providers.k8s.settings import K8sSettings
from nhiscan.providers.settings import cli_fields
from support import DEMO

COMMANDS = ("scan", "inventory", "graph")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_provider_option_is_in_the_help_of_its_provider_section(run_cli, command: str) -> None:  # type: ignore[no-untyped-def]
    r = run_cli([command, "--help"])
    assert r.code == 0, r.err
    flags = 0
    for name in providers.names():
        plugin = providers.plugin_class(name)
        options = cli_fields(plugin.settings_class)
        if not options:
            continue
        section = r.out.split(f"{plugin.display_name} options:\n", 1)[1].split("\n\n", 1)[0]
        for option in options.values():
            assert option.flag in section and option.help.split(" (")[0] in section, (command, option.flag)
            flags += 1
    assert flags == 13
    general = r.out.split("Options:\n", 1)[1].split("\n\n", 1)[0]
    assert "--from" in general and "--profile" not in general


def test_flags_are_unique_and_fill_typed_settings() -> None:
    opts = provider_options()
    assert len({o.option.flag for o in opts}) == len(opts)
    raw = {"aws_regions": ("eu-west-1", "us-east-1"), "aws_key_details": True, "k8s_kubeconfig": "kc.yaml"}
    settings = collect_settings(ProviderValues(raw))
    assert set(map(type, settings)) == {AwsSettings, K8sSettings}
    aws = next(s for s in settings if isinstance(s, AwsSettings))
    assert aws.regions == ("eu-west-1", "us-east-1") and aws.key_details and aws.profile is None
    k8s = next(s for s in settings if isinstance(s, K8sSettings))
    assert k8s.kubeconfig == Path("kc.yaml")


def test_settings_of_the_wrong_type_are_refused() -> None:
    with pytest.raises(ConfigError, match="--region: expected a tuple of strings"):
        AwsSettings(regions=["eu-west-1"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="--kubeconfig: expected a path"):
        K8sSettings(kubeconfig="kc.yaml")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="--key-details: expected true or false"):
        AwsSettings(key_details="yes")  # type: ignore[arg-type]


def test_options_given_on_the_command_line_reach_the_provider(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "inv.json"
    r = run_cli(
        ["inventory", "--from", str(DEMO / "k8s"), "--cluster-name", "renamed", "-f", "json", "-o", str(out)]
    )
    assert r.code == 0, r.err
    assert '"k8s:cluster:renamed"' in out.read_text()


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(providers.PROVIDER_MODULES, "fake", "fake_provider")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_value_of_the_wrong_type_is_a_one_line_exit_2(run_cli, fake_provider, command: str) -> None:  # type: ignore[no-untyped-def]
    assert "Fake options:" in run_cli([command, "--help"]).out
    r = run_cli([command, "--from", str(DEMO / "aws"), "--fake-limit", "many"])
    assert r.code == 2
    assert r.err == "nhiscan: error: --fake-limit: expected an integer, got 'many'\n"


def test_help_and_other_commands_do_not_load_provider_packages() -> None:
    code = (
        "import sys; from nhiscan import cli\n"
        "for args in (['--help'], ['rules', '--help']):\n"
        "    try:\n        cli.main(args)\n    except SystemExit: pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[:2] == ['nhiscan', 'providers'] and m.count('.') > 1"
        " and m != 'nhiscan.providers.settings'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out


def test_format_choices_come_from_the_format_registry(run_cli) -> None:  # type: ignore[no-untyped-def]
    from nhiscan.formats import FORMATS

    assert " | ".join(FORMATS) in " ".join(run_cli(["scan", "--help"]).out.split())
    r = run_cli(["scan", "--from", str(DEMO / "aws"), "-f", "xml"])
    assert r.code == 2
    assert (
        r.err == "nhiscan: error: -f/--format: unknown format 'xml' (known: table, json, sarif, markdown)\n"
    )


def test_a_registered_format_is_usable(run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from nhiscan.formats import FORMATS, FormatSpec

    monkeypatch.setitem(FORMATS, "count", FormatSpec("count", "fake_reporter:CountReporter", ".count"))
    out = tmp_path / "r.count"
    r = run_cli(["scan", "--from", str(DEMO / "aws"), "-q", "-f", "json", "-f", "count", "-o", str(out)])
    assert r.code == 0, r.err
    assert out.read_text().endswith(" findings\n") and int(out.read_text().split()[0]) > 0
    assert r.out.startswith("{")
