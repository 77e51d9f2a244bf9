"""Evaluate AWS IAM identity policies offline and classify what a principal may do.

The AWS provider hands :func:`summarise` every policy document that reaches one principal (its
managed and inline policies, the policies of its groups, and its permissions boundary) and stores
the resulting :class:`~nhiscan.model.PermissionSummary` on the identity. :func:`evaluate` answers
one question ("may this principal call ``action`` on ``resource``?") with the statements that
decided it, and :func:`escalation_methods` lists the self-escalation methods the principal holds.

Evaluation follows the IAM policy evaluation logic for a single account: an explicit Deny
overrides any Allow, nothing is allowed without an Allow, and a permissions boundary intersects
(an action is allowed only if the identity policies *and* the boundary allow it). ``Action`` /
``NotAction`` match case-insensitively with ``*`` and ``?`` wildcards; ``Resource`` /
``NotResource`` match case-sensitively with the same wildcards. Service control policies,
resource policies and session policies are not seen here.

Conditions cannot be decided offline, so:

- an Allow with a ``Condition`` allows *conditionally* (``Decision.conditional``);
- a Deny with a ``Condition`` is treated as possibly not applying: it does not remove an allow,
  but it is recorded (``Decision.conditional_denies``) and makes the allow conditional;
- the one exception is ``iam:PassedToService`` on ``iam:PassRole``: when checking an escalation
  method that passes a role to a known service, a condition that only pins ``iam:PassedToService``
  is decided against that service (so a PassRole limited to ``lambda.amazonaws.com`` counts for
  the Lambda methods, and not for the EC2 one).

Resources are asked about in three ways:

- ``resource="*"`` (the default) means *every* resource: an Allow counts only if its
  ``Resource`` matches every ARN (``*``, ``arn:*``, ``arn:aws:*:*:*:*``...), and an unconditional
  Deny of the action on *any* resource means the action is no longer allowed everywhere;
- a concrete ARN is matched against each statement's patterns (policy variables such as
  ``${aws:username}`` match any text, an over-approximation);
- ``on_some_resource=True`` asks whether the action is allowed on at least one resource: an Allow
  survives unless an unconditional Deny surely covers all of its resource patterns (glob
  containment, erring towards "not covered"; a policy variable covers only itself). With a
  boundary this is approximate (the boundary must allow the action on some resource, not
  necessarily the same one).

Classes put on the summary (``PermissionSummary.classes``, sorted; ``reasons`` maps each class to
the statement sources, or for ``can_escalate`` to the method names):

``admin``
    An unconditional Allow whose ``Action`` is ``*`` or ``*:*`` on every resource (``NotAction``
    never counts: PowerUserAccess is not admin), not cut down by an unconditional Deny, in any
    identity policy or the boundary, of an IAM write or sts action on any resource, and, when a
    boundary exists, the boundary also has such an unconditional ``*`` Allow.
``iam_write``
    One of :data:`~nhiscan.providers.aws.iam.actions.IAM_WRITE_ACTIONS` is allowed (conditionally or
    not) on some resource. ``iam:PassRole`` is not IAM write.
``secret_read``
    ``secretsmanager:GetSecretValue`` or an ``ssm:GetParameter*`` read is allowed (conditionally
    or not) on some resource.
``wildcard``
    An unconditional Allow statement that grants ``*`` / ``*:*``, a whole service (``svc:*``), an
    action pattern with a wildcard (``s3:Get*``) on every resource, or a ``NotAction`` on every
    resource. This is a property of the statements (policy hygiene); Deny and boundary do not
    remove it.
``can_escalate``
    The principal's combined policies unconditionally allow every action of one of Rhino's
    self-escalation methods (:data:`~nhiscan.providers.aws.iam.actions.ESCALATION_METHODS`) on every
    resource; the actions may come from different policies. With ``principal_arn`` given, the
    Put/Attach User/Role Policy methods also fire when allowed on the principal itself.
``pass_role``
    ``iam:PassRole`` is allowed (conditionally or not) on some resource.
``assume_any_role``
    ``sts:AssumeRole`` is allowed (conditionally or not) on every resource.

The capability classes (``iam_write``, ``secret_read``, ``pass_role``, ``assume_any_role``) count
conditional grants, because a rule cannot see the condition and the capability does exist; the
power classes (``admin``, ``can_escalate``, ``wildcard``) need unconditional ones, as
Cloudsplaining does. The statements behind a class are in ``reasons`` and their ``Grant`` says
whether they are conditional.

Grant sources are ``<policy source>#<Sid>`` when the statement has a Sid unique within its
document, otherwise ``<policy source>#<statement index>`` (0-based).

Performance: every document is parsed and compiled once (memoised by source, kind, via and a
content hash; a document object seen again is recognised by identity first, so do not mutate a
document after handing it over), each compiled
statement keeps its regexes, and the statements matching each probed action are memoised per
document; a per-document bit mask over the fixed set of actions a summary asks about makes a
principal's summary a few integer ORs. Whole summaries are memoised by their documents' keys and
the boundary's (plus the principal's ARN when a statement limited to some resources touches a
self-targeted escalation action). The memo lives in a :class:`PolicyAnalyser` (bounded LRU maps,
thread-safe); the module-level functions share one default analyser, created on first use, whose
content is a pure function of its inputs.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any, Final, Generic, TypeVar
from urllib.parse import unquote

from nhiscan.errors import InputError
from nhiscan.model import Grant, PermissionSummary
from nhiscan.providers.aws.iam.actions import (
    ASSUME_ROLE,
    ESCALATION_METHODS,
    IAM_WRITE_ACTIONS,
    PASS_ROLE,
    PASSED_TO_SERVICE,
    SECRET_READ_ACTIONS,
    SELF_TARGET_METHODS,
    STS_ACTIONS,
)

POLICY_KINDS: Final = frozenset({"managed_policy", "inline_policy", "group_policy", "boundary"})
_VERSIONS: Final = frozenset({"2012-10-17", "2008-10-17"})
_ACTION_SHAPE: Final = re.compile(r"\*|[A-Za-z0-9*?_.\-]+:[A-Za-z0-9*?_.\-]+")
_ALL_ACTIONS_SHAPE: Final = re.compile(r"\*+(:\*+)?")
# A Resource pattern is "every resource" if it matches ARNs of unrelated services and shapes.
_UNIVERSAL_PROBES: Final = (
    "arn:aws:iam::123456789012:user/nhiscan-probe",
    "arn:aws:s3:::nhiscan-probe/key",
    "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
    "arn:aws:lambda:us-east-1:123456789012:function:nhiscan-probe",
)
_UNIVERSAL_PREFIX: Final = "arn:aws:"
_PASSED_TO_SERVICE_KEY: Final = "iam:passedtoservice"
_POSITIVE_STRING_OPS: Final = frozenset(
    {"stringequals", "stringlike", "stringequalsignorecase", "arnequals", "arnlike"}
)
_NEGATIVE_STRING_OPS: Final = frozenset(
    {"stringnotequals", "stringnotlike", "stringnotequalsignorecase", "arnnotequals", "arnnotlike"}
)


@dataclass(frozen=True)
class PolicyDoc:
    """One policy document that reaches a principal.

    ``source`` is the managed policy ARN, ``inline:<principal arn>:<policy name>`` or
    ``group:<group name>:<arn or inline name>``; ``kind`` is one of :data:`POLICY_KINDS`;
    ``document`` is the parsed JSON, or the JSON text, or the URL-encoded JSON text that the raw
    GetAccountAuthorizationDetails API returns; ``via`` names the group it was inherited through.
    """

    source: str
    kind: str
    document: Mapping[str, Any] | str
    via: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"{self.source}: unknown policy kind {self.kind!r}")


@dataclass(frozen=True)
class Decision:
    """The answer to one :func:`evaluate` question.

    ``allowed`` is true when some Allow reaches the action and no unconditional Deny removes it;
    ``conditional`` is true when it is allowed only under some Condition (a conditional Allow, a
    conditional Deny that might apply, or a conditional boundary). ``allowed_by`` lists the
    allowing statement sources (the identity policies', then the boundary's); ``denied_by`` the
    unconditional Denies that apply; ``conditional_denies`` the conditional Denies that might;
    ``boundary_blocked`` is true when the identity policies allow it but the boundary does not.
    """

    allowed: bool
    conditional: bool = False
    denied_by: tuple[str, ...] = ()
    allowed_by: tuple[str, ...] = ()
    conditional_denies: tuple[str, ...] = ()
    boundary_blocked: bool = False


class _Applies(Enum):
    """How a statement's Condition relates to the question being asked."""

    ALWAYS = "always"  # no Condition, or one decided true from the context
    MAYBE = "maybe"  # a Condition that cannot be decided offline
    NEVER = "never"  # a Condition decided false from the context


