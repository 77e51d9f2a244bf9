"""Turn AWS documents (live API responses or CLI exports; same shapes) into inventory.

Identities carry :class:`~nhiscan.providers.aws.facts.AwsIdentityFacts` (rules read
``identity.aws.<field>``): account, path, unique id, groups, password and key facts from the
credential report, permissions boundary, instance profiles and the role's ``trust`` (from
:func:`nhiscan.providers.aws.iam.trust.analyse_trust`). A service-linked role is
``managed_by: provider``; the unique user/role id is also in ``Identity.aliases``.

Credentials: ``aws.access_key`` and ``aws.signing_certificate`` with id ``access_key_1`` /
``access_key_2`` / ``cert_1`` / ``cert_2`` (the credential report's slots; the key id itself is
only known with ``--key-details``, then recorded as ``credential.aws.key_id``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from nhiscan.errors import InputError
from nhiscan.facts import ManagedBy
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Evidence,
    Identity,
    Inventory,
    LoggingState,
    LoggingStatus,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.aws.documents import require_list, timestamp
from nhiscan.providers.aws.facts import (
    AwsCredentialFacts,
    AwsIdentityFacts,
    AwsLoggingFacts,
    CloudTrailTrail,
    OidcTrust,
    TrustFacts,
    TrustPrincipal,
)
from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc
from nhiscan.providers.aws.iam.trust import analyse_trust
from nhiscan.providers.aws.managed import WELL_KNOWN
from nhiscan.timeutil import format_time, parse_time

ARN_ACCOUNT = re.compile(r"^arn:aws[a-zA-Z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")
OWNER_TAG_KEYS = ("owner", "nhiscan:owner", "owner-email", "team", "contact", "maintainer")


@dataclass
class AwsDocuments:
    """Everything read for one or more accounts, with where each piece came from."""

    gaad: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    reports: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)
    trails: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    # (trail ARN when known, where, document): offline status files carry no trail name
    statuses: list[tuple[str | None, str, Mapping[str, Any]]] = field(default_factory=list)
    selectors: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    key_details: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)  # user ARN -> keys
    coverage: list[CoverageEntry] = field(default_factory=list)
    accounts: set[str] = field(default_factory=set)
    cloudtrail_read: bool = False  # live: CloudTrail was queried (so no trails means none exist)


def account_of(arn: str) -> str | None:
    m = ARN_ACCOUNT.match(arn or "")
    return m.group(1) if m else None


def _tags(items: Any) -> dict[str, str]:
    if not isinstance(items, list):
        return {}
    return {
        str(t.get("Key")): str(t.get("Value", "")) for t in items if isinstance(t, Mapping) and "Key" in t
    }


def owner_from_tags(tags: Mapping[str, str]) -> str | None:
    lowered = {k.lower(): v for k, v in tags.items() if v}
    for key in OWNER_TAG_KEYS:
        if key in lowered:
            return lowered[key]
    return None


def _default_version(policy: Mapping[str, Any]) -> Any:
    for version in policy.get("PolicyVersionList") or []:
        if isinstance(version, Mapping) and version.get("IsDefaultVersion"):
            return version.get("Document")
    return None


class _PolicyIndex:
    """Managed policy documents across every GAAD document read, plus the well-known table."""

    def __init__(self) -> None:
        self.docs: dict[str, Any] = {}
        self.missing: set[str] = set()

    def add(self, policies: Iterable[Mapping[str, Any]]) -> None:
        for p in policies:
            arn, doc = p.get("Arn"), _default_version(p)
            if isinstance(arn, str) and doc is not None:
                self.docs[arn] = doc

    def get(self, arn: str) -> Any:
        doc = self.docs.get(arn) or WELL_KNOWN.get(arn)
        if doc is None:
            self.missing.add(arn)
        return doc


def _managed(attached: Any, index: _PolicyIndex, kind: str, via: str | None) -> list[PolicyDoc]:
    out = []
    for a in attached or []:
        arn = a.get("PolicyArn") if isinstance(a, Mapping) else None
        if not isinstance(arn, str):
            continue
        doc = index.get(arn)
        if doc is not None:
            out.append(PolicyDoc(source=arn, kind=kind, document=doc, via=via))
    return out


def _inline(items: Any, owner: str, kind: str, via: str | None) -> list[PolicyDoc]:
    return [
        PolicyDoc(
            source=f"inline:{owner}:{p.get('PolicyName', '?')}",
            kind=kind,
            document=p["PolicyDocument"],
            via=via,
        )
        for p in items or []
        if isinstance(p, Mapping) and p.get("PolicyDocument") is not None
    ]


def _boundary(detail: Mapping[str, Any], index: _PolicyIndex) -> tuple[PolicyDoc | None, str | None]:
    b = detail.get("PermissionsBoundary")
    arn = b.get("PermissionsBoundaryArn") if isinstance(b, Mapping) else None
    if not arn:
        return None, None
    doc = index.get(arn)
    return (PolicyDoc(source=arn, kind="boundary", document=doc) if doc is not None else None), arn


def build(docs: AwsDocuments) -> Inventory:
    index = _PolicyIndex()
    analyser = PolicyAnalyser()  # memoises compiled documents and summaries for this build only
    for where, gaad in docs.gaad:
        index.add(require_list(gaad, "Policies", where))

    identities: dict[str, Identity] = {}
    credentials: list[Credential] = []
    accounts: set[str] = set(docs.accounts)
    report_rows: dict[str, tuple[str, dict[str, str]]] = {}
    for where, rows in docs.reports:
        for row in rows:
            report_rows[row["arn"]] = (where, row)

    for where, gaad in docs.gaad:
        groups = {g.get("GroupName"): g for g in require_list(gaad, "GroupDetailList", where)}
        for i, user in enumerate(require_list(gaad, "UserDetailList", where)):
            report = report_rows.get(str(user.get("Arn")))
            ident = _user(user, groups, index, analyser, report, f"{where}: UserDetailList[{i}]")
            identities[ident.id] = ident
        for i, role in enumerate(require_list(gaad, "RoleDetailList", where)):
            ident = _role(role, index, analyser, f"{where}: RoleDetailList[{i}]")
            identities[ident.id] = ident

    for arn, (where, row) in report_rows.items():
        if arn not in identities:
            identities[arn] = _report_only_identity(row, where)
        credentials.extend(_report_credentials(row, arn, where, docs.key_details.get(arn, [])))

    for ident in identities.values():
        acct = ident.facts.account if isinstance(ident.facts, AwsIdentityFacts) else None
        if acct:
            accounts.add(acct)

    coverage = list(docs.coverage)
    scopes = [Scope(provider="aws", type="account", id=a, name=a) for a in sorted(accounts)]
    logging = _logging(docs, accounts, coverage)
    has_gaad = bool(docs.gaad)
    for acct in sorted(accounts):
        key = scope_key("aws", "account", acct)
        if not docs.reports and not any(c.source == "iam:GetCredentialReport" for c in coverage):
            coverage.append(
                CoverageEntry(
                    "aws",
                    key,
                    "iam:GetCredentialReport",
                    CoverageStatus.NOT_FOUND.value,
                    "no credential report was read: access key ages and last use are unknown",
                )
            )
        if not has_gaad and not any(c.source == "iam:GetAccountAuthorizationDetails" for c in coverage):
            coverage.append(
                CoverageEntry(
                    "aws",
                    key,
                    "iam:GetAccountAuthorizationDetails",
                    CoverageStatus.NOT_FOUND.value,
                    "no authorization details were read: roles and permissions are unknown",
                )
            )
    if index.missing:
        missing = sorted(index.missing)
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        coverage.append(
            CoverageEntry(
                "aws",
                scopes[0].key if scopes else "aws:account:unknown",
                "managed policy documents",
                CoverageStatus.NOT_FOUND.value,
                f"{len(missing)} attached managed policies have no document in the input, so their "
                f"permissions are unknown: {shown} (export without --filter, or include AWSManagedPolicy)",
            )
        )
    return Inventory(
        identities=tuple(identities.values()),
        credentials=tuple(credentials),
        logging=tuple(logging),
        coverage=tuple(coverage),
        scopes=tuple(scopes),
        providers=("aws",),
    )


def _user(
    user: Mapping[str, Any],
    groups: Mapping[Any, Mapping[str, Any]],
    index: _PolicyIndex,
    analyser: PolicyAnalyser,
    report: tuple[str, dict[str, str]] | None,
    where: str,
) -> Identity:
    arn = _require_str(user, "Arn", where)
    name = str(user.get("UserName") or arn.rsplit("/", 1)[-1])
    policies = _managed(user.get("AttachedManagedPolicies"), index, "managed_policy", None)
    policies += _inline(user.get("UserPolicyList"), arn, "inline_policy", None)
    group_names = [g for g in user.get("GroupList") or [] if isinstance(g, str)]
    for g in group_names:
        group = groups.get(g)
        if group is None:
            continue
        policies += _managed(group.get("AttachedManagedPolicies"), index, "group_policy", g)
        policies += _inline(group.get("GroupPolicyList"), str(group.get("Arn", g)), "group_policy", g)
    boundary, boundary_arn = _boundary(user, index)
    perms = analyser.summarise(policies, boundary, principal_arn=arn)
    tags = _tags(user.get("Tags"))
    account = account_of(arn)
    user_id = user.get("UserId") if isinstance(user.get("UserId"), str) and user.get("UserId") else None
    facts = AwsIdentityFacts(
        account=account,
        path=user.get("Path"),
        unique_id=user_id,
        groups=tuple(group_names),
        permissions_boundary=boundary_arn,
    )
    usage = Usage.UNKNOWN.value
    last_used = None
    evidence = [Evidence("iam:GetAccountAuthorizationDetails", where)]
    if report is not None:
        rwhere, row = report
        facts = _with_report(facts, row, rwhere)
        usage = _usage(row)
        last_used = _latest_use(row, rwhere)
        evidence.append(Evidence("iam:GetCredentialReport", rwhere))
    return Identity(
        id=arn,
        provider="aws",
        kind="aws.iam_user",
        scope=scope_key("aws", "account", account or "unknown"),
        name=name,
        created=timestamp(user.get("CreateDate"), where, "CreateDate"),
        last_used=last_used,
        owner=owner_from_tags(tags),
        tags=tags,
        usage=usage,
        evidence=tuple(evidence),
        permissions=perms,
        aliases=(user_id,) if user_id else (),
        facts=facts,
    )


def _role(role: Mapping[str, Any], index: _PolicyIndex, analyser: PolicyAnalyser, where: str) -> Identity:
    arn = _require_str(role, "Arn", where)
    account = account_of(arn)
    policies = _managed(role.get("AttachedManagedPolicies"), index, "managed_policy", None)
    policies += _inline(role.get("RolePolicyList"), arn, "inline_policy", None)
    boundary, boundary_arn = _boundary(role, index)
    perms = analyser.summarise(policies, boundary, principal_arn=arn)
    trust_doc = role.get("AssumeRolePolicyDocument")
    try:
        trust = analyse_trust(trust_doc, account or "") if trust_doc is not None else {}
    except InputError as exc:
        raise InputError(where, f"AssumeRolePolicyDocument: {exc.problem}") from exc
    last_used_raw = role.get("RoleLastUsed")
    last: Mapping[str, Any] = last_used_raw if isinstance(last_used_raw, Mapping) else {}
    tags = _tags(role.get("Tags"))
    path = str(role.get("Path") or "/")
    profiles = [
        str(p.get("InstanceProfileName"))
        for p in role.get("InstanceProfileList") or []
        if isinstance(p, Mapping)
    ]
    role_id = role.get("RoleId") if isinstance(role.get("RoleId"), str) and role.get("RoleId") else None
    usage = Usage.HUMAN.value if trust.get("saml") else Usage.MACHINE.value
    return Identity(
        id=arn,
        provider="aws",
        kind="aws.iam_role",
        scope=scope_key("aws", "account", account or "unknown"),
        name=str(role.get("RoleName") or arn.rsplit("/", 1)[-1]),
        created=timestamp(role.get("CreateDate"), where, "CreateDate"),
        last_used=timestamp(last.get("LastUsedDate"), where, "RoleLastUsed.LastUsedDate"),
        owner=owner_from_tags(tags),
        tags=tags,
        usage=usage,
        evidence=(Evidence("iam:GetAccountAuthorizationDetails", where),),
        permissions=perms,
        # a service-linked role is created, managed and only usable by its AWS service
        managed_by=(
            ManagedBy.PROVIDER if path.startswith("/aws-service-role/") else ManagedBy.CUSTOMER
        ).value,
        aliases=(role_id,) if role_id else (),
        facts=AwsIdentityFacts(
            account=account,
            path=path,
            unique_id=role_id,
            instance_profiles=tuple(profiles),
            permissions_boundary=boundary_arn,
            last_used_region=last.get("Region") if isinstance(last.get("Region"), str) else None,
            trust=trust_facts(trust) if trust else None,
        ),
    )


def trust_facts(trust: Mapping[str, Any]) -> TrustFacts:
    """The typed form of :func:`~nhiscan.providers.aws.iam.trust.analyse_trust`'s result."""
    oidc = tuple(
        OidcTrust(
            provider=str(o.get("provider") or ""),
            audience_pinned=bool(o.get("audience_pinned")),
            subject_pinned=bool(o.get("subject_pinned")),
            subjects=tuple(str(x) for x in o.get("subjects") or ()),
            issue=o.get("issue"),
        )
        for o in trust.get("oidc") or ()
    )
    return TrustFacts(
        principals=tuple(
            TrustPrincipal(
                type=str(p.get("type", "")),
                value=str(p.get("value", "")),
                conditional=bool(p.get("conditional")),
                account=p.get("account"),
            )
            for p in trust.get("principals") or ()
        ),
        any_principal=bool(trust.get("any_principal")),
        any_principal_conditional=bool(trust.get("any_principal_conditional")),
        external_accounts=tuple(trust.get("external_accounts") or ()),
        external_accounts_without_external_id=tuple(trust.get("external_accounts_without_external_id") or ()),
        services=tuple(trust.get("services") or ()),
        services_without_source_condition=tuple(trust.get("services_without_source_condition") or ()),
        oidc=oidc,
        oidc_unpinned=bool(trust.get("oidc_unpinned")),
        oidc_issues=tuple(f"{o.provider}: {o.issue}" for o in oidc if o.issue),
        saml=bool(trust.get("saml")),
        deny_statements=int(trust.get("deny_statements") or 0),
    )


