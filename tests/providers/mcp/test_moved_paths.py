"""A rule still reading an MCP fact from the untyped ``attributes`` is refused at load, and told
the typed path it moved to; every moved-to path really is a field."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhiscan.engine.schema import MOVED, SchemaError, registry, resolve_path
from nhiscan.errors import RuleError
from support import compile_test_rule


def compile_text(tmp_path: Path, **kw: str) -> None:
    compile_test_rule(tmp_path, "mcp", rule_id="ACME-MCP-001", **kw)


def test_an_old_identity_attribute_path_is_refused_with_the_new_one(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as err:
        compile_text(tmp_path, field="identity.attributes.remote")
    assert "'identity.attributes.remote' has moved to 'identity.mcp.remote'" in str(err.value)


def test_an_old_credential_attribute_path_is_refused_with_the_new_one(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as err:
        compile_text(tmp_path, target="credential", field="credential.attributes.in_repository")
    assert "has moved to 'credential.mcp.in_repository'" in str(err.value)


def test_an_old_path_in_the_message_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match=r"has moved to 'identity\.mcp\.config_file'"):
        compile_text(tmp_path, field="identity.mcp.remote", message="{identity.attributes.config_file}")


def test_the_new_paths_load(tmp_path: Path) -> None:
    compile_text(tmp_path, field="identity.mcp.remote", message="{identity.mcp.config_file}")
    compile_text(tmp_path, target="credential", field="credential.mcp.in_repository")


def test_no_built_in_rule_reads_a_moved_path() -> None:
    # MOVED is not per provider: a key one provider moved must not be one another provider's
    # rules still read from attributes (every built-in rule loads, so this holds today).
    from nhiscan.engine.loader import load_rules

    assert len(load_rules()) >= 74


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_move_points_at_a_real_field(old: str) -> None:
    section = old.partition(".")[0]
    namespaces = registry().namespaces(section, {})
    # a ``.*`` entry moves everything below it: its old and new prefixes stand for the paths
    with pytest.raises(SchemaError, match="has moved"):
        resolve_path(namespaces, old.removesuffix(".*") + (".x" if old.endswith(".*") else ""))
    resolve_path(namespaces, MOVED[old].removesuffix(".*"))  # raises if the new path is not a field


def test_a_shared_agent_kind_another_provider_writes_is_accepted(tmp_path: Path) -> None:
    # MCP registers agent.mcp_server; that must not make other providers' agent kinds unknown.
    compile_text(tmp_path, field="identity.kind", op="in", value="[agent.mcp_server, agent.bedrock_agent]")