_Context = tuple[tuple[str, str], ...]  # sorted (lower-case condition key, value) pairs
_Probe = tuple[str, _Context]


def _build_probes() -> tuple[_Probe, ...]:
    """Every (action, context) question a summary asks, each given one bit of a mask."""
    keys: dict[_Probe, None] = {}
    for action in (*IAM_WRITE_ACTIONS, *SECRET_READ_ACTIONS, *STS_ACTIONS, PASS_ROLE, ASSUME_ROLE):
        keys[(action, ())] = None
    for name, actions in ESCALATION_METHODS:
        keys.update((_probe_for(name, action), None) for action in actions)
    return tuple(keys)


def _probe_for(method: str, action: str) -> _Probe:
    service = PASSED_TO_SERVICE.get(method)
    return (action, ((_PASSED_TO_SERVICE_KEY, service),) if service and action == PASS_ROLE else ())


_PROBES: Final = _build_probes()
_BIT: Final = MappingProxyType({probe: 1 << i for i, probe in enumerate(_PROBES)})


def _mask_of(probes: Iterable[_Probe]) -> int:
    mask = 0
    for probe in probes:
        mask |= _BIT[probe]
    return mask


def _bits(mask: int) -> Iterator[_Probe]:
    while mask:
        low = mask & -mask
        yield _PROBES[low.bit_length() - 1]
        mask ^= low


_IAM_WRITE_MASK: Final = _mask_of((a, ()) for a in IAM_WRITE_ACTIONS)
_SECRET_READ_MASK: Final = _mask_of((a, ()) for a in SECRET_READ_ACTIONS)
_ADMIN_DENY_MASK: Final = _mask_of((a, ()) for a in (*IAM_WRITE_ACTIONS, *STS_ACTIONS))
_SELF_TARGET_MASK: Final = _mask_of(
    _probe_for(name, a)
    for name, actions in ESCALATION_METHODS
    if name in SELF_TARGET_METHODS
    for a in actions
)
_PASS_ROLE_BIT: Final = _BIT[(PASS_ROLE, ())]
_ASSUME_BIT: Final = _BIT[(ASSUME_ROLE, ())]
# Classes decided "on some resource", whose statement sources each document lists up front.
_CLASS_MASKS: Final = (_IAM_WRITE_MASK, _SECRET_READ_MASK, _PASS_ROLE_BIT)
_METHOD_MASKS: Final = tuple(
    (name, _mask_of(_probe_for(name, a) for a in actions)) for name, actions in ESCALATION_METHODS
)


@lru_cache(maxsize=16384)
def _probe_mask(action_pattern: str, negate: bool) -> int:
    rx = re.compile(action_pattern, re.IGNORECASE | re.DOTALL)
    mask = 0
    for i, (action, _) in enumerate(_PROBES):
        if (rx.fullmatch(action) is not None) != negate:
            mask |= 1 << i
    return mask


@dataclass(frozen=True)
class _Masks:
    """Per probe bit: U unconditional Allow on every resource, C conditional Allow on every
    resource, S any Allow, D unconditional Deny on any resource, DS conditional Deny."""

    u: int = 0
    c: int = 0
    s: int = 0
    d: int = 0
    ds: int = 0