def _require_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(where, f"missing {key}")
    return value


def _flag(row: Mapping[str, str], key: str) -> bool:
    return row.get(key, "").strip().lower() == "true"


def _with_report(facts: AwsIdentityFacts, row: Mapping[str, str], where: str) -> AwsIdentityFacts:
    """``facts`` with what the credential report says about the user's password and keys."""
    pwd_used = row.get("password_last_used", "")
    used = timestamp(pwd_used, where, "password_last_used") if pwd_used else None
    return replace(
        facts,
        in_credential_report=True,
        password_enabled=_flag(row, "password_enabled"),
        password_last_used=format_time(used) if used else None,
        mfa_active=_flag(row, "mfa_active"),
        active_access_keys=_active_keys(row),
    )


def _active_keys(row: Mapping[str, str]) -> int:
    return sum(_flag(row, f"access_key_{n}_active") for n in (1, 2))


def _usage(row: Mapping[str, str]) -> str:
    password, keys = _flag(row, "password_enabled"), _active_keys(row) > 0
    if password and keys:
        return Usage.MIXED.value
    if password:
        return Usage.HUMAN.value
    if keys:
        return Usage.MACHINE.value
    return Usage.UNKNOWN.value


def _latest_use(row: Mapping[str, str], where: str) -> datetime | None:
    times = [
        timestamp(row.get(k), where, k)
        for k in ("access_key_1_last_used_date", "access_key_2_last_used_date", "password_last_used")
    ]
    present = [t for t in times if t is not None]
    return max(present) if present else None


