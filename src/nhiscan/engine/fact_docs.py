"""Generate ``docs/rules.md``: the rule-writing guide, the reference of every field a rule may
read (from the fact classes' field docstrings and the registry), and one heading per rule, so
that SARIF ``helpUri`` anchors (``docs/rules.md#nhi-aws-001``) resolve.

Run ``nhiscan rules docs > docs/rules.md``; a test checks the committed file is
current.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import textwrap
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from nhiscan.engine import schema

# The core fields are plain model fields and derived values: their documentation lives here,
# next to the generator, because the evaluator builds them (nhiscan.engine.evaluate).
CORE_DOCS: Mapping[str, str] = {
    "id": "Stable canonical id: ARN, object id, service account email, ``system:serviceaccount:ns:name``.",
    "provider": "Provider the identity lives in.",
    "kind": "Identity kind (``aws.iam_role``, ``agent.bedrock_agent``...; see the kinds below).",
    "scope": "Key of its scope (``aws:account:111122223333``).",
    "name": "Display name.",
    "created": "When it was created (null when unknown).",
    "last_used": "When it was last used (null when never, or unknown).",
    "owner": "Owner recorded by the provider, if any.",
    "tags": "Tags / labels, a mapping of strings.",
    "usage": "Who operates it, as far as the evidence shows.",
    "managed_by": "Who manages it: the customer, the cloud provider (service-linked roles, first-party apps, service agents) or a third party.",
    "aliases": "Other ids it is named by (Azure appId, GCP unique id).",
    "agent": "Facts of an AI agent, gateway, runtime or MCP server (null for other identities).",
    "attributes": "Untyped provider facts, being replaced by the typed ``<provider>`` facts; not checked.",
    "permissions": "Its effective permissions.",
    "permissions.classes": "What they amount to (a list of permission classes).",
    "permissions.grants": "The grants behind them.",
    "permissions.reasons": "Permission class -> the grant sources that put it there.",
    "age_days": "Whole days between ``created`` and the scan's ``as_of``.",
    "days_since_last_used": "Whole days since ``last_used`` (null when never used).",
    "credential_kinds": "Kinds of its active credentials.",
    "active_credentials": "Number of its active credentials.",
    "graph": "Delegation-graph facts (computed from the whole inventory).",
    "identity_id": "Id of the identity it belongs to.",
    "expires": "When it expires (null when it does not).",
    "active": "Whether it is usable.",
    "location": "Where it is stored (file and JSON path, secret name); never the value.",
    "fingerprint": "Short hash, when only the value identifies it.",
    "days_until_expiry": "Whole days until ``expires`` (negative when expired).",
    "lifetime_days": "Whole days from ``created`` to ``expires`` (null without an expiry).",
    "status": "Logging status.",
    "summary": "One-line description of the logging state.",
    "src": "Identity (or node) the edge starts from.",
    "dst": "Identity (or node) it reaches.",
    "conditional": "It holds only under a condition nhiscan cannot decide.",
    "key": "Scope key.",
    "type": "Scope type (account, subscription, project, cluster...).",
}

TARGET_TITLES = {
    "identity": "Identity rules (`target: identity`)",
    "credential": "Credential rules (`target: credential`)",
    "logging": "Logging rules (`target: logging`)",
    "edge": "Edge rules (`target: edge`)",
}


@functools.lru_cache(maxsize=256)
def field_docs(cls: type) -> dict[str, str]:
    """Field name -> docstring (the string literal right after the field in the class body)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    if not isinstance(body, ast.ClassDef):
        return {}
    docs: dict[str, str] = {}
    stmts = body.body
    for stmt, nxt in zip(stmts, stmts[1:], strict=False):
        if isinstance(stmt, ast.AnnAssign):
            target: ast.expr = stmt.target
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]  # an Enum member
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            docs[target.id] = " ".join(nxt.value.value.split())
    return docs