@dataclass(frozen=True, eq=False)
class _Statement:
    source: str
    allow: bool
    not_action: bool
    action_re: re.Pattern[str]
    not_resource: bool
    resource_patterns: tuple[str, ...]
    variables: bool  # ${...} policy variables are interpreted (policy version 2012-10-17)
    universal: bool  # Resource (not NotResource) matches every resource
    # (base operator, lower-case key, values) per condition entry; empty when there is none
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]
    has_condition: bool
    grants_all_actions: bool
    wildcard: bool
    grant: Grant
    # False for a statement rebuilt from a Grant: only the Condition's existence is known, so it
    # can never be decided from a context (e.g. iam:PassedToService)
    conditions_known: bool = True

    def matches_action(self, action: str) -> bool:
        return (self.action_re.fullmatch(action) is not None) != self.not_action

    @cached_property
    def resource_re(self) -> re.Pattern[str]:
        # Compiled on first use: most questions never look at a concrete resource, and inline
        # policies name many distinct ARNs.
        return _compile_resources(self.resource_patterns, self.variables)

    @cached_property
    def probe_mask(self) -> int:
        """Bits of the summary probes whose action this statement matches (context ignored)."""
        return _probe_mask(self.action_re.pattern, self.not_action)

    def matches_resource(self, resource: str) -> bool:
        return (self.resource_re.fullmatch(resource) is not None) != self.not_resource

    def applies(self, context: _Context) -> _Applies:
        if not self.has_condition:
            return _Applies.ALWAYS
        if not context or not self.conditions_known:
            return _Applies.MAYBE
        ctx = dict(context)
        verdict = _Applies.ALWAYS
        for op, key, values in self.conditions:
            if key not in ctx:
                verdict = _Applies.MAYBE
                continue
            outcome = _decide_string_condition(op, values, ctx[key])
            if outcome is None:
                verdict = _Applies.MAYBE
            elif not outcome:
                return _Applies.NEVER
        return verdict

    @cached_property
    def cover_re(self) -> re.Pattern[str]:
        """Matches the *text* of the patterns this statement's Resource contains: its ``*``
        absorbs anything (including another pattern's ``*``), its ``?`` one character that is not
        a ``*``, and a policy variable only the same variable text (its value is unknown)."""
        return _compile_cover(self.resource_patterns, self.variables)

    def covers_resource_pattern(self, pattern: str) -> bool:
        """Whether this (Deny) statement's resources surely include everything ``pattern``
        names. Errs towards "no", so that an Allow is never wrongly removed."""
        if self.universal:
            return True
        if self.not_resource:
            # Denies everything except its patterns: covers a literal ARN those patterns miss;
            # for a wildcard pattern, disjointness is not worth deciding.
            return not _has_wildcard(pattern, self.variables) and self.resource_re.fullmatch(pattern) is None
        return self.cover_re.fullmatch(pattern) is not None


def _decide_string_condition(op: str, values: tuple[str, ...], actual: str) -> bool | None:
    if op in _POSITIVE_STRING_OPS or op in _NEGATIVE_STRING_OPS:
        ignore_case = op.endswith("ignorecase")
        like = op.endswith("like")
        hit = any(_value_matches(v, actual, like, ignore_case) for v in values)
        return hit if op in _POSITIVE_STRING_OPS else not hit
    return None


def _value_matches(pattern: str, actual: str, like: bool, ignore_case: bool) -> bool:
    if like:
        return _glob(pattern, ignore_case).fullmatch(actual) is not None
    return pattern.lower() == actual.lower() if ignore_case else pattern == actual


@lru_cache(maxsize=8192)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(_glob_source(pattern, variables=False), re.IGNORECASE if ignore_case else 0)


def _glob_source(pattern: str, *, variables: bool) -> str:
    """Regex source for an IAM wildcard pattern. With ``variables``, ``${...}`` policy variables
    match any text (their value is unknown offline) and ``${*}``/``${?}``/``${$}`` are literals."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if variables and pattern.startswith("${", i):
            end = pattern.find("}", i + 2)
            if end != -1:
                name = pattern[i + 2 : end]
                out.append(re.escape(name) if name in ("*", "?", "$") else ".*")
                i = end + 1
                continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=16384)
def _compile_actions(patterns: tuple[str, ...]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile(
        "|".join(f"(?:{_glob_source(p, variables=False)})" for p in patterns), re.IGNORECASE | re.DOTALL
    )


@lru_cache(maxsize=16384)
def _compile_resources(patterns: tuple[str, ...], variables: bool) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{_glob_source(p, variables=variables)})" for p in patterns), re.DOTALL)


def _has_wildcard(pattern: str, variables: bool) -> bool:
    return "*" in pattern or "?" in pattern or (variables and "${" in pattern)


@lru_cache(maxsize=16384)
def _compile_cover(patterns: tuple[str, ...], variables: bool) -> re.Pattern[str]:
    parts: list[str] = []
    for pattern in patterns:
        out: list[str] = []
        i = 0
        while i < len(pattern):
            if variables and pattern.startswith("${", i) and pattern.find("}", i + 2) != -1:
                end = pattern.find("}", i + 2) + 1
                out.append(re.escape(pattern[i:end]))
                i = end
                continue
            ch = pattern[i]
            out.append(".*" if ch == "*" else "[^*]" if ch == "?" else re.escape(ch))
            i += 1
        parts.append("(?:" + "".join(out) + ")")
    return re.compile("|".join(parts) or "(?!)", re.DOTALL)


def _is_universal(pattern: str) -> bool:
    if pattern == "*":
        return True
    if "${" in pattern:
        return False
    # Cheap rejection before compiling: every probe starts "arn:aws:", so the literal text before
    # the first wildcard must be a prefix of that.
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i != -1), default=-1)
    if cut == -1 or not _UNIVERSAL_PREFIX.startswith(pattern[:cut]):
        return False
    rx = _compile_resources((pattern,), False)
    return all(rx.fullmatch(probe) for probe in _UNIVERSAL_PROBES)


# --------------------------------------------------------------------------- parsing


def load_document(document: Mapping[str, Any] | str, where: str) -> Mapping[str, Any]:
    """Parse a policy document given as a mapping, JSON text or URL-encoded JSON text."""
    if isinstance(document, Mapping):
        return document
    if not isinstance(document, str):
        raise InputError(
            where, f"policy document must be JSON text or an object, got {type(document).__name__}"
        )
    text = document.strip()
    if not text:
        raise InputError(where, "policy document is empty")
    if not text.startswith("{"):
        # The raw API (not the CLI) returns documents URL-encoded (RFC 3986, so no '+' for space).
        text = unquote(text).strip()
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            where, f"policy document is not valid JSON ({exc.msg} at position {exc.pos})"
        ) from None
    if not isinstance(parsed, Mapping):
        raise InputError(where, f"policy document must be a JSON object, got {type(parsed).__name__}")
    return parsed


def _strings(value: Any, where: str, field_name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(where, f"{field_name} must be a string or a list of strings, got {_describe(value)}")


def _describe(value: Any) -> str:
    if isinstance(value, list):
        kinds = sorted({type(v).__name__ for v in value if not isinstance(v, str)})
        return f"a list containing {', '.join(kinds)}"
    return type(value).__name__


def statements_of(document: Mapping[str, Any], where: str) -> list[Mapping[str, Any]]:
    """The statements of a parsed policy document, validated to be JSON objects."""
    version = document.get("Version")
    if version is not None and version not in _VERSIONS:
        raise InputError(where, f"Version {version!r} is not a policy language version (2012-10-17)")
    if "Statement" not in document:
        raise InputError(where, "policy document has no Statement")
    raw = document["Statement"]
    items = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list):
        raise InputError(where, f"Statement must be an object or a list of objects, got {_describe(raw)}")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InputError(where, f"Statement[{index}] must be an object, got {type(item).__name__}")
    return items


def parse_conditions(condition: Any, where: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Normalise a Condition block to (base operator, key, values) triples: operator and key in
    lower case, ``IfExists`` and ``ForAnyValue:``/``ForAllValues:`` removed, values as text."""
    if not isinstance(condition, Mapping):
        raise InputError(where, f"Condition must be an object, got {type(condition).__name__}")
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for op, entries in condition.items():
        if not isinstance(op, str) or not isinstance(entries, Mapping):
            raise InputError(where, f"Condition operator {op!r} must map condition keys to values")
        for key, raw in entries.items():
            values = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(v, (str, bool, int, float)) for v in values):
                raise InputError(where, f"Condition {op}.{key} values must be strings, numbers or booleans")
            text = tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
            out.append((base_operator(op), str(key).lower(), text))
    return tuple(out)