def _report_only_identity(row: Mapping[str, str], where: str) -> Identity:
    arn = row["arn"]
    account = account_of(arn)
    is_root = row.get("user") == "<root_account>"
    return Identity(
        id=arn,
        provider="aws",
        kind="aws.root_account" if is_root else "aws.iam_user",
        scope=scope_key("aws", "account", account or "unknown"),
        name="root" if is_root else row.get("user", arn),
        created=timestamp(row.get("user_creation_time"), where, "user_creation_time"),
        last_used=_latest_use(row, where),
        usage=Usage.HUMAN.value if is_root else _usage(row),
        evidence=(Evidence("iam:GetCredentialReport", where),),
        facts=_with_report(AwsIdentityFacts(account=account), row, where),
    )


def _report_credentials(
    row: Mapping[str, str], identity_id: str, where: str, details: Sequence[Mapping[str, Any]]
) -> list[Credential]:
    creds = []
    for n in (1, 2):
        rotated = row.get(f"access_key_{n}_last_rotated", "N/A")
        active = _flag(row, f"access_key_{n}_active")
        if rotated in ("N/A", "", "not_supported") and not active:
            continue
        created = timestamp(rotated, where, f"access_key_{n}_last_rotated")
        facts = AwsCredentialFacts(
            key_id=_match_key(details, created),
            last_used_service=_na(row.get(f"access_key_{n}_last_used_service")),
            last_used_region=_na(row.get(f"access_key_{n}_last_used_region")),
        )
        creds.append(
            Credential(
                id=f"access_key_{n}",
                identity_id=identity_id,
                kind="aws.access_key",
                created=created,
                last_used=timestamp(
                    row.get(f"access_key_{n}_last_used_date"), where, f"access_key_{n}_last_used_date"
                ),
                active=active,
                location=f"credential report slot {n}",
                facts=facts,
            )
        )
    for n in (1, 2):
        rotated = row.get(f"cert_{n}_last_rotated", "N/A")
        active = _flag(row, f"cert_{n}_active")
        if rotated in ("N/A", "", "not_supported") and not active:
            continue
        creds.append(
            Credential(
                id=f"cert_{n}",
                identity_id=identity_id,
                kind="aws.signing_certificate",
                created=timestamp(rotated, where, f"cert_{n}_last_rotated"),
                active=active,
                location=f"credential report certificate slot {n}",
            )
        )
    return creds


