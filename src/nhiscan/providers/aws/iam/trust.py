"""Facts about an IAM role's trust policy (``AssumeRolePolicyDocument``): who may assume the
role, and whether the conditions that should narrow that down are there.

:func:`analyse_trust` returns a JSON-able dict that the AWS provider stores as
``identity.facts.trust`` (typed as :class:`~nhiscan.providers.aws.facts.TrustFacts`) and rules read as
``identity.aws.trust.<key>``:

``principals``
    One entry per principal named in an Allow statement that grants an ``sts:AssumeRole*``
    action: ``{"type": "AWS"|"Service"|"Federated"|"CanonicalUser"|"*", "value": ...,
    "conditional": bool}``, plus ``"account"`` (12 digits, or None for ``*`` and unique ids) for
    AWS principals. ``conditional`` is true when the statement has a Condition. An Allow with
    ``NotPrincipal`` is recorded as type ``*`` (it trusts everyone but the named principals).
``any_principal``
    True if ``Principal: "*"`` or ``{"AWS": "*"}`` is trusted with no *restricting* condition.
    Restricting condition keys: ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``,
    ``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:SourceAccount``, ``aws:SourceArn``,
    ``sts:ExternalId``, used with a positive string/ARN operator that does not match everything
    (``StringLike``/``ArnLike``/``ArnEquals`` with only ``*`` values does).
    ``...IfExists`` and ``ForAllValues:`` forms do not restrict, because they pass when the key is
    absent (a principal outside any organisation has no ``aws:PrincipalOrgID``).
``any_principal_conditional``
    True if ``*`` is trusted but only under a restricting condition.
``external_accounts``
    Sorted 12-digit accounts other than ``own_account`` trusted through AWS principals (account
    ids, ``:root``, user, role and assumed-role ARNs) or named by an ``aws:PrincipalAccount`` or
    ``aws:PrincipalArn`` condition on a ``*`` principal.
``external_accounts_without_external_id``
    The subset trusted by at least one statement without a restricting ``sts:ExternalId``
    condition.
``services``
    Sorted service principals (``lambda.amazonaws.com``...).
``services_without_source_condition``
    Services trusted by at least one statement without a restricting ``aws:SourceArn``,
    ``aws:SourceAccount``, ``aws:SourceOrgID`` or ``aws:SourceOrgPaths`` condition (the
    confused-deputy guard).
``oidc``
    One entry per web-identity provider trusted for ``sts:AssumeRoleWithWebIdentity``:
    ``{"provider": host/path, "audience_pinned": bool, "subject_pinned": bool, "subjects":
    [...], "issue": None|"missing-sub"|"wildcard-sub"|"missing-aud"}``. The provider is the part
    of an ``oidc-provider/`` ARN after the slash, or a bare provider name (``accounts.google.com``,
    ``cognito-identity.amazonaws.com``). The audience is pinned by a ``<provider>:aud`` (or
    ``:app_id``/``:azp``/``:oaud``) condition with a positive operator and no value that is
    only wildcards. The subject is pinned by a ``<provider>:sub`` StringEquals/StringLike condition
    whose values are all pinned: not only wildcards and, for GitHub
    (``token.actions.githubusercontent.com``), naming a literal ``org/repo`` after ``repo:``
    (``repo:org/repo:*`` is pinned to a repository; ``repo:org/*`` and ``repo:*`` are not); a
    customised GitHub subject that does not start with ``repo:`` is pinned only without
    wildcards. ``issue`` names the worst gap: a missing subject, then a wildcard subject, then a
    missing audience. Cognito identity pools have no meaningful subject, so only their audience
    is checked.
``oidc_unpinned``
    True if any ``oidc`` entry has an issue.
``oidc_issues``
    Those issues as ``"<provider>: <issue>"`` strings, for messages.
``saml``
    True if a SAML provider (``saml-provider/`` ARN) is trusted: humans sign in through it.
``deny_statements``
    The number of Deny statements (they may narrow the above; nhiscan does not subtract them).

Condition operators are matched case-insensitively with ``IfExists`` and
``ForAnyValue:``/``ForAllValues:`` handled as described; condition keys are case-insensitive.
Malformed documents raise :class:`~nhiscan.errors.InputError` naming the statement and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Final

from nhiscan.errors import InputError
from nhiscan.providers.aws.iam.policy import load_document, statements_of

_ASSUME_ACTIONS: Final = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
_WEB_IDENTITY: Final = "sts:AssumeRoleWithWebIdentity"
_PRINCIPAL_TYPES: Final = ("AWS", "Service", "Federated", "CanonicalUser")
_POSITIVE_OPS: Final = frozenset(
    {"stringequals", "stringlike", "stringequalsignorecase", "arnequals", "arnlike"}
)
_WILDCARD_OPS: Final = frozenset({"stringlike", "arnequals", "arnlike"})
_RESTRICTING_KEYS: Final = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "sts:externalid",
    }
)
_SOURCE_KEYS: Final = frozenset(
    {"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"}
)
_AUDIENCE_CLAIMS: Final = ("aud", "app_id", "azp", "oaud")
_ACCOUNT_RE: Final = re.compile(r"\d{12}")
_ARN_ACCOUNT_RE: Final = re.compile(r"arn:[^:]+:(?:iam|sts)::(\d{12}):")
_ACTION_SHAPE: Final = re.compile(r"\*|[A-Za-z0-9*?_.\-]+:[A-Za-z0-9*?_.\-]+")
_GITHUB: Final = "token.actions.githubusercontent.com"
_COGNITO: Final = "cognito-identity.amazonaws.com"


@dataclass(frozen=True)
class _Condition:
    op: str  # base operator, lower case, without prefix or IfExists
    if_exists: bool
    for_all: bool
    key: str  # lower case
    values: tuple[str, ...]

    @cached_property
    def positive(self) -> bool:
        return self.op in _POSITIVE_OPS

    @cached_property
    def restricts(self) -> bool:
        """Narrows who matches, even when the key is absent from the request."""
        # Only the Like and Arn operators expand wildcards; StringEquals "*" means a literal "*".
        matches_anything = self.op in _WILDCARD_OPS and all(_matches_any_value(v) for v in self.values)
        return self.positive and not self.if_exists and not self.for_all and not matches_anything


def _only_wild(value: str) -> bool:
    return value.strip("*?") == ""


def _matches_any_value(pattern: str) -> bool:
    """``*``, ``arn:*``, ``arn:aws:*:*``...: a wildcard pattern every value or ARN matches."""
    return "*" in pattern and pattern.rstrip("*?:") in ("", "arn", "arn:aws")


def _conditions(raw: Any, where: str, field_name: str) -> tuple[_Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise InputError(where, f"{field_name} must be an object, got {type(raw).__name__}")
    out: list[_Condition] = []
    for op, entries in raw.items():
        if not isinstance(op, str) or not isinstance(entries, Mapping):
            raise InputError(where, f"{field_name}.{op} must map condition keys to values")
        prefix, _, rest = op.rpartition(":")
        base = rest.lower()
        if_exists = base.endswith("ifexists")
        if if_exists:
            base = base[: -len("ifexists")]
        for key, value in entries.items():
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, (str, bool, int, float)) for v in values):
                raise InputError(
                    where, f"{field_name}.{op}.{key} values must be strings, numbers or booleans"
                )
            out.append(
                _Condition(
                    op=base,
                    if_exists=if_exists,
                    for_all=prefix.lower() == "forallvalues",
                    key=str(key).lower(),
                    values=tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values),
                )
            )
    return tuple(out)


def _strings(value: Any, where: str, field_name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(where, f"{field_name} must be a string or a list of strings")


def _assume_actions(stmt: Mapping[str, Any], where: str, field_prefix: str) -> set[str]:
    """Which of the sts:AssumeRole* actions the statement's Action/NotAction covers."""
    if ("Action" in stmt) == ("NotAction" in stmt):
        raise InputError(where, f"{field_prefix} must have exactly one of Action or NotAction")
    negate = "NotAction" in stmt
    field_name = "NotAction" if negate else "Action"
    patterns = _strings(stmt[field_name], where, f"{field_prefix}.{field_name}")
    for p in patterns:
        if not _ACTION_SHAPE.fullmatch(p):
            raise InputError(where, f"{field_prefix}.{field_name} {p!r} is not of the form service:action")
    return set(_covered_assume_actions(patterns, negate))