def base_operator(op: str) -> str:
    """``ForAnyValue:StringLikeIfExists`` -> ``stringlike``."""
    base = op.split(":", 1)[1] if ":" in op else op
    base = base.lower()
    return base[: -len("ifexists")] if base.endswith("ifexists") else base


def _compile_statement(
    raw: Mapping[str, Any], index: int, sid_label: str, doc: PolicyDoc, variables: bool
) -> _Statement:
    where = doc.source
    field_prefix = f"Statement[{index}]"
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise InputError(where, f"{field_prefix}.Effect must be 'Allow' or 'Deny', got {effect!r}")
    if ("Action" in raw) == ("NotAction" in raw):
        raise InputError(where, f"{field_prefix} must have exactly one of Action or NotAction")
    if ("Resource" in raw) == ("NotResource" in raw):
        raise InputError(where, f"{field_prefix} must have exactly one of Resource or NotResource")
    not_action = "NotAction" in raw
    action_field = "NotAction" if not_action else "Action"
    actions = _strings(raw[action_field], where, f"{field_prefix}.{action_field}")
    for action in actions:
        if not _ACTION_SHAPE.fullmatch(action):
            raise InputError(
                where, f"{field_prefix}.{action_field} {action!r} is not of the form service:action"
            )
    not_resource = "NotResource" in raw
    resource_field = "NotResource" if not_resource else "Resource"
    resources = _strings(raw[resource_field], where, f"{field_prefix}.{resource_field}")
    if any(not r for r in resources):
        raise InputError(where, f"{field_prefix}.{resource_field} contains an empty string")
    has_condition = "Condition" in raw
    conditions = parse_conditions(raw["Condition"], f"{where}") if has_condition else ()
    has_condition = has_condition and bool(conditions)
    allow = effect == "Allow"
    universal = not not_resource and any(_is_universal(r) for r in resources)
    grants_all = allow and not not_action and any(_ALL_ACTIONS_SHAPE.fullmatch(a) for a in actions)
    wildcard = (
        allow
        and not has_condition
        and (
            (not_action and universal)
            or any(
                _is_service_wide(a) or (universal and ("*" in a or "?" in a))
                for a in actions
                if not not_action
            )
        )
    )
    grant = Grant(
        source=f"{doc.source}#{sid_label}",
        kind=doc.kind,
        effect="allow" if allow else "deny",
        actions=() if not_action else actions,
        not_actions=actions if not_action else (),
        resources=tuple(f"!{r}" for r in resources) if not_resource else resources,
        conditional=has_condition,
        via=doc.via,
    )
    return _Statement(
        source=grant.source,
        allow=allow,
        not_action=not_action,
        action_re=_compile_actions(actions),
        not_resource=not_resource,
        resource_patterns=resources,
        variables=variables,
        universal=universal,
        conditions=conditions,
        has_condition=has_condition,
        grants_all_actions=grants_all and universal and not has_condition,
        wildcard=wildcard,
        grant=grant,
    )


def _is_service_wide(action: str) -> bool:
    """``*``, ``*:*`` or ``svc:*``."""
    service, _, name = action.partition(":")
    return (
        action.strip("*") == ""
        or _ALL_ACTIONS_SHAPE.fullmatch(action) is not None
        or (bool(name) and name.strip("*") == "" and bool(service))
    )


_Match = tuple[tuple[_Statement, _Applies], ...]


