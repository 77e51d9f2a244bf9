"""Rendering the delegation graph as dot, Mermaid and JSON: selection by identity and to-admin,
escaping of hostile ids, and errors for unknown identities and formats."""

from __future__ import annotations

import json

import pytest

from nhiscan.analyse.graph_render import render_graph
from nhiscan.errors import InputError
from nhiscan.model import Edge, Evidence, Identity, Inventory, PermissionSummary


def _sp(i: str, name: str, admin: bool = False) -> Identity:
    perms = (
        PermissionSummary(classes=("admin",), reasons={"admin": ("Owner",)}) if admin else PermissionSummary()
    )
    return Identity(
        id=i,
        provider="gcp",
        kind="gcp.service_account",
        scope="gcp:project:p",
        name=name,
        attributes={"aliases": [f"uid-{name}"]},
        permissions=perms,
    )


A, B, C, D = _sp("a@p", "a"), _sp("b@p", "b"), _sp("c@p", "c", admin=True), _sp("d@p", "d")
INV = Inventory(
    identities=(A, B, C, D),
    edges=(
        Edge(src="a@p", dst="b@p", kind="gcp.impersonate", evidence=(Evidence("iam", "tokenCreator"),)),
        Edge(src="b@p", dst="c@p", kind="gcp.act_as"),
        Edge(src="d@p", dst="b@p", kind="gcp.impersonate", attributes={"conditional": True}),
    ),
)


def test_json_whole_graph() -> None:
    doc = json.loads(render_graph(INV, "json"))
    ids = {n["id"] for n in doc["nodes"]}
    assert ids == {"a@p", "b@p", "c@p", "d@p", "admin:gcp:project:p"}
    kinds = {(e["src"], e["dst"], e["kind"], e["conditional"]) for e in doc["edges"]}
    assert ("d@p", "b@p", "gcp.impersonate", True) in kinds
    assert ("c@p", "admin:gcp:project:p", "admin", False) in kinds
    assert next(e for e in doc["edges"] if e["src"] == "a@p")["evidence"] == "iam: tokenCreator"


def test_identity_selection_by_alias_and_to_admin() -> None:
    doc = json.loads(render_graph(INV, "json", identity="uid-a", to_admin=True))
    assert [(e["src"], e["dst"]) for e in doc["edges"]] == [
        ("a@p", "b@p"),
        ("b@p", "c@p"),
        ("c@p", "admin:gcp:project:p"),
    ]
    into_b = json.loads(render_graph(INV, "json", identity="b"))
    srcs = {e["src"] for e in into_b["edges"]}
    assert srcs == {"a@p", "d@p", "b@p", "c@p"}
    lonely = json.loads(render_graph(Inventory(identities=(A,)), "json", identity="a@p"))
    assert lonely == {
        "nodes": [
            {"id": "a@p", "type": "identity", "name": "a", "kind": "gcp.service_account", "provider": "gcp"}
        ],
        "edges": [],
    }


def test_to_admin_without_identity_drops_dead_ends() -> None:
    x = _sp("x@p", "x")
    inv = Inventory(identities=(*INV.identities, x), edges=(*INV.edges, Edge(src="x@p", dst="a@p", kind="k")))
    doc = json.loads(render_graph(inv, "json", to_admin=True))
    assert "x@p" in {n["id"] for n in doc["nodes"]}
    lone = Inventory(
        identities=(*INV.identities, _sp("y@p", "y")),
        edges=(*INV.edges, Edge(src="a@p", dst="y@p", kind="k")),
    )
    doc = json.loads(render_graph(lone, "json", to_admin=True))
    assert "y@p" not in {n["id"] for n in doc["nodes"]}


def test_dot_and_mermaid_escape_hostile_ids() -> None:
    evil = _sp('e"v\\il<b>|x', 'n"ame<b>\nline')
    inv = Inventory(identities=(evil, C), edges=(Edge(src=evil.id, dst="c@p", kind='k"ind'),))
    dot = render_graph(inv, "dot")
    assert dot.startswith("digraph nhiscan {") and dot.rstrip().endswith("}")
    assert '"e\\"v\\\\il<b>|x"' in dot
    assert 'label="k\\"ind"' in dot
    assert "\nline" not in dot  # the newline inside the name is escaped
    mer = render_graph(inv, "mermaid")
    assert mer.startswith("flowchart LR")
    assert '"' not in mer.replace('["', "").replace('"]', "").replace('|"', "").replace('"|', "").replace(
        '{{"', ""
    ).replace('"}}', "")
    assert "#quot;" in mer and "#lt;b#gt;" in mer
    assert "-->" in mer


def test_conditional_edges_are_dashed() -> None:
    assert "style=dashed" in render_graph(INV, "dot")
    assert "-.->" in render_graph(INV, "mermaid")


def test_errors() -> None:
    with pytest.raises(InputError, match="--identity"):
        render_graph(INV, "json", identity="nobody")
    with pytest.raises(InputError, match="--format"):
        render_graph(INV, "svg")
    twins = Inventory(identities=(_sp("1@p", "same"), _sp("2@p", "same")))
    with pytest.raises(InputError, match="names 2 identities"):
        render_graph(twins, "dot", identity="same")