def _na(value: str | None) -> str | None:
    return None if value in (None, "", "N/A", "not_supported") else value


def _match_key(details: Sequence[Mapping[str, Any]], created: datetime | None) -> str | None:
    """The credential report has no key ids; ListAccessKeys (``--key-details``) does. Match by
    creation time, which is the report's last_rotated (in whole seconds)."""
    if created is None:
        return None
    for key in details:
        when = parse_time(key.get("CreateDate"))
        if when is not None and when.replace(microsecond=0) == created.replace(microsecond=0):
            return str(key.get("AccessKeyId"))
    return None


# --- CloudTrail -------------------------------------------------------------------------------


def _management_coverage(trail: Mapping[str, Any], selectors: Mapping[str, Any] | None) -> str | None:
    """ "all", "read", "write", "none", or None when selectors are unknown."""
    if selectors is None or trail.get("HasCustomEventSelectors") is False:
        # a trail without custom selectors logs all management events (AWS's default selector)
        return None if trail.get("HasCustomEventSelectors") else "all"
    advanced = selectors.get("AdvancedEventSelectors") or []
    if advanced:
        kinds = set()
        for sel in advanced:
            fields_ = {f.get("Field"): f for f in sel.get("FieldSelectors") or [] if isinstance(f, Mapping)}
            cat = fields_.get("eventCategory", {})
            if "Management" not in (cat.get("Equals") or []):
                continue
            ro = fields_.get("readOnly")
            if ro is None:
                kinds.add("all")
            elif "true" in [str(v).lower() for v in ro.get("Equals") or []]:
                kinds.add("read")
            elif "false" in [str(v).lower() for v in ro.get("Equals") or []]:
                kinds.add("write")
        return _combine(kinds)
    kinds = set()
    for sel in selectors.get("EventSelectors") or []:
        if not isinstance(sel, Mapping) or sel.get("IncludeManagementEvents") is False:
            continue
        rw = str(sel.get("ReadWriteType", "All"))
        kinds.add({"All": "all", "ReadOnly": "read", "WriteOnly": "write"}.get(rw, "all"))
    return _combine(kinds)