class _CompiledDoc:
    """A parsed policy document: its statements compiled once, and the statements matching
    each action asked about so far (the expensive part of every later question)."""

    __slots__ = (
        "doc",
        "statements",
        "grants",
        "masks",
        "some_sources",
        "all_sources",
        "class_sources",
        "has_admin",
        "wildcards",
        "scoped_self_target",
        "_matches",
        "_lock",
    )

    def __init__(self, doc: PolicyDoc) -> None:
        self.doc = doc
        parsed = load_document(doc.document, doc.source)
        raw_statements = statements_of(parsed, doc.source)
        variables = parsed.get("Version") != "2008-10-17"
        sids = [s.get("Sid") for s in raw_statements]
        labels = [
            sid if isinstance(sid, str) and sid and sids.count(sid) == 1 else str(i)
            for i, sid in enumerate(sids)
        ]
        self.statements = tuple(
            _compile_statement(raw, i, labels[i], doc, variables) for i, raw in enumerate(raw_statements)
        )
        self.grants = tuple(s.grant for s in self.statements)
        self.masks, self.some_sources, self.all_sources = _statement_masks(self.statements)
        self.class_sources = {
            cls: _union(self.some_sources.get(1 << i, ()) for i in range(len(_PROBES)) if cls >> i & 1)
            for cls in _CLASS_MASKS
            if self.masks.s & cls
        }
        self.has_admin = any(st.grants_all_actions for st in self.statements)
        self.wildcards = tuple(st.source for st in self.statements if st.wildcard)
        # An Allow or Deny of a self-targeted escalation action limited to some resources:
        # whether it covers the principal itself depends on the principal's ARN.
        self.scoped_self_target = any(
            not st.universal and st.probe_mask & _SELF_TARGET_MASK for st in self.statements
        )
        self._matches: dict[tuple[str, _Context], tuple[_Match, _Match]] = {}
        self._lock = threading.Lock()

    def matching(self, action: str, context: _Context = ()) -> tuple[_Match, _Match]:
        """(allows, denies) statements matching ``action``, with how their conditions apply."""
        key = (action.lower(), context)
        found = self._matches.get(key)
        if found is None:
            allows: list[tuple[_Statement, _Applies]] = []
            denies: list[tuple[_Statement, _Applies]] = []
            for st in self.statements:
                if not st.matches_action(action):
                    continue
                applies = st.applies(context)
                if applies is _Applies.NEVER:
                    continue
                (allows if st.allow else denies).append((st, applies))
            found = (tuple(allows), tuple(denies))
            with self._lock:
                if len(self._matches) < 4096:
                    self._matches[key] = found
        return found


def _statement_masks(
    statements: Iterable[_Statement],
) -> tuple[_Masks, dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    """The document's probe masks, and per probe bit the Allow statements that match it
    anywhere (``some``) and on every resource (``all``)."""
    u = c = s = d = ds = 0
    some: dict[int, tuple[str, ...]] = {}
    every: dict[int, tuple[str, ...]] = {}
    for st in statements:
        mask = st.probe_mask
        if not mask:
            continue
        if st.has_condition:
            always = maybe = 0
            for probe in _bits(mask):
                applies = st.applies(probe[1])
                if applies is _Applies.ALWAYS:
                    always |= _BIT[probe]
                elif applies is _Applies.MAYBE:
                    maybe |= _BIT[probe]
        else:
            always, maybe = mask, 0
        if st.allow:
            s |= always | maybe
            if st.universal:
                u |= always
                c |= maybe
            rest = always | maybe
            while rest:
                low = rest & -rest
                some[low] = (*some.get(low, ()), st.source)
                if st.universal:
                    every[low] = (*every.get(low, ()), st.source)
                rest ^= low
        else:
            d |= always
            ds |= maybe
    return _Masks(u, c, s, d, ds), some, every


# --------------------------------------------------------------------------- deciding


_K = TypeVar("_K")
_V = TypeVar("_V")


class _Memo(Generic[_K, _V]):
    """A bounded memo map with hit/miss counters. Reads take no lock (a dict read is atomic
    under the GIL; the worst race computes a value twice); when full, the oldest entries go."""

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self._data: dict[_K, _V] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: _K) -> _V | None:
        value = self._data.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: _K, value: _V) -> None:
        with self._lock:
            while len(self._data) >= self._size:
                del self._data[next(iter(self._data))]
            self._data[key] = value

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class CacheStats:
    """Memo figures for benchmarks: document compilations and summary reuse."""

    documents_compiled: int
    document_hits: int
    document_misses: int
    summary_hits: int
    summary_misses: int

    @property
    def document_hit_rate(self) -> float:
        total = self.document_hits + self.document_misses
        return self.document_hits / total if total else 0.0

    @property
    def summary_hit_rate(self) -> float:
        total = self.summary_hits + self.summary_misses
        return self.summary_hits / total if total else 0.0


@dataclass(frozen=True)
class _Side:
    """One side of the intersection: the identity policies, or the boundary."""

    docs: tuple[_CompiledDoc, ...]

    @cached_property
    def masks(self) -> _Masks:
        u = c = s = d = ds = 0
        for doc in self.docs:
            m = doc.masks
            u, c, s, d, ds = u | m.u, c | m.c, s | m.s, d | m.d, ds | m.ds
        return _Masks(u, c, s, d, ds)

    def matching(self, action: str, context: _Context) -> tuple[_Match, _Match]:
        allows: list[tuple[_Statement, _Applies]] = []
        denies: list[tuple[_Statement, _Applies]] = []
        for doc in self.docs:
            a, d = doc.matching(action, context)
            allows.extend(a)
            denies.extend(d)
        return tuple(allows), tuple(denies)


@dataclass(frozen=True)
class _Verdict:
    allowed: bool
    conditional: bool
    allowed_by: tuple[str, ...] = ()
    denied_by: tuple[str, ...] = ()
    conditional_denies: tuple[str, ...] = ()


def _decide(side: _Side, action: str, resource: str, some: bool, context: _Context) -> _Verdict:
    allows, denies = side.matching(action, context)
    hard = [d for d, a in denies if a is _Applies.ALWAYS]
    if not allows:
        concrete = not some and resource != "*"
        return _Verdict(
            False,
            False,
            denied_by=tuple(d.source for d in hard if not concrete or d.matches_resource(resource)),
        )
    soft = [d for d, a in denies if a is not _Applies.ALWAYS]
    if some:
        candidates = [(s, a) for s, a in allows if not _all_covered(s, hard)]
        cutting = [d for d in hard if any(_covers(d, s) for s, _ in allows)]
    elif resource == "*":
        candidates = [(s, a) for s, a in allows if s.universal]
        cutting = hard  # a Deny on any resource means "not everywhere"
    else:
        candidates = [(s, a) for s, a in allows if s.matches_resource(resource)]
        cutting = [d for d in hard if d.matches_resource(resource)]
        soft = [d for d in soft if d.matches_resource(resource)]
    denied_by = tuple(d.source for d in cutting)
    if not candidates or (cutting and not some):
        return _Verdict(False, False, denied_by=denied_by)
    unconditional = any(a is _Applies.ALWAYS for _, a in candidates)
    return _Verdict(
        True,
        not unconditional or bool(soft),
        allowed_by=tuple(s.source for s, _ in candidates),
        denied_by=denied_by,
        conditional_denies=tuple(d.source for d in soft),
    )


