"""AWS delegation edges derived from the inventory: who can act as whom inside (and across) the
accounts that were read.

Input is what the AWS provider stores on each identity: ``permissions.grants`` (one
:class:`~nhiscan.model.Grant` per policy statement, boundary statements with kind ``boundary``,
``NotResource`` as ``!``-prefixed resources) and the typed facts
(:class:`~nhiscan.providers.aws.facts.AwsIdentityFacts`): ``trust`` (see
:mod:`nhiscan.providers.aws.iam.trust`), ``instance_profiles``, ``password_enabled``,
``active_access_keys`` and ``groups``. Policy documents themselves are not in the inventory, so a
statement's ``Condition`` is only known to exist (``Grant.conditional``); an edge that depends on
one is emitted with ``Edge.conditional = True`` and the graph keeps it out of the
definite facts.

Every edge needs both sides (the prior-art lesson, ``shared/reference/delegation.md`` §8):

``aws.assume_role``
    The role's trust policy admits the source (its ARN or unique id, an ``assumed-role`` ARN of
    it, its account root, or ``*``) *and*, unless the trust names the source itself in the same
    account, the source's combined policies allow ``sts:AssumeRole`` on the role's ARN; an
    explicit Deny in any of the source's policies (or its boundary not allowing it) removes it.
    A ``*`` principal narrowed by an organisation or account condition is conditional; one that
    names only other accounts admits nobody here.
``aws.pass_role:<service>``
    The role trusts the service principal, the source may ``iam:PassRole`` it (on its ARN) and may
    start that service (EC2 RunInstances with an existing instance profile or the rights to make
    one; Lambda CreateFunction + Invoke or an event source mapping; Glue; CloudFormation; CodeBuild;
    SageMaker; ECS; Data Pipeline).
``aws.ssm``
    ``ssm:SendCommand`` / ``ssm:StartSession`` and the role is on an instance profile, trusts EC2
    and can register with SSM.
``aws.create_access_key`` / ``aws.create_login_profile`` / ``aws.update_login_profile``
    The source can authenticate as the user afterwards: a new key only while the user holds fewer
    than two, a new console password only when it has none, a reset only when it has one.
``aws.update_assume_role_policy``
    The source can rewrite the role's trust policy to admit itself (not service-linked roles).

Self-escalation (the source can give *itself* more power: Put/Attach policy on itself or on one
of its groups, CreatePolicyVersion / SetDefaultPolicyVersion on a customer-managed policy attached
to it, AddUserToGroup into a group that grants ``*``) is an edge to its account's admin sink with
the method as evidence. Empowering *another* identity is returned separately
(:meth:`AwsEdges.empower`): it only becomes a path when the source can then act as that identity,
which the graph checks against reachability.

Principals of one account with exactly the same policies answer every question the same way, so
their edges are derived once and leave from a shared hub node (``aws-policies:<first member>+N``,
kind ``aws.shared_policies`` from each member): 500 roles allowed to assume any of 2,000 roles
cost 2,500 edges instead of a million. Paths shown to people skip the hub. Administrators get
only their sink edge: nothing is derived out of them.

A permissions boundary that does not itself allow everything caps Put/Attach/CreatePolicyVersion
escalation, unless the source may also delete or replace that boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from nhiscan.facts import ManagedBy
from nhiscan.model import Edge, Evidence, Grant, Identity, aliases_of
from nhiscan.providers.aws.facts import AwsEdgeFacts, AwsIdentityFacts, TrustFacts
from nhiscan.providers.aws.iam.actions import PASS_ROLE_SERVICES
from nhiscan.providers.aws.iam.policy import GrantEvaluator, statement_of_grant
from nhiscan.providers.interface import Delegation

ROLE: Final = "aws.iam_role"
HUB_PREFIX: Final = "aws-policies:"
USER: Final = "aws.iam_user"
_ARN_ACCOUNT: Final = re.compile(r"^arn:aws[a-zA-Z-]*:(?:iam|sts)::(\d{12}):")
_ACCOUNT: Final = re.compile(r"^\d{12}$")
_ASSUMED: Final = re.compile(r"^arn:(aws[a-zA-Z-]*):sts::(\d{12}):assumed-role/([^/]+)(?:/.*)?$")
_UNIVERSAL_PROBES: Final = (
    "arn:aws:iam::123456789012:user/nhiscan-probe",
    "arn:aws:s3:::nhiscan-probe/key",
    "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
)
_ALL_ACTIONS: Final = re.compile(r"\*+(:\*+)?")
_NO_FACTS: Final = AwsIdentityFacts()
_NO_TRUST: Final = TrustFacts()
_DERIVED: Final = AwsEdgeFacts(derived=True)

_EC2_NEW_PROFILE: Final = ("iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile")
_SSM_SOURCE: Final = ("ssm:SendCommand", "ssm:StartSession")
_SSM_AGENT: Final = ("ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel")


# --------------------------------------------------------------------------- grant evaluation


@dataclass(frozen=True, slots=True)
class Verdict:
    """``allowed`` (maybe only under a Condition: ``conditional``), with the deciding sources."""

    allowed: bool
    conditional: bool = False
    sources: tuple[str, ...] = ()

    @property
    def definite(self) -> bool:
        return self.allowed and not self.conditional


DENIED: Final = Verdict(False)


class GrantSet:
    """The combined policies of one principal, as the one AWS policy evaluator
    (:class:`~nhiscan.providers.aws.iam.policy.GrantEvaluator`) sees them, with its answers
    memoised: principals with the same grants share one set, and the graph asks the same
    questions many times."""

    __slots__ = ("_evaluator", "_decided", "may_modify")

    def __init__(self, grants: Iterable[Grant], username: str | None = None) -> None:
        self._evaluator = GrantEvaluator(grants, username)
        self._decided: dict[tuple[str, str | None], Verdict] = {}
        self.may_modify: bool | None = None  # memo for AwsEdges.may_empower

    def decide(self, action: str, resource: str | None) -> Verdict:
        """``resource=None`` asks "on at least one resource"."""
        key = (action, resource)
        found = self._decided.get(key)
        if found is None:
            d = self._evaluator.evaluate(action, resource or "*", on_some_resource=resource is None)
            found = Verdict(True, d.conditional, d.allowed_by) if d.allowed else DENIED
            self._decided[key] = found
        return found

    def explicitly_denied(self, action: str, resource: str) -> bool:
        return self._evaluator.explicitly_denied(action, resource)

    def all_of(self, actions: Sequence[str], resource: str | None = None) -> Verdict:
        sources: list[str] = []
        conditional = False
        for a in actions:
            v = self.decide(a, resource)
            if not v.allowed:
                return DENIED
            conditional = conditional or v.conditional
            sources.extend(v.sources)
        return Verdict(True, conditional, tuple(dict.fromkeys(sources)))

    def any_of(self, alternatives: Iterable[Sequence[str]], resource: str | None = None) -> Verdict:
        best = DENIED
        for alt in alternatives:
            v = self.all_of(alt, resource)
            if v.definite:
                return v
            if v.allowed and not best.allowed:
                best = v
        return best


# --------------------------------------------------------------------------- helpers


def account_of(arn: str) -> str | None:
    m = _ARN_ACCOUNT.match(arn)
    return m.group(1) if m else None


def _policy_arn(source: str) -> str:
    return source.split("#", 1)[0]


def _customer_policies(ident: Identity) -> list[str]:
    """Customer-managed policies attached to the identity (directly or through a group)."""
    out: dict[str, None] = {}
    for g in ident.permissions.grants:
        arn = _policy_arn(g.source)
        if g.kind != "boundary" and arn.startswith("arn:") and ":policy/" in arn and account_of_policy(arn):
            out.setdefault(arn, None)
    return list(out)


def account_of_policy(arn: str) -> str | None:
    m = re.match(r"^arn:aws[a-zA-Z-]*:iam::(\d{12}):policy/", arn)
    return m.group(1) if m else None


def _group_arn(account: str, group: str) -> str:
    return group if group.startswith("arn:") else f"arn:aws:iam::{account}:group/{group}"


def _ev(source: str, detail: str) -> tuple[Evidence, ...]:
    return (Evidence(source=source, detail=detail),)


def _srcs(v: Verdict) -> str:
    return ", ".join(v.sources[:4]) + (" ..." if len(v.sources) > 4 else "")


def _edge(src: str, dst: str, kind: str, detail: str, v: Verdict, extra: str = "") -> Edge:
    conditional = v.conditional
    text = f"{detail} ({_srcs(v)})" if v.sources else detail
    if extra:
        text += f"; {extra}"
    return Edge(
        src=src,
        dst=dst,
        kind=kind,
        evidence=_ev("policy", text),
        conditional=conditional,
        facts=_DERIVED,
    )


# --------------------------------------------------------------------------- derivation


class AwsEdges(Delegation):
    """Derives AWS edges for one inventory. ``sink_of(identity)`` names the admin sink of an
    identity's scope; ``accounts`` are the AWS accounts in the inventory (others are outside)."""

    hub_prefix: ClassVar[str | None] = HUB_PREFIX
    empower_kind: ClassVar[str] = "aws.empower_then_act_as"

    def __init__(
        self, identities: Sequence[Identity], sink_of: Any, key_slots: Mapping[str, int] | None = None
    ) -> None:
        self.key_slots = dict(key_slots or {})
        self.identities = [i for i in identities if i.provider == "aws"]
        self.by_id = {i.id: i for i in self.identities}
        self.sink_of = sink_of
        self.accounts = {a for i in self.identities if (a := _acct(i))}
        self._sets: dict[Any, GrantSet] = {}
        self._by_ident: dict[str, GrantSet] = {}
        self.roles = [i for i in self.identities if i.kind == ROLE]
        self.users = [i for i in self.identities if i.kind == USER]
        # Administrators reach their sink directly; edges out of them would only restate that
        # they can become anyone (PMapper's implicit admin edges), so none are derived.
        self.principals = [
            i for i in self.identities if i.kind in (ROLE, USER) and "admin" not in i.permissions.classes
        ]
        self.sources = {i.id for i in self.principals}
        self.role_by_name: dict[tuple[str, str], Identity] = {}
        for r in self.roles:
            acct = _acct(r)
            if acct:
                self.role_by_name[(acct, r.name)] = r
        self.alias: dict[str, Identity] = {}
        for i in self.identities:
            self.alias[i.id] = i
            for a in aliases_of(i):
                self.alias.setdefault(a, i)
        self.group_admin: dict[str, list[str]] = self._admin_groups()
        # Principals with the same policies (and account) decide every question the same way:
        # their edges go through one hub node ("aws-policies:..."), so a policy that lets 500
        # roles assume any of 2,000 roles costs 2,500 edges, not 1,000,000.
        self._members: dict[tuple[int, str], list[Identity]] = {}
        for p in self.principals:
            self._members.setdefault(self._key(p), []).append(p)
        self._hubs: dict[tuple[int, str], str] = {}
        self._hub_edges: list[Edge] = []

    def _key(self, ident: Identity) -> tuple[int, str]:
        return (id(self.grants(ident)), _acct(ident) or "")

    def _reps(self, sources: Iterable[Identity]) -> list[Identity]:
        """One principal per group of identical policies among ``sources``."""
        out: dict[tuple[int, str], Identity] = {}
        for s in sources:
            out.setdefault(self._key(s), s)
        return list(out.values())

    def _is_self(self, rep: Identity, target: str) -> bool:
        return rep.id == target and len(self._members.get(self._key(rep), ())) <= 1

    def _node(self, rep: Identity) -> str:
        """The graph node that stands for ``rep``'s group: itself, or the group's hub."""
        key = self._key(rep)
        members = self._members.get(key, [rep])
        if len(members) == 1:
            return rep.id
        hub = self._hubs.get(key)
        if hub is None:
            hub = f"{HUB_PREFIX}{rep.id}+{len(members) - 1}"
            self._hubs[key] = hub
            self._hub_edges.extend(
                Edge(
                    src=m.id,
                    dst=hub,
                    kind="aws.shared_policies",
                    evidence=_ev("policy", f"has the same policies as {len(members) - 1} other principal(s)"),
                    facts=_DERIVED,
                )
                for m in members
            )
        return hub

    # -- grant sets, shared by identities with the same policies

    def grants(self, ident: Identity) -> GrantSet:
        found = self._by_ident.get(ident.id)
        if found is not None:
            return found
        grants = ident.permissions.grants
        uses_vars = any("${" in r for g in grants for r in g.resources)
        key = (grants, ident.name if uses_vars and ident.kind == USER else None)
        gs = self._sets.get(key)
        if gs is None:
            gs = GrantSet(grants, key[1])
            self._sets[key] = gs
        self._by_ident[ident.id] = gs
        return gs

    def _admin_groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for u in self.users:
            for g in u.permissions.grants:
                if not g.via or g.effect != "allow" or g.conditional:
                    continue
                if statement_of_grant(g).grants_all_actions:
                    out.setdefault(g.via, []).append(g.source)
        return out

    # -- edges

    def edges(self) -> list[Edge]:
        out: list[Edge] = []
        out += self._admin_and_self()
        out += self._assume_role()
        out += self._pass_role()
        out += self._ssm()
        out += self._user_takeover()
        out += self._update_trust()
        return self._hub_edges + out

    def _admin_and_self(self) -> list[Edge]:
        out: list[Edge] = []
        for i in self.identities:
            sink = self.sink_of(i)
            if i.kind == "aws.root_account":
                out.append(_admin_edge(i.id, sink, "the account root user"))
                continue
            if "admin" in i.permissions.classes:
                reasons = i.permissions.reasons.get("admin", ())
                out.append(_admin_edge(i.id, sink, "administrator: " + ", ".join(reasons[:3])))
                continue
            if i.kind not in (ROLE, USER):
                continue
            found = self._self_escalation(i)
            if found is not None:
                method, v = found
                out.append(_edge(i.id, sink, "aws.self_escalation", method, v))
        return out

    def _modify_methods(self, src: GrantSet, target: Identity) -> list[tuple[str, Verdict]]:
        """Ways ``src`` can add permissions to ``target``, definite ones first."""
        acct = _acct(target) or ""
        found: list[tuple[str, Verdict]] = []
        if target.kind == ROLE:
            found.extend(
                (f"{a} on {target.id}", src.decide(a, target.id))
                for a in ("iam:PutRolePolicy", "iam:AttachRolePolicy")
            )
        if target.kind == USER:
            found.extend(
                (f"{a} on {target.id}", src.decide(a, target.id))
                for a in ("iam:PutUserPolicy", "iam:AttachUserPolicy")
            )
            for group in _facts(target).groups:
                garn = _group_arn(acct, str(group))
                found.extend(
                    (f"{a} on its group {garn}", src.decide(a, garn))
                    for a in ("iam:PutGroupPolicy", "iam:AttachGroupPolicy")
                )
            for group, srcs in self.group_admin.items():
                if group in _facts(target).groups:
                    continue
                garn = _group_arn(acct, group)
                v = src.decide("iam:AddUserToGroup", garn)
                if v.allowed:
                    found.append((f"iam:AddUserToGroup into {garn}, which grants * ({srcs[0]})", v))
        for policy in _customer_policies(target):
            found.append(
                (
                    f"iam:CreatePolicyVersion on attached {policy}",
                    src.decide("iam:CreatePolicyVersion", policy),
                )
            )
            v = src.decide("iam:SetDefaultPolicyVersion", policy)
            if v.allowed:
                # only escalates if an older, broader version exists, which the inventory cannot show
                v = Verdict(True, True, v.sources)
            found.append((f"iam:SetDefaultPolicyVersion on attached {policy}", v))
        allowed = [(m, v) for m, v in found if v.allowed]
        if allowed and _capped(target):
            # New policies cannot lift the target above its permissions boundary, unless the
            # source can also remove (or replace) that boundary.
            kind = "Role" if target.kind == ROLE else "User"
            lift = src.any_of(
                [(f"iam:Delete{kind}PermissionsBoundary",), (f"iam:Put{kind}PermissionsBoundary",)], target.id
            )
            if not lift.allowed:
                return []
            allowed = [
                (
                    f"{m}, after removing its permissions boundary",
                    Verdict(True, v.conditional or lift.conditional, v.sources + lift.sources),
                )
                for m, v in allowed
            ]
        allowed.sort(key=lambda mv: not mv[1].definite)
        return allowed

    def _self_escalation(self, i: Identity) -> tuple[str, Verdict] | None:
        if not self.may_empower(i):
            return None
        methods = self._modify_methods(self.grants(i), i)
        return methods[0] if methods else None

    def empower(self, src: Identity, target: Identity) -> tuple[str, bool] | None:
        """How ``src`` can add permissions to ``target`` (another identity), and whether that
        is conditional; None when it cannot."""
        if src.provider != "aws" or target.provider != "aws" or target.kind not in (ROLE, USER):
            return None
        if target.managed_by == ManagedBy.PROVIDER.value:
            return None
        methods = self._modify_methods(self.grants(src), target)
        if not methods:
            return None
        method, verdict = methods[0]
        return method, verdict.conditional

    def may_empower(self, ident: Identity) -> bool:
        """Cheap pre-check: could this identity modify anyone's permissions at all?"""
        gs = self.grants(ident)
        if gs.may_modify is None:
            gs.may_modify = self._may_modify(gs)
        return gs.may_modify

    @staticmethod
    def _may_modify(gs: GrantSet) -> bool:
        return any(
            gs.decide(a, None).allowed
            for a in (
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "iam:PutUserPolicy",
                "iam:AttachUserPolicy",
                "iam:PutGroupPolicy",
                "iam:AttachGroupPolicy",
                "iam:AddUserToGroup",
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            )
        )

    def _assume_role(self) -> list[Edge]:
        out: list[Edge] = []
        assumers = self._reps(
            p for p in self.principals if self.grants(p).decide("sts:AssumeRole", None).allowed
        )
        by_account: dict[str, list[Identity]] = {}
        for p in assumers:
            by_account.setdefault(_acct(p) or "", []).append(p)
        for role in self.roles:
            trust = _trust(role)
            seen: dict[str, Edge] = {}
            candidates: list[tuple[Identity, bool, bool, str]] = []
            for tp in trust.principals:
                ptype, value, cond = tp.type, tp.value, tp.conditional
                if ptype not in ("AWS", "*"):
                    continue
                if value == "*":
                    if trust.any_principal and not cond:
                        candidates.extend((src, False, False, "*") for src in assumers)
                    else:
                        pinned = [a for a in trust.external_accounts if a in self.accounts]
                        allowed_accounts = set(pinned) or (
                            set() if trust.external_accounts else self.accounts
                        )
                        candidates.extend(
                            (src, False, True, "* under a condition")
                            for acct in sorted(allowed_accounts)
                            for src in by_account.get(acct, ())
                        )
                    continue
                if _ACCOUNT.fullmatch(value) or value.endswith(":root"):
                    acct = value if _ACCOUNT.fullmatch(value) else account_of(value) or ""
                    candidates.extend(
                        (src, False, cond, f"account {acct}") for src in by_account.get(acct, ())
                    )
                    continue
                m = _ASSUMED.match(value)
                target = self.role_by_name.get((m.group(2), m.group(3))) if m else self.alias.get(value)
                if target is not None and target.kind in (ROLE, USER):
                    candidates.append((target, True, cond, value))
            for src, named, cond, why in candidates:
                edge = self._assume_edge(role, src, named, cond, why)
                if edge is None:
                    continue
                prev = seen.get(edge.src)
                if prev is None or (prev.conditional and not edge.conditional):
                    seen[edge.src] = edge
            out.extend(seen.values())
        return out

    def _assume_edge(self, role: Identity, src: Identity, named: bool, cond: bool, why: str) -> Edge | None:
        if src.id not in self.sources:
            return None
        trust_note = "trust policy has Deny statements" if _trust(role).deny_statements else ""
        gs = self.grants(src)
        if named and (_acct(src) or "") == (_acct(role) or ""):
            # a same-account trust that names the principal needs no identity-policy Allow
            if src.id == role.id or gs.explicitly_denied("sts:AssumeRole", role.id):
                return None
            v = Verdict(True, False, ())
            node = src.id
        else:
            if self._is_self(src, role.id):
                return None
            v = gs.decide("sts:AssumeRole", role.id)
            if not v.allowed:
                return None
            node = self._node(src)
        conditional = v.conditional or cond or bool(trust_note)
        return _edge(
            node,
            role.id,
            "aws.assume_role",
            f"sts:AssumeRole; trust admits {why}",
            Verdict(True, conditional, v.sources),
            trust_note,
        )

    def _pass_role(self) -> list[Edge]:
        out: list[Edge] = []
        passers = self._reps(
            p for p in self.principals if self.grants(p).decide("iam:PassRole", None).allowed
        )
        if not passers:
            return out
        for role in self.roles:
            if role.managed_by == ManagedBy.PROVIDER.value:
                continue
            services = set(_trust(role).services)
            for service in sorted(services & set(PASS_ROLE_SERVICES)):
                for src in passers:
                    if self._is_self(src, role.id):
                        continue
                    gs = self.grants(src)
                    pv = gs.decide("iam:PassRole", role.id)
                    if not pv.allowed:
                        continue
                    alternatives = PASS_ROLE_SERVICES[service]
                    if service == "ec2.amazonaws.com" and not _facts(role).instance_profiles:
                        alternatives = tuple(a + _EC2_NEW_PROFILE for a in alternatives)
                    sv = gs.any_of(alternatives)
                    if not sv.allowed:
                        continue
                    v = Verdict(True, pv.conditional or sv.conditional, pv.sources + sv.sources)
                    short = service.split(".", 1)[0]
                    edge = _edge(
                        self._node(src),
                        role.id,
                        f"aws.pass_role:{short}",
                        f"iam:PassRole to {service} and start it",
                        v,
                    )
                    out.append(edge)
        return out

    def _ssm(self) -> list[Edge]:
        out: list[Edge] = []
        targets = []
        for role in self.roles:
            if not _facts(role).instance_profiles or "ec2.amazonaws.com" not in _trust(role).services:
                continue
            agent = self.grants(role).any_of([(a,) for a in _SSM_AGENT])
            if agent.allowed:
                targets.append(role)
        if not targets:
            return out
        for src in self._reps(self.principals):
            sv = self.grants(src).any_of([(a,) for a in _SSM_SOURCE])
            if not sv.allowed:
                continue
            out.extend(
                _edge(
                    self._node(src),
                    role.id,
                    "aws.ssm",
                    "ssm:SendCommand/StartSession on an instance running as it",
                    sv,
                )
                for role in targets
                if not self._is_self(src, role.id)
            )
        return out

    def _user_takeover(self) -> list[Edge]:
        out: list[Edge] = []
        actions = ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile")
        writers = self._reps(
            p for p in self.principals if any(self.grants(p).decide(a, None).allowed for a in actions)
        )
        for user in self.users:
            keys = max(_key_slots(user), self.key_slots.get(user.id, 0))
            has_password = _facts(user).password_enabled
            for src in writers:
                if self._is_self(src, user.id):
                    continue
                gs = self.grants(src)
                edge: Edge | None = None
                if keys < 2:
                    v = gs.decide("iam:CreateAccessKey", user.id)
                    if v.allowed:
                        edge = _edge(
                            src.id,
                            user.id,
                            "aws.create_access_key",
                            f"iam:CreateAccessKey (user has {keys} key(s))",
                            v,
                        )
                if edge is None:
                    action = "iam:UpdateLoginProfile" if has_password else "iam:CreateLoginProfile"
                    v = gs.decide(action, user.id)
                    if v.allowed:
                        kind = "aws.update_login_profile" if has_password else "aws.create_login_profile"
                        edge = _edge(self._node(src), user.id, kind, action, v)
                if edge is not None:
                    out.append(edge)
        return out

    def _update_trust(self) -> list[Edge]:
        out: list[Edge] = []
        writers = self._reps(
            p for p in self.principals if self.grants(p).decide("iam:UpdateAssumeRolePolicy", None).allowed
        )
        for role in self.roles:
            if role.managed_by == ManagedBy.PROVIDER.value:
                continue
            for src in writers:
                if self._is_self(src, role.id):
                    continue
                v = self.grants(src).decide("iam:UpdateAssumeRolePolicy", role.id)
                if v.allowed:
                    edge = _edge(
                        self._node(src),
                        role.id,
                        "aws.update_assume_role_policy",
                        "iam:UpdateAssumeRolePolicy, then sts:AssumeRole",
                        v,
                    )
                    out.append(edge)
        return out

    # -- outside the organisation

    def external_trust(self, role: Identity) -> list[dict[str, Any]]:
        """Principals outside the inventory's accounts that the role trusts."""
        if role.kind != ROLE:
            return []
        trust = _trust(role)
        out: list[dict[str, Any]] = []
        if trust.any_principal:
            out.append({"type": "any_principal", "value": "*"})
        for acct in trust.external_accounts:
            if acct not in self.accounts:
                no_id = acct in trust.external_accounts_without_external_id
                out.append({"type": "external_account", "value": acct, "external_id": not no_id})
        out.extend({"type": "federated_oidc", "value": o.provider, "issue": o.issue} for o in trust.oidc)
        return out


def _capped(ident: Identity) -> bool:
    """It has a permissions boundary that does not itself allow everything."""
    return not GrantEvaluator(
        g for g in ident.permissions.grants if g.kind == "boundary"
    ).boundary_allows_everything


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []


def _admin_edge(src: str, sink: str, detail: str) -> Edge:
    return Edge(
        src=src,
        dst=sink,
        kind="admin",
        evidence=_ev("permissions", detail),
    )


def _acct(i: Identity) -> str | None:
    a = _facts(i).account
    return a if a else account_of(i.id)


def _key_slots(user: Identity) -> int:
    return _facts(user).active_access_keys


def _facts(i: Identity) -> AwsIdentityFacts:
    """The identity's AWS facts; empty ones for an identity built without them (an old saved
    inventory, another provider's placeholder), so every question has a safe answer."""
    return i.facts if isinstance(i.facts, AwsIdentityFacts) else _NO_FACTS


def _trust(role: Identity) -> TrustFacts:
    return _facts(role).trust or _NO_TRUST