def _combine(kinds: set[str]) -> str:
    if "all" in kinds or {"read", "write"} <= kinds:
        return "all"
    return next(iter(kinds)) if kinds else "none"


def _logging(docs: AwsDocuments, accounts: set[str], coverage: list[CoverageEntry]) -> list[LoggingState]:
    trails_by_account: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    seen: set[str] = set()
    for where, trail in docs.trails:
        arn = str(trail.get("TrailARN", ""))
        if arn in seen:
            continue
        seen.add(arn)
        acct = account_of(arn)
        if acct:
            trails_by_account[acct].append((where, trail))
            accounts.add(acct)
    selectors = {str(s.get("TrailARN")): s for _, s in docs.selectors}
    all_trails = [t for _, t in docs.trails]
    states = []
    for acct in sorted(accounts):
        key = scope_key("aws", "account", acct)
        trails = trails_by_account.get(acct, [])
        if not trails and not docs.cloudtrail_read and not docs.trails:
            states.append(
                LoggingState(key, "aws", LoggingStatus.UNKNOWN.value, "CloudTrail configuration was not read")
            )
            if not any(c.source.startswith("cloudtrail:") and c.scope == key for c in coverage):
                coverage.append(
                    CoverageEntry(
                        "aws",
                        key,
                        "cloudtrail:DescribeTrails",
                        CoverageStatus.NOT_FOUND.value,
                        "no CloudTrail export was provided, so whether identity activity is logged is unknown",
                    )
                )
            continue
        if (
            any(c.source.startswith("cloudtrail:") and c.scope == key and c.is_gap for c in coverage)
            and not trails
        ):
            states.append(
                LoggingState(key, "aws", LoggingStatus.UNKNOWN.value, "CloudTrail could not be read")
            )
            continue
        facts = []
        for where, trail in trails:
            arn = str(trail.get("TrailARN"))
            status = _status_for(docs, trail, all_trails)
            facts.append(
                {
                    "name": trail.get("Name"),
                    "arn": arn,
                    "multi_region": bool(trail.get("IsMultiRegionTrail")),
                    "organization": bool(trail.get("IsOrganizationTrail")),
                    "is_logging": status,
                    "management_events": _management_coverage(trail, selectors.get(arn)),
                    "where": where,
                }
            )
        states.append(_trail_state(key, facts, coverage))
    return states