def _covers(deny: _Statement, allow: _Statement) -> bool:
    if deny.universal:
        return True
    if allow.not_resource:
        return False
    return all(deny.covers_resource_pattern(p) for p in allow.resource_patterns)


def _all_covered(allow: _Statement, hard_denies: Iterable[_Statement]) -> bool:
    return any(_covers(d, allow) for d in hard_denies)


def _combine(identity: _Verdict, boundary: _Verdict | None) -> Decision:
    if boundary is None:
        return Decision(
            allowed=identity.allowed,
            conditional=identity.conditional,
            denied_by=identity.denied_by,
            allowed_by=identity.allowed_by,
            conditional_denies=identity.conditional_denies,
        )
    allowed = identity.allowed and boundary.allowed
    return Decision(
        allowed=allowed,
        conditional=allowed and (identity.conditional or boundary.conditional),
        denied_by=identity.denied_by + boundary.denied_by,
        allowed_by=identity.allowed_by + boundary.allowed_by if allowed else (),
        conditional_denies=identity.conditional_denies + boundary.conditional_denies,
        boundary_blocked=identity.allowed and not boundary.allowed,
    )


# --------------------------------------------------------------------------- analyser


_DocKey = tuple[str, str, str | None, str]


class PolicyAnalyser:
    """Evaluates and summarises principals' policies, memoising compiled documents and
    summaries. One analyser may serve a whole scan (and several threads)."""

    def __init__(self, *, max_documents: int = 50_000, max_summaries: int = 50_000) -> None:
        self._by_identity: _Memo[tuple[str, str, str | None, int], tuple[object, _DocKey]] = _Memo(
            max_documents
        )
        self._docs: _Memo[_DocKey, _CompiledDoc] = _Memo(max_documents)
        self._summaries: _Memo[tuple[Any, ...], PermissionSummary] = _Memo(max_summaries)
        self._compiled = 0

    # -- documents

    def _key_and_doc(self, doc: PolicyDoc) -> tuple[_DocKey, _CompiledDoc]:
        ident = (doc.source, doc.kind, doc.via, id(doc.document))
        seen = self._by_identity.get(ident)
        if seen is not None and seen[0] is doc.document:
            key = seen[1]
        else:
            key = (doc.source, doc.kind, doc.via, _content_hash(doc.document))
            # Holding the document object keeps its id() from being reused by another object.
            self._by_identity.put(ident, (doc.document, key))
        compiled = self._docs.get(key)
        if compiled is None:
            compiled = _CompiledDoc(doc)
            self._compiled += 1
            self._docs.put(key, compiled)
        return key, compiled

    def compile(self, doc: PolicyDoc) -> tuple[Grant, ...]:
        """Validate and compile one document; returns its grants. Raises InputError."""
        return self._key_and_doc(doc)[1].grants

    def stats(self) -> CacheStats:
        return CacheStats(
            documents_compiled=self._compiled,
            document_hits=self._docs.hits,
            document_misses=self._docs.misses,
            summary_hits=self._summaries.hits,
            summary_misses=self._summaries.misses,
        )

    def _sides(
        self, policies: Sequence[PolicyDoc], boundary: PolicyDoc | None
    ) -> tuple[tuple[_DocKey, ...], _Side, _DocKey | None, _Side | None]:
        keys: list[_DocKey] = []
        docs: list[_CompiledDoc] = []
        for p in policies:
            if p.kind == "boundary":
                raise ValueError(
                    f"{p.source}: pass the permissions boundary as `boundary`, not among the policies"
                )
            key, compiled = self._key_and_doc(p)
            keys.append(key)
            docs.append(compiled)
        bkey: _DocKey | None = None
        bside: _Side | None = None
        if boundary is not None:
            bkey, bdoc = self._key_and_doc(boundary)
            bside = _Side((bdoc,))
        return tuple(keys), _Side(tuple(docs)), bkey, bside

    # -- questions

    def evaluate(
        self,
        policies: Sequence[PolicyDoc],
        boundary: PolicyDoc | None,
        action: str,
        resource: str = "*",
        *,
        on_some_resource: bool = False,
        context: Mapping[str, str] | None = None,
    ) -> Decision:
        """May the principal call ``action`` on ``resource``? See the module docstring for what
        ``"*"`` and ``on_some_resource`` mean (with ``on_some_resource``, ``resource`` is not
        used). ``context`` supplies known condition values (keys are case-insensitive); a
        statement whose Condition uses other keys stays conditional. Raises InputError for a
        malformed document."""
        _, side, _, bside = self._sides(policies, boundary)
        ctx = _context(context)
        return self._evaluate(side, bside, action, resource, on_some_resource, ctx)

    @staticmethod
    def _evaluate(
        side: _Side, bside: _Side | None, action: str, resource: str, some: bool, ctx: _Context
    ) -> Decision:
        identity = _decide(side, action, resource, some, ctx)
        bverdict = _decide(bside, action, resource, some, ctx) if bside is not None else None
        return _combine(identity, bverdict)

    def escalation_methods(
        self,
        policies: Sequence[PolicyDoc],
        boundary: PolicyDoc | None = None,
        *,
        principal_arn: str | None = None,
    ) -> list[str]:
        """Names of the self-escalation methods the combined policies allow unconditionally."""
        _, side, _, bside = self._sides(policies, boundary)
        return self._escalation(side, bside, principal_arn)[0]

    def _escalation(
        self, side: _Side, bside: _Side | None, principal_arn: str | None, only: Iterable[str] | None = None
    ) -> tuple[list[str], list[str]]:
        methods: list[str] = []
        sources: list[str] = []
        wanted = None if only is None else frozenset(only)
        for name, actions in ESCALATION_METHODS:
            if wanted is not None and name not in wanted:
                continue
            service = PASSED_TO_SERVICE.get(name)
            found: list[str] = []
            for action in actions:
                ctx: _Context = (
                    ((_PASSED_TO_SERVICE_KEY, service),) if service and action == PASS_ROLE else ()
                )
                d = self._evaluate(side, bside, action, "*", False, ctx)
                if not (d.allowed and not d.conditional) and principal_arn and name in SELF_TARGET_METHODS:
                    d = self._evaluate(side, bside, action, principal_arn, False, ctx)
                if not d.allowed or d.conditional:
                    break
                found.extend(d.allowed_by)
            else:
                methods.append(name)
                sources.extend(found)
        return methods, sources

    def summarise(
        self,
        policies: Sequence[PolicyDoc],
        boundary: PolicyDoc | None = None,
        *,
        principal_arn: str | None = None,
    ) -> PermissionSummary:
        """The grants and classes of one principal. Raises InputError for a malformed document."""
        keys, side, bkey, bside = self._sides(policies, boundary)
        # The principal's ARN only matters to the self-targeted escalation check; leave it out
        # of the key unless some statement could match it, so that shared policy sets hit.
        arn_key = principal_arn if principal_arn and _mentions_self_targets(side, bside) else None
        memo_key = (keys, bkey, arn_key)
        cached = self._summaries.get(memo_key)
        if cached is not None:
            return cached
        summary = self._summarise(side, bside, arn_key)
        self._summaries.put(memo_key, summary)
        return summary

    def _summarise(self, side: _Side, bside: _Side | None, principal_arn: str | None) -> PermissionSummary:
        # Bit masks answer "is it allowed" for every probe at once; the statement sources are
        # looked up only for the probes that fired.
        masks = side.masks
        bmasks = bside.masks if bside is not None else None
        reasons: dict[str, tuple[str, ...]] = {}

        if any(doc.has_admin for doc in side.docs) and (
            bside is None or any(d.has_admin for d in bside.docs)
        ):
            denied = masks.d | (bmasks.d if bmasks is not None else 0)
            if not denied & _ADMIN_DENY_MASK:
                reasons["admin"] = _union(
                    [st.source for st in doc.statements if st.grants_all_actions] for doc in side.docs
                )

        some = _some_ok(side) & (_some_ok(bside) if bside is not None else -1)
        for cls, mask in (("iam_write", _IAM_WRITE_MASK), ("secret_read", _SECRET_READ_MASK)):
            if some & mask:
                reasons[cls] = self._sources(side, some & mask, some=True)

        wildcard = _union(doc.wildcards for doc in side.docs)
        if wildcard:
            reasons["wildcard"] = wildcard

        sure = _all_ok(masks, unconditional=True)
        if bmasks is not None:
            sure &= _all_ok(bmasks, unconditional=True)
        methods = [name for name, mask in _METHOD_MASKS if sure & mask == mask]
        if principal_arn and len(methods) < len(_METHOD_MASKS):
            extra = set(
                self._escalation(side, bside, principal_arn, only=SELF_TARGET_METHODS - set(methods))[0]
            )
            methods = [name for name, _ in _METHOD_MASKS if name in extra or name in methods]
        if methods:
            reasons["can_escalate"] = tuple(methods)

        if some & _PASS_ROLE_BIT:
            reasons["pass_role"] = self._sources(side, _PASS_ROLE_BIT, some=True)
        anywhere = _all_ok(masks, unconditional=False)
        if bmasks is not None:
            anywhere &= _all_ok(bmasks, unconditional=False)
        if anywhere & _ASSUME_BIT:
            reasons["assume_any_role"] = self._sources(side, _ASSUME_BIT, some=False)

        grants = tuple(g for doc in side.docs for g in doc.grants)
        if bside is not None:
            grants += tuple(g for doc in bside.docs for g in doc.grants)
        return PermissionSummary(grants=grants, classes=tuple(sorted(reasons)), reasons=reasons)

    @staticmethod
    def _sources(side: _Side, mask: int, *, some: bool) -> tuple[str, ...]:
        """The identity statements behind the allowed probes in ``mask``, in policy order."""
        if some and not mask & side.masks.d and mask == side.masks.s & _class_mask(mask):
            # Everything the identity allows in this class is allowed: the per-document
            # precomputed lists answer without looking at single probes.
            cls_mask = _class_mask(mask)
            return _union(doc.class_sources.get(cls_mask, ()) for doc in side.docs)
        found: set[str] = set()
        for probe in _bits(mask):
            bit = _BIT[probe]
            if some and bit & side.masks.d:
                found.update(_decide(side, probe[0], "*", True, probe[1]).allowed_by)
            else:
                table = "some_sources" if some else "all_sources"
                for doc in side.docs:
                    found.update(getattr(doc, table).get(bit, ()))
        return tuple(st.source for doc in side.docs for st in doc.statements if st.source in found)