@lru_cache(maxsize=4096)
def _covered_assume_actions(patterns: tuple[str, ...], negate: bool) -> frozenset[str]:
    rx = re.compile(
        "|".join(
            "(?:" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in p) + ")"
            for p in patterns
        )
        or "(?!)",
        re.IGNORECASE,
    )
    return frozenset(a for a in _ASSUME_ACTIONS if (rx.fullmatch(a) is not None) != negate)


def _principals(stmt: Mapping[str, Any], where: str, field_prefix: str) -> list[tuple[str, str]]:
    if "NotPrincipal" in stmt and "Principal" not in stmt:
        return [("*", "*")]
    if "Principal" not in stmt:
        raise InputError(where, f"{field_prefix} has no Principal")
    raw = stmt["Principal"]
    if raw == "*":
        return [("*", "*")]
    if not isinstance(raw, Mapping):
        raise InputError(where, f'{field_prefix}.Principal must be "*" or an object')
    out: list[tuple[str, str]] = []
    for ptype, values in raw.items():
        if ptype not in _PRINCIPAL_TYPES:
            raise InputError(where, f"{field_prefix}.Principal has unknown principal type {ptype!r}")
        out.extend((ptype, v) for v in _strings(values, where, f"{field_prefix}.Principal.{ptype}"))
    return out


def _account_of(value: str) -> str | None:
    if _ACCOUNT_RE.fullmatch(value):
        return value
    m = _ARN_ACCOUNT_RE.match(value)
    return m.group(1) if m else None