def _status_for(
    docs: AwsDocuments, trail: Mapping[str, Any], all_trails: Sequence[Mapping[str, Any]]
) -> bool | None:
    arn, name = str(trail.get("TrailARN")), str(trail.get("Name"))
    for trail_arn, _where, status in docs.statuses:
        if trail_arn == arn:
            return bool(status.get("IsLogging"))
    unnamed = [(w, s) for t, w, s in docs.statuses if t is None]
    if len(unnamed) == 1 and len(all_trails) == 1:
        return bool(unnamed[0][1].get("IsLogging"))
    # get-trail-status output does not name its trail; several files are matched by file name
    for where, status in unnamed:
        if name and name in Path(where).name:
            return bool(status.get("IsLogging"))
    return None


def _trail_state(key: str, facts: list[dict[str, Any]], coverage: list[CoverageEntry]) -> LoggingState:
    complete = [
        f["name"]
        for f in facts
        if f["multi_region"] and f["is_logging"] is True and f["management_events"] == "all"
    ]
    logging_any = [
        f["name"] for f in facts if f["is_logging"] is True and f["management_events"] not in ("none",)
    ]
    # only a multi-region trail can make the account complete, so only its unknowns matter
    unknown = [
        f["name"]
        for f in facts
        if f["multi_region"] and (f["is_logging"] is None or f["management_events"] is None)
    ]
    typed = AwsLoggingFacts(
        trails=tuple(
            CloudTrailTrail(
                name=None if f["name"] is None else str(f["name"]),
                arn=f["arn"],
                multi_region=f["multi_region"],
                organization=f["organization"],
                is_logging=f["is_logging"],
                management_events=f["management_events"],
            )
            for f in facts
        ),
        complete_trails=tuple(str(n) for n in complete),
    )
    evidence = tuple(Evidence("cloudtrail:DescribeTrails", f["where"]) for f in facts)
    if complete:
        return LoggingState(
            key,
            "aws",
            LoggingStatus.ENABLED.value,
            f"multi-region trail {complete[0]} logs read and write management events",
            evidence,
            facts=typed,
        )
    if not facts:
        return LoggingState(
            key, "aws", LoggingStatus.DISABLED.value, "no CloudTrail trail exists", evidence, facts=typed
        )
    if unknown:
        names = ", ".join(map(str, unknown))
        coverage.append(
            CoverageEntry(
                "aws",
                key,
                "cloudtrail:GetTrailStatus/GetEventSelectors",
                CoverageStatus.NOT_FOUND.value,
                f"logging status or event selectors unknown for multi-region trail(s) {names}: "
                "include get-trail-status and get-event-selectors output for them",
            )
        )
        return LoggingState(
            key,
            "aws",
            LoggingStatus.UNKNOWN.value,
            f"status or event selectors unknown for trail(s): {names}",
            evidence,
            facts=typed,
        )
    if logging_any:
        return LoggingState(
            key,
            "aws",
            LoggingStatus.PARTIAL.value,
            "no trail is multi-region, logging and recording all management events "
            f"(logging: {', '.join(map(str, logging_any))})",
            evidence,
            facts=typed,
        )
    if not any(f["multi_region"] for f in facts):
        return LoggingState(
            key,
            "aws",
            LoggingStatus.PARTIAL.value,
            f"no multi-region trail (single-region: {', '.join(str(f['name']) for f in facts)})",
            evidence,
            facts=typed,
        )
    return LoggingState(
        key,
        "aws",
        LoggingStatus.DISABLED.value,
        f"no trail is logging ({', '.join(str(f['name']) for f in facts)} stopped or without management events)",
        evidence,
        facts=typed,
    )