def _class_mask(mask: int) -> int:
    """The class mask (IAM write, secret read, PassRole) that ``mask`` lies within, or 0."""
    return next((c for c in _CLASS_MASKS if mask & c == mask), 0)


def _all_ok(masks: _Masks, *, unconditional: bool) -> int:
    """Probes allowed on every resource (only those without any Condition in the way, if
    ``unconditional``)."""
    if unconditional:
        return masks.u & ~masks.d & ~masks.ds
    return (masks.u | masks.c) & ~masks.d


def _some_ok(side: _Side) -> int:
    """Probes allowed on at least one resource. A probe with both an Allow and an unconditional
    Deny needs the resource patterns compared, so only those take the slow path."""
    masks = side.masks
    ok = masks.s & ~masks.d
    for action, ctx in _bits(masks.s & masks.d):
        if _decide(side, action, "*", True, ctx).allowed:
            ok |= _BIT[(action, ctx)]
    return ok


def _mentions_self_targets(side: _Side, bside: _Side | None) -> bool:
    return any(doc.scoped_self_target for doc in side.docs) or (
        bside is not None and any(doc.scoped_self_target for doc in bside.docs)
    )


def _union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return tuple(seen)


def _context(context: Mapping[str, str] | None) -> _Context:
    if not context:
        return ()
    return tuple(sorted((k.lower(), v) for k, v in context.items()))