def _condition_accounts(conditions: tuple[_Condition, ...]) -> list[str]:
    """Accounts a ``*`` principal is narrowed to by aws:PrincipalAccount or aws:PrincipalArn."""
    out: list[str] = []
    for c in conditions:
        if not c.restricts:
            continue
        if c.key == "aws:principalaccount":
            out.extend(v for v in c.values if _ACCOUNT_RE.fullmatch(v))
        elif c.key == "aws:principalarn":
            out.extend(a for a in (_account_of(v) for v in c.values) if a)
    return out


def _github_subject_pinned(value: str) -> bool:
    if not value.lower().startswith("repo:"):
        return "*" not in value and "?" not in value
    org_repo = value[len("repo:") :].split(":", 1)[0]
    org, slash, repo = org_repo.partition("/")
    return bool(slash and org and repo) and not any(c in org_repo for c in "*?")


def _subject_pinned(provider: str, value: str) -> bool:
    if _only_wild(value):
        return False
    if provider.lower().startswith(_GITHUB):
        return _github_subject_pinned(value)
    return True


def _oidc_entry(provider: str, conditions: tuple[_Condition, ...]) -> dict[str, Any]:
    prefix = provider.lower() + ":"
    aud_keys = {prefix + claim for claim in _AUDIENCE_CLAIMS}
    audience_pinned = any(
        c.key in aud_keys and c.positive and not any(_only_wild(v) for v in c.values) for c in conditions
    )
    subs = [c for c in conditions if c.key == prefix + "sub" and c.op in ("stringequals", "stringlike")]
    subjects = [v for c in subs for v in c.values]
    subject_pinned = bool(subs) and all(_subject_pinned(provider, v) for c in subs for v in c.values)
    issue: str | None = None
    cognito = provider.lower() == _COGNITO
    if not subs and not cognito:
        issue = "missing-sub"
    elif subs and not subject_pinned and not cognito:
        issue = "wildcard-sub"
    elif not audience_pinned:
        issue = "missing-aud"
    return {
        "provider": provider,
        "audience_pinned": audience_pinned,
        "subject_pinned": subject_pinned,
        "subjects": subjects,
        "issue": issue,
    }


def analyse_trust(
    document: Mapping[str, Any] | str, own_account: str, *, where: str = "AssumeRolePolicyDocument"
) -> dict[str, Any]:
    """Facts about one trust policy (see the module docstring). ``where`` names the role in
    error messages. Raises InputError for a malformed document."""
    parsed = load_document(document, where)
    principals: list[dict[str, Any]] = []
    any_open = False
    any_conditional = False
    external: set[str] = set()
    external_no_id: set[str] = set()
    services: set[str] = set()
    services_unguarded: set[str] = set()
    oidc: list[dict[str, Any]] = []
    saml = False
    denies = 0

    for index, stmt in enumerate(statements_of(parsed, where)):
        prefix = f"Statement[{index}]"
        effect = stmt.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise InputError(where, f"{prefix}.Effect must be 'Allow' or 'Deny', got {effect!r}")
        actions = _assume_actions(stmt, where, prefix)
        named = _principals(stmt, where, prefix)
        conditions = _conditions(stmt.get("Condition"), where, f"{prefix}.Condition")
        if effect == "Deny":
            denies += 1
            continue
        if not actions:
            continue
        conditional = bool(conditions)
        restricted = any(c.restricts and c.key in _RESTRICTING_KEYS for c in conditions)
        has_external_id = any(c.restricts and c.key == "sts:externalid" for c in conditions)
        has_source = any(c.restricts and c.key in _SOURCE_KEYS for c in conditions)

        for ptype, value in named:
            entry: dict[str, Any] = {"type": ptype, "value": value, "conditional": conditional}
            if ptype == "AWS":
                entry["account"] = _account_of(value)
            if entry not in principals:
                principals.append(entry)

            accounts: list[str] = []
            if value == "*" and ptype in ("*", "AWS"):
                if restricted:
                    any_conditional = True
                    accounts = _condition_accounts(conditions)
                else:
                    any_open = True
            elif ptype == "AWS":
                account = _account_of(value)
                accounts = [account] if account else []
            elif ptype == "Service":
                services.add(value)
                if not has_source:
                    services_unguarded.add(value)
            elif ptype == "Federated":
                if ":saml-provider/" in value:
                    saml = True
                elif _WEB_IDENTITY in actions:
                    provider = value.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in value else value
                    oidc.append(_oidc_entry(provider, conditions))
            for account in accounts:
                if account != own_account:
                    external.add(account)
                    if not has_external_id:
                        external_no_id.add(account)

    return {
        "principals": principals,
        "any_principal": any_open,
        "any_principal_conditional": any_conditional,
        "external_accounts": sorted(external),
        "external_accounts_without_external_id": sorted(external_no_id),
        "services": sorted(services),
        "services_without_source_condition": sorted(services_unguarded),
        "oidc": oidc,
        "oidc_unpinned": any(o["issue"] is not None for o in oidc),
        "oidc_issues": [f"{o['provider']}: {o['issue']}" for o in oidc if o["issue"] is not None],
        "saml": saml,
        "deny_statements": denies,
    }