def _rows(prefix: str, node: Any, docs: Mapping[str, str], seen: set[type]) -> Iterator[tuple[str, str, str]]:
    """(path, type, description) for every field below ``node``."""
    children = schema.children_of(node) or {}
    from_class = dataclasses.is_dataclass(node)
    for name, hint in children.items():
        path = f"{prefix}.{name}"
        inner = schema.unwrap(hint)
        doc = docs.get(name, "") if from_class else docs.get(name) or CORE_DOCS.get(name, "")
        nested = schema.children_of(inner) if inner is not schema.UNCHECKED else None
        if nested and dataclasses.is_dataclass(inner) and isinstance(inner, type):
            yield path, "object", doc
            if inner not in seen:
                yield from _rows(path, inner, field_docs(inner), seen | {inner})
            continue
        if nested and isinstance(inner, Mapping):
            yield path, "object", doc
            sub_docs = {k: CORE_DOCS.get(f"{name}.{k}", CORE_DOCS.get(k, "")) for k in inner}
            yield from _rows(path, inner, sub_docs, seen)
            continue
        element = schema.element_of(inner)
        if element is not None and dataclasses.is_dataclass(element) and isinstance(element, type):
            yield path, "list of objects", doc
            if element not in seen:
                yield from _rows(path + "[]", element, field_docs(element), seen | {element})
            continue
        yield path, _type_name(hint), doc


def _type_name(hint: Any) -> str:
    text = schema.describe(hint)
    for old in ("a ", "an "):
        text = text.removeprefix(old).replace(" of " + old, " of ")
    names = {
        "ProviderName": "provider name",
        "IdentityKind": "identity kind",
        "CredentialKind": "credential kind",
        "EdgeKind": "edge kind",
        "UNCHECKED": "untyped",
        "datetime": "timestamp",
    }
    for old, new in names.items():
        text = text.replace(old, new)
    return text


def _table(rows: Iterator[tuple[str, str, str]]) -> str:
    lines = ["| field | type | meaning |", "|---|---|---|"]
    for path, type_, doc in rows:
        lines.append(f"| `{path}` | {type_.replace('|', '/')} | {doc.replace('|', '/')} |")
    return "\n".join(lines)


def _kinds(reg: schema.Registry) -> str:
    from nhiscan import providers

    out = ["### Kinds", "", "Values that `kind` fields may take, as each provider registers them.", ""]
    for name in reg.providers:
        plugin = providers.get(name)
        for label, kinds in (
            ("identity", plugin.identity_kinds),
            ("credential", plugin.credential_kinds),
            ("edge", plugin.edge_kinds),
        ):
            for kind, desc in sorted(kinds.items()):
                out.append(f"- `{kind}` ({name} {label}): {desc}")
    if len(out) == 4:
        out.append("- (no provider registers its kinds yet)")
    return "\n".join(out)


def _enums() -> str:
    from nhiscan.facts import InboundAuth, ManagedBy, PermissionClass

    out = ["### Values", ""]
    for enum in (ManagedBy, PermissionClass, InboundAuth):
        docs = field_docs(enum)
        out.append(f"`{enum.__name__}`:")
        out.append("")
        out.extend(f"- `{m.value}`: {docs.get(m.name, '')}".rstrip() for m in enum)
        out.append("")
    return "\n".join(out).rstrip()


def _rule_catalogue() -> str:
    from nhiscan.engine.loader import builtin_rules_dir, load_specs

    out = ["## Built-in rules", ""]
    specs = sorted(load_specs([builtin_rules_dir()]), key=lambda sp: sp[0].id)
    for spec, path in specs:
        out += [
            f"### {spec.id}",
            "",
            f"**{spec.title}** — severity {spec.severity.value}, provider {spec.provider}, "
            f"target {spec.target.value}; file `rules/{path.parent.name}/{path.name}`.",
            "",
            " ".join(spec.description.split()),
            "",
            "Remediation: " + " ".join(spec.remediation.split()),
            "",
        ]
    return "\n".join(out).rstrip()


def render() -> str:
    """The whole of ``docs/rules.md``."""
    guide = resources.files("nhiscan.engine").joinpath("rules_guide.md").read_text(encoding="utf-8")
    reg = schema.registry()
    parts = [
        guide.rstrip(),
        "## Fields",
        "Every field a rule may read, per target. A field of another provider's facts, or of an "
        "identity that has none, is null. Ages are whole days before the scan's `as_of` time. "
        "`params.<name>` are the rule's parameters; `scope.*` is the target's scope.",
    ]
    for target, title in TARGET_TITLES.items():
        spaces = reg.namespaces(target, {})
        spaces.pop("params", None)
        if target == "edge":
            spaces.pop("dst", None)  # same fields as src
        parts.append(f"### {title}")
        if target == "edge":
            parts.append("`src.*` and `dst.*` have the fields of `identity.*` (null outside the inventory).")
        rows = (row for ns, node in spaces.items() for row in _rows(ns, node, {}, set()))
        parts.append(_table(rows))
    parts += [_enums(), _kinds(reg), _rule_catalogue()]
    return "\n\n".join(parts) + "\n"