def _content_hash(document: Mapping[str, Any] | str) -> str:
    if isinstance(document, str):
        text = document
    else:
        # repr of JSON-shaped data is deterministic and several times faster than json.dumps;
        # the same content in another key order merely misses the memo.
        text = repr(document)
        if " at 0x" in text:
            text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# --------------------------------------------------------------------------- grants


def statement_of_grant(grant: Grant, username: str | None = None) -> _Statement:
    """The evaluator's statement for a :class:`~nhiscan.model.Grant` read back from an
    inventory (whose policy documents are gone): the same matching as a compiled document
    statement, with a Condition known only to exist. ``username`` is the value of
    ``${aws:username}`` when the grant belongs to that IAM user (otherwise a policy variable
    matches any text, an over-approximation)."""
    return _grant_statement(grant, username)


@lru_cache(maxsize=65536)
def _grant_statement(grant: Grant, username: str | None) -> _Statement:
    patterns = grant.not_actions or grant.actions
    not_action = bool(grant.not_actions)
    raw = grant.resources or ("*",)
    not_resource = all(r.startswith("!") for r in raw)
    resources = tuple(r[1:] if r.startswith("!") else r for r in raw)
    if username is not None:
        resources = tuple(_with_username(r, username) for r in resources)
    allow = grant.effect.lower() != "deny"
    universal = not not_resource and any(_is_universal(r) for r in resources)
    grants_all = allow and not not_action and any(_ALL_ACTIONS_SHAPE.fullmatch(a) for a in patterns)
    return _Statement(
        source=grant.source,
        allow=allow,
        not_action=not_action,
        action_re=_compile_actions(patterns),
        not_resource=not_resource,
        resource_patterns=resources,
        variables=True,
        universal=universal,
        conditions=(),
        has_condition=grant.conditional,
        grants_all_actions=grants_all and universal and not grant.conditional,
        wildcard=False,
        grant=grant,
        conditions_known=False,
    )


def _with_username(pattern: str, username: str) -> str:
    # a user name cannot contain glob characters, so it is a literal in the pattern
    return re.sub(r"\$\{aws:username\}", lambda _: username, pattern, flags=re.IGNORECASE)


class _Statements:
    """A bag of statements that answers ``matching`` like a compiled document does."""

    __slots__ = ("statements", "_matches")

    def __init__(self, statements: Sequence[_Statement]) -> None:
        self.statements = tuple(statements)
        self._matches: dict[str, tuple[_Match, _Match]] = {}

    def matching(self, action: str, context: _Context = ()) -> tuple[_Match, _Match]:
        key = action.lower()
        found = self._matches.get(key)
        if found is None:
            matched = [(st, st.applies(context)) for st in self.statements if st.matches_action(action)]
            found = (
                tuple((st, a) for st, a in matched if st.allow),
                tuple((st, a) for st, a in matched if not st.allow),
            )
            self._matches[key] = found
        return found


class GrantEvaluator:
    """The policy evaluator over a principal's grants (identity statements plus boundary
    statements, kind ``boundary``), for questions asked after the documents are gone: delegation
    edges and the agent checks. Same answers as :meth:`PolicyAnalyser.evaluate` on the documents,
    except that a Condition is never decided (it makes the answer conditional)."""

    __slots__ = ("_side", "_bside", "identity_statements", "boundary_statements")

    def __init__(self, grants: Iterable[Grant], username: str | None = None) -> None:
        ident: list[_Statement] = []
        bound: list[_Statement] = []
        for g in grants:
            (bound if g.kind == "boundary" else ident).append(statement_of_grant(g, username))
        self.identity_statements = tuple(ident)
        self.boundary_statements = tuple(bound)
        self._side = _Side((_Statements(ident),))  # type: ignore[arg-type]
        self._bside = _Side((_Statements(bound),)) if bound else None  # type: ignore[arg-type]

    def evaluate(self, action: str, resource: str = "*", *, on_some_resource: bool = False) -> Decision:
        """See :meth:`PolicyAnalyser.evaluate` (without a context)."""
        return PolicyAnalyser._evaluate(self._side, self._bside, action, resource, on_some_resource, ())

    def explicitly_denied(self, action: str, resource: str) -> bool:
        """An unconditional Deny among the identity statements covers ``action`` on ``resource``."""
        _, denies = self._side.matching(action, ())
        return any(a is _Applies.ALWAYS and d.matches_resource(resource) for d, a in denies)

    @property
    def boundary_allows_everything(self) -> bool:
        """No boundary, or one with an unconditional ``*`` on every resource."""
        return not self.boundary_statements or any(st.grants_all_actions for st in self.boundary_statements)


# --------------------------------------------------------------------------- module API


@dataclass
class _Default:
    """Holds the shared analyser, created on first use (no work at import time)."""

    analyser: PolicyAnalyser | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> PolicyAnalyser:
        with self.lock:
            if self.analyser is None:
                self.analyser = PolicyAnalyser()
            return self.analyser


_DEFAULT: Final = _Default()


def default_analyser() -> PolicyAnalyser:
    """The analyser the module-level functions use."""
    return _DEFAULT.get()


def summarise(
    policies: Sequence[PolicyDoc], boundary: PolicyDoc | None = None, *, principal_arn: str | None = None
) -> PermissionSummary:
    """See :meth:`PolicyAnalyser.summarise`."""
    return default_analyser().summarise(policies, boundary, principal_arn=principal_arn)


def evaluate(
    policies: Sequence[PolicyDoc],
    boundary: PolicyDoc | None,
    action: str,
    resource: str = "*",
    *,
    on_some_resource: bool = False,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """See :meth:`PolicyAnalyser.evaluate`."""
    return default_analyser().evaluate(
        policies, boundary, action, resource, on_some_resource=on_some_resource, context=context
    )


def escalation_methods(
    policies: Sequence[PolicyDoc], boundary: PolicyDoc | None = None, *, principal_arn: str | None = None
) -> list[str]:
    """See :meth:`PolicyAnalyser.escalation_methods`."""
    return default_analyser().escalation_methods(policies, boundary, principal_arn=principal_arn)
