"""AWS delegation edges: every edge kind with a negative twin (the permission exists but the
target side is missing; a Deny in another policy; a condition that cannot be met; a grant scoped to
other resources; a role that can only modify a user it cannot become). Identities are built with
the real policy and trust analysers, as the AWS provider builds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from nhiscan.analyse.graph import build_graph, graph_facts
from nhiscan.model import Identity, Inventory, Scope
from nhiscan.providers.aws.build import trust_facts
from nhiscan.providers.aws.facts import AwsIdentityFacts
from nhiscan.providers.aws.iam.policy import PolicyDoc, summarise
from nhiscan.providers.aws.iam.trust import analyse_trust

ACCT = "111122223333"
OTHER = "999988887777"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def arn(kind: str, name: str, acct: str = ACCT) -> str:
    return f"arn:aws:iam::{acct}:{kind}/{name}"


def allow(actions: str | Sequence[str], resources: str | Sequence[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def deny(actions: str | Sequence[str], resources: str | Sequence[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": actions, "Resource": resources, **extra}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _policies(owner: str, docs: Sequence[dict[str, Any]], managed: Sequence[str] = ()) -> list[PolicyDoc]:
    out = [PolicyDoc(f"inline:{owner}:p{i}", "inline_policy", d) for i, d in enumerate(docs)]
    out += [PolicyDoc(m, "managed_policy", _MANAGED[m]) for m in managed]
    return out


_MANAGED: dict[str, dict[str, Any]] = {}


def managed(name: str, document: dict[str, Any], acct: str = ACCT) -> str:
    policy_arn = f"arn:aws:iam::{acct}:policy/{name}"
    _MANAGED[policy_arn] = document
    return policy_arn


def trust_doc(*principals: dict[str, Any], conditions: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {}}
    for p in principals:
        for k, v in p.items():
            st["Principal"].setdefault(k, []).extend(v if isinstance(v, list) else [v])
    if conditions:
        st["Condition"] = conditions
    return {"Version": "2012-10-17", "Statement": [st]}


def role(
    name: str,
    policies: Sequence[dict[str, Any]] = (),
    trust: dict[str, Any] | None = None,
    *,
    acct: str = ACCT,
    profiles: Sequence[str] = (),
    managed_arns: Sequence[str] = (),
    boundary: dict[str, Any] | None = None,
) -> Identity:
    a = arn("role", name, acct)
    b = PolicyDoc(f"arn:aws:iam::{acct}:policy/boundary-{name}", "boundary", boundary) if boundary else None
    perms = summarise(_policies(a, policies, managed_arns), b, principal_arn=a)
    t = analyse_trust(trust or trust_doc({"Service": "lambda.amazonaws.com"}), acct)
    return Identity(
        id=a,
        provider="aws",
        kind="aws.iam_role",
        scope=f"aws:account:{acct}",
        name=name,
        aliases=(f"AROA{name.upper()}",),
        facts=AwsIdentityFacts(account=acct, instance_profiles=tuple(profiles), trust=trust_facts(t)),
        permissions=perms,
    )


def user(
    name: str,
    policies: Sequence[dict[str, Any]] = (),
    *,
    acct: str = ACCT,
    password: bool = False,
    keys: int = 0,
    groups: dict[str, Sequence[dict[str, Any]]] | None = None,
    managed_arns: Sequence[str] = (),
) -> Identity:
    a = arn("user", name, acct)
    docs = _policies(a, policies, managed_arns)
    for g, gdocs in (groups or {}).items():
        docs += [PolicyDoc(f"group:{g}:p{i}", "group_policy", d, via=g) for i, d in enumerate(gdocs)]
    perms = summarise(docs, None, principal_arn=a)
    return Identity(
        id=a,
        provider="aws",
        kind="aws.iam_user",
        scope=f"aws:account:{acct}",
        name=name,
        aliases=(f"AIDA{name.upper()}",),
        facts=AwsIdentityFacts(
            account=acct, groups=tuple(groups or {}), password_enabled=password, active_access_keys=keys
        ),
        permissions=perms,
    )


def inv(*identities: Identity) -> Inventory:
    accts = sorted({i.facts.account for i in identities})
    return Inventory(
        identities=identities,
        scopes=tuple(Scope("aws", "account", a) for a in accts),
        providers=("aws",),
    )


def edges(inventory: Inventory) -> set[tuple[str, str, str]]:
    g = build_graph(inventory)
    return {
        (g.names[s], g.names[d], k)
        for s, d, k, c in zip(g.src, g.dst, g.kind, g.conditional, strict=True)
        if not c
    }


def conditional_edges(inventory: Inventory) -> set[tuple[str, str, str]]:
    g = build_graph(inventory)
    return {
        (g.names[s], g.names[d], k)
        for s, d, k, c in zip(g.src, g.dst, g.kind, g.conditional, strict=True)
        if c
    }


def names(es: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    return {
        (s.rsplit("/", 1)[-1], d.rsplit("/", 1)[-1] if not d.startswith("admin:") else "ADMIN", k)
        for s, d, k in es
    }


ADMIN = role("admin", [ADMIN_DOC], trust_doc({"AWS": f"arn:aws:iam::{ACCT}:root"}))


# --------------------------------------------------------------------------- sts:AssumeRole


def test_assume_role_needs_identity_permission_and_trust() -> None:
    ci = role("ci", [doc(allow("sts:AssumeRole", arn("role", "admin")))])
    assert ("ci", "admin", "aws.assume_role") in names(edges(inv(ci, ADMIN)))
    facts = graph_facts(inv(ci, ADMIN))
    assert facts[ci.id]["can_reach_admin"] is True
    assert [h["dst"] for h in facts[ci.id]["path"]] == [ADMIN.id, f"admin:aws:account:{ACCT}"]
    assert facts[ci.id]["path"][0]["kind"] == "aws.assume_role"
    assert "sts:AssumeRole" in facts[ci.id]["path"][0]["evidence"]
    assert facts[ADMIN.id]["is_admin"] is True and facts[ADMIN.id]["can_reach_admin"] is False


def test_assume_role_twin_trust_does_not_admit() -> None:
    target = role("admin", [ADMIN_DOC], trust_doc({"AWS": arn("role", "someone-else")}))
    ci = role("ci", [doc(allow("sts:AssumeRole", "*"))])
    assert ("ci", "admin", "aws.assume_role") not in names(edges(inv(ci, target)))
    assert graph_facts(inv(ci, target))[ci.id]["can_reach_admin"] is False


def test_assume_role_twin_no_identity_permission_for_account_trust() -> None:
    ci = role("ci", [doc(allow("s3:GetObject"))])
    assert not any(k == "aws.assume_role" for _, _, k in edges(inv(ci, ADMIN)))


def test_assume_role_twin_resource_scoped_elsewhere() -> None:
    ci = role("ci", [doc(allow("sts:AssumeRole", arn("role", "deploy-*")))])
    assert not any(k == "aws.assume_role" for _, _, k in edges(inv(ci, ADMIN)))


def test_assume_role_twin_deny_in_another_policy() -> None:
    ci = role("ci", [doc(allow("sts:AssumeRole")), doc(deny("sts:AssumeRole", arn("role", "admin")))])
    assert not any(k == "aws.assume_role" for _, _, k in edges(inv(ci, ADMIN)))


def test_trust_naming_the_principal_needs_no_identity_permission_but_deny_still_wins() -> None:
    target = role("admin", [ADMIN_DOC], trust_doc({"AWS": arn("role", "ci")}))
    ci = role("ci", [])
    assert ("ci", "admin", "aws.assume_role") in names(edges(inv(ci, target)))
    denied = role("ci", [doc(deny("sts:*"))])
    assert not any(k == "aws.assume_role" for _, _, k in edges(inv(denied, target)))


def test_trust_by_unique_id_and_assumed_role_arn() -> None:
    ci = role("ci", [])
    by_id = role("a1", [], trust_doc({"AWS": "AROACI"}))
    by_session = role("a2", [], trust_doc({"AWS": f"arn:aws:sts::{ACCT}:assumed-role/ci/session"}))
    got = names(edges(inv(ci, by_id, by_session)))
    assert {("ci", "a1", "aws.assume_role"), ("ci", "a2", "aws.assume_role")} <= got


def test_assume_role_twin_boundary_blocks() -> None:
    ci = role("ci", [doc(allow("sts:AssumeRole"))], boundary=doc(allow("s3:*")))
    assert not any(k == "aws.assume_role" for _, _, k in edges(inv(ci, ADMIN)))


def test_conditional_assume_is_kept_apart() -> None:
    ci = role(
        "ci",
        [doc(allow("sts:AssumeRole", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))],
    )
    i = inv(ci, ADMIN)
    assert not any(k == "aws.assume_role" for _, _, k in edges(i))
    assert ("ci", "admin", "aws.assume_role") in names(conditional_edges(i))
    facts = graph_facts(i)[ci.id]
    assert facts["can_reach_admin"] is False
    assert facts["can_reach_admin_conditional"] is True
    assert facts["conditional_path"][0]["kind"] == "aws.assume_role"


def test_wildcard_trust_pinned_to_another_account_admits_nobody_here() -> None:
    target = role(
        "admin",
        [ADMIN_DOC],
        trust_doc({"AWS": "*"}, conditions={"StringEquals": {"aws:PrincipalAccount": OTHER}}),
    )
    ci = role("ci", [doc(allow("sts:AssumeRole"))])
    i = inv(ci, target)
    assert not any(k == "aws.assume_role" for _, _, k in edges(i) | conditional_edges(i))


def test_cross_account_assume_needs_identity_permission() -> None:
    target = role("admin", [ADMIN_DOC], trust_doc({"AWS": arn("role", "ci", OTHER)}))
    ci_no = role("ci", [], acct=OTHER)
    ci_yes = role("ci", [doc(allow("sts:AssumeRole", target.id))], acct=OTHER)
    assert not any(k == "aws.assume_role" for _, _, k in edges(inv(ci_no, target)))
    assert ("ci", "admin", "aws.assume_role") in names(edges(inv(ci_yes, target)))


# --------------------------------------------------------------------------- iam:PassRole


def _svc_role(name: str, service: str, **kw: Any) -> Identity:
    return role(name, [ADMIN_DOC], trust_doc({"Service": service}), **kw)


@pytest.mark.parametrize(
    ("service", "actions"),
    [
        ("lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:InvokeFunction"]),
        ("glue.amazonaws.com", ["glue:CreateDevEndpoint"]),
        ("cloudformation.amazonaws.com", ["cloudformation:CreateStack"]),
        ("codebuild.amazonaws.com", ["codebuild:CreateProject", "codebuild:StartBuild"]),
        ("sagemaker.amazonaws.com", ["sagemaker:CreateTrainingJob"]),
        ("ecs-tasks.amazonaws.com", ["ecs:RegisterTaskDefinition", "ecs:RunTask"]),
        ("datapipeline.amazonaws.com", ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"]),
    ],
)
def test_pass_role_to_each_service(service: str, actions: list[str]) -> None:
    target = _svc_role("svc", service)
    dev = user("dev", [doc(allow("iam:PassRole", target.id), allow(actions))])
    kind = f"aws.pass_role:{service.split('.')[0]}"
    assert ("dev", "svc", kind) in names(edges(inv(dev, target)))
    # twin: the service cannot be started (one action short)
    short = user("dev", [doc(allow("iam:PassRole", target.id), allow(actions[:-1] or ["s3:GetObject"]))])
    assert not any(k.startswith("aws.pass_role") for _, _, k in edges(inv(short, target)))
    # twin: the role does not trust that service
    other = _svc_role("svc", "states.amazonaws.com")
    assert not any(k.startswith("aws.pass_role") for _, _, k in edges(inv(dev, other)))


def test_pass_role_ec2_needs_an_instance_profile() -> None:
    with_profile = _svc_role("web", "ec2.amazonaws.com", profiles=["web"])
    without = _svc_role("bare", "ec2.amazonaws.com")
    dev = user("dev", [doc(allow(["iam:PassRole", "ec2:RunInstances"]))])
    got = names(edges(inv(dev, with_profile, without)))
    assert ("dev", "web", "aws.pass_role:ec2") in got
    assert ("dev", "bare", "aws.pass_role:ec2") not in got
    maker = user(
        "dev",
        [
            doc(
                allow(
                    [
                        "iam:PassRole",
                        "ec2:RunInstances",
                        "iam:CreateInstanceProfile",
                        "iam:AddRoleToInstanceProfile",
                    ]
                )
            )
        ],
    )
    assert ("dev", "bare", "aws.pass_role:ec2") in names(edges(inv(maker, without)))


def test_pass_role_twin_resource_scoped_to_other_roles() -> None:
    target = _svc_role("svc", "lambda.amazonaws.com")
    dev = user("dev", [doc(allow("iam:PassRole", arn("role", "lambda-app-*")), allow("lambda:*"))])
    assert not any(k.startswith("aws.pass_role") for _, _, k in edges(inv(dev, target)))


def test_pass_role_split_across_two_policies_is_combined() -> None:
    target = _svc_role("svc", "lambda.amazonaws.com")
    dev = user(
        "dev",
        [
            doc(allow("iam:PassRole")),
            doc(allow("lambda:CreateFunction")),
            doc(allow("lambda:InvokeFunction")),
        ],
    )
    assert ("dev", "svc", "aws.pass_role:lambda") in names(edges(inv(dev, target)))


def test_pass_role_twin_deny_in_another_policy() -> None:
    target = _svc_role("svc", "lambda.amazonaws.com")
    dev = user("dev", [doc(allow(["iam:PassRole", "lambda:*"])), doc(deny("lambda:CreateFunction"))])
    assert not any(k.startswith("aws.pass_role") for _, _, k in edges(inv(dev, target)))


# --------------------------------------------------------------------------- SSM


def test_ssm_to_instance_role() -> None:
    agent = doc(allow("ssm:UpdateInstanceInformation"))
    target = role("web", [agent, ADMIN_DOC], trust_doc({"Service": "ec2.amazonaws.com"}), profiles=["web"])
    ops = user("ops", [doc(allow("ssm:SendCommand"))])
    assert ("ops", "web", "aws.ssm") in names(edges(inv(ops, target)))
    # twin: the role is on no instance profile
    bare = role("web", [agent], trust_doc({"Service": "ec2.amazonaws.com"}))
    assert not any(k == "aws.ssm" for _, _, k in edges(inv(ops, bare)))


# --------------------------------------------------------------------------- users


def test_create_access_key_on_user_with_free_slot() -> None:
    target = user("deploy", [ADMIN_DOC], keys=1)
    r = role("ops", [doc(allow("iam:CreateAccessKey", arn("user", "*")))])
    assert ("ops", "deploy", "aws.create_access_key") in names(edges(inv(r, target)))
    full = user("deploy", [ADMIN_DOC], keys=2)
    assert not any(k == "aws.create_access_key" for _, _, k in edges(inv(r, full)))


def test_login_profile_create_or_update_depends_on_password() -> None:
    nopw = user("a", [], password=False)
    pw = user("b", [], password=True)
    creator = role("c", [doc(allow("iam:CreateLoginProfile"))])
    updater = role("u", [doc(allow("iam:UpdateLoginProfile"))])
    got = names(edges(inv(nopw, pw, creator, updater)))
    assert ("c", "a", "aws.create_login_profile") in got
    assert ("c", "b", "aws.create_login_profile") not in got
    assert ("u", "b", "aws.update_login_profile") in got
    assert ("u", "a", "aws.update_login_profile") not in got


def test_role_can_empower_user_only_if_it_can_become_it() -> None:
    target = user("svc", [], keys=2, password=True)
    only_modify = role("r", [doc(allow("iam:PutUserPolicy", target.id))])
    facts = graph_facts(inv(only_modify, target))
    assert facts[only_modify.id]["can_reach_admin"] is False
    both = role("r", [doc(allow(["iam:PutUserPolicy", "iam:UpdateLoginProfile"], target.id))])
    facts = graph_facts(inv(both, target))
    assert facts[both.id]["can_reach_admin"] is True
    kinds = [h["kind"] for h in facts[both.id]["path"]]
    assert kinds == ["aws.empower_then_act_as"]
    assert "iam:PutUserPolicy" in facts[both.id]["path"][0]["evidence"]


def test_attach_role_policy_plus_assume() -> None:
    target = role("t", [], trust_doc({"AWS": f"arn:aws:iam::{ACCT}:root"}))
    attacker = user("a", [doc(allow("iam:AttachRolePolicy", target.id), allow("sts:AssumeRole", target.id))])
    facts = graph_facts(inv(attacker, target))
    assert facts[attacker.id]["can_reach_admin"] is True
    twin = user("a", [doc(allow("iam:AttachRolePolicy", target.id))])
    assert graph_facts(inv(twin, target))[twin.id]["can_reach_admin"] is False


def test_update_assume_role_policy() -> None:
    target = role("t", [ADMIN_DOC], trust_doc({"Service": "ec2.amazonaws.com"}))
    attacker = user("a", [doc(allow("iam:UpdateAssumeRolePolicy", target.id))])
    assert ("a", "t", "aws.update_assume_role_policy") in names(edges(inv(attacker, target)))
    scoped = user("a", [doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "other")))])
    assert not any(k == "aws.update_assume_role_policy" for _, _, k in edges(inv(scoped, target)))


# --------------------------------------------------------------------------- self-escalation


@pytest.mark.parametrize(
    "statement",
    [
        allow("iam:PutRolePolicy", arn("role", "me")),
        allow("iam:AttachRolePolicy", arn("role", "*")),
    ],
)
def test_role_self_escalation(statement: dict[str, Any]) -> None:
    me = role("me", [doc(statement)])
    facts = graph_facts(inv(me))[me.id]
    assert facts["is_admin"] is False and facts["can_reach_admin"] is True
    assert facts["path"][0]["kind"] == "aws.self_escalation"
    assert facts["path"][0]["dst"] == f"admin:aws:account:{ACCT}"


def test_self_escalation_twin_scoped_to_another_role() -> None:
    me = role("me", [doc(allow("iam:PutRolePolicy", arn("role", "other")))])
    assert graph_facts(inv(me))[me.id]["can_reach_admin"] is False


def test_create_policy_version_on_own_policy() -> None:
    pol = managed("app-policy", doc(allow("s3:GetObject")))
    me = user("me", [doc(allow("iam:CreatePolicyVersion", pol))], managed_arns=[pol])
    assert graph_facts(inv(me))[me.id]["path"][0]["kind"] == "aws.self_escalation"
    other = managed("other-policy", doc(allow("s3:GetObject")))
    twin = user("me", [doc(allow("iam:CreatePolicyVersion", other))], managed_arns=[pol])
    assert graph_facts(inv(twin))[twin.id]["can_reach_admin"] is False


def test_set_default_policy_version_is_conditional() -> None:
    pol = managed("app-policy2", doc(allow("s3:GetObject")))
    me = user("me", [doc(allow("iam:SetDefaultPolicyVersion", pol))], managed_arns=[pol])
    facts = graph_facts(inv(me))[me.id]
    assert facts["can_reach_admin"] is False and facts["can_reach_admin_conditional"] is True


def test_group_policy_and_add_user_to_admin_group() -> None:
    me = user(
        "me", [doc(allow("iam:PutGroupPolicy", arn("group", "devs")))], groups={"devs": [doc(allow("s3:*"))]}
    )
    assert graph_facts(inv(me))[me.id]["can_reach_admin"] is True
    boss = user("boss", [], groups={"admins": [ADMIN_DOC]})
    joiner = user("j", [doc(allow("iam:AddUserToGroup", arn("group", "admins")))])
    facts = graph_facts(inv(boss, joiner))
    assert facts[joiner.id]["can_reach_admin"] is True
    assert "iam:AddUserToGroup" in facts[joiner.id]["path"][0]["evidence"]
    twin = user("j", [doc(allow("iam:AddUserToGroup", arn("group", "readers")))])
    assert graph_facts(inv(boss, twin))[twin.id]["can_reach_admin"] is False


def test_escalation_split_across_two_policies_is_found() -> None:
    target = role("t", [ADMIN_DOC], trust_doc({"Service": "lambda.amazonaws.com"}))
    split = user(
        "dev",
        [
            doc(allow("iam:PassRole", target.id)),
            doc(allow(["lambda:CreateFunction", "lambda:InvokeFunction"])),
        ],
    )
    assert graph_facts(inv(split, target))[split.id]["can_reach_admin"] is True


# --------------------------------------------------------------------------- chains, cycles, outside


def test_chain_depth_counts_and_cycle() -> None:
    # a -> b -> c -> admin, and b <-> d
    c = role("c", [doc(allow("sts:AssumeRole", ADMIN.id))], trust_doc({"AWS": arn("role", "b")}))
    b = role("b", [], trust_doc({"AWS": [arn("role", "a"), arn("role", "d")]}))
    d = role("d", [], trust_doc({"AWS": arn("role", "b")}))
    a = role("a", [])
    facts = graph_facts(inv(a, b, c, d, ADMIN))
    assert facts[a.id]["path_length"] == 4
    assert [h["dst"].rsplit("/", 1)[-1] for h in facts[a.id]["path"]] == [
        "b",
        "c",
        "admin",
        f"admin:aws:account:{ACCT}",
    ]
    assert facts[a.id]["reachable_count"] == 4  # b, c, d, admin role
    assert facts[ADMIN.id]["reached_by_count"] == 4
    assert facts[b.id]["in_cycle"] and facts[d.id]["in_cycle"] and not facts[a.id]["in_cycle"]
    assert facts[b.id]["cycle"] == sorted([b.id, d.id])
    assert facts[a.id]["delegation_depth"] >= 3


def test_external_trust_reaches_admin() -> None:
    ext = role(
        "vendor", [doc(allow("sts:AssumeRole", ADMIN.id))], trust_doc({"AWS": f"arn:aws:iam::{OTHER}:root"})
    )
    facts = graph_facts(inv(ext, ADMIN))
    assert facts[ext.id]["external_trust"][0]["value"] == OTHER
    assert facts[ext.id]["reachable_from_external"] is True
    assert facts[ADMIN.id]["reachable_from_external"] is True
    assert facts[ADMIN.id]["external_sources"] == [ext.id]
    inside = role(
        "vendor", [doc(allow("sts:AssumeRole", ADMIN.id))], trust_doc({"AWS": f"arn:aws:iam::{ACCT}:root"})
    )
    assert graph_facts(inv(inside, ADMIN))[inside.id]["reachable_from_external"] is False


def test_empty_inventory() -> None:
    assert graph_facts(Inventory()) == {}


def test_identical_policies_share_a_hub_and_paths_hide_it() -> None:
    shared = managed("assume-any", doc(allow("sts:AssumeRole")))
    twins = [role(f"worker-{i}", managed_arns=[shared]) for i in range(3)]
    g = build_graph(inv(*twins, ADMIN))
    hubs = [n for n, t in zip(g.names, g.node_type, strict=True) if t == "hub"]
    assert len(hubs) == 1
    assert g.kind.count("aws.shared_policies") == 3
    assert g.kind.count("aws.assume_role") == 1  # hub -> admin, once for the three
    facts = graph_facts(inv(*twins, ADMIN))
    for t in twins:
        assert facts[t.id]["path"][0]["src"] == t.id
        assert [h["kind"] for h in facts[t.id]["path"]] == ["aws.assume_role", "admin"]
        assert facts[t.id]["reachable_count"] == 1  # the admin role; the twins trust only Lambda
        assert facts[t.id]["in_cycle"] is False


def test_numpy_and_int_reach_counts_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    import nhiscan.analyse.graph as graph_mod

    c = role("c", [doc(allow("sts:AssumeRole", ADMIN.id))], trust_doc({"AWS": arn("role", "b")}))
    b = role("b", [], trust_doc({"AWS": [arn("role", "a"), arn("role", "d")]}))
    d = role("d", [], trust_doc({"AWS": arn("role", "b")}))
    a = role("a", [])
    estate = inv(a, b, c, d, ADMIN)
    small = graph_facts(estate)
    monkeypatch.setattr(graph_mod, "_NUMPY_FROM", 0)
    big = graph_facts(estate)
    assert small == big


def test_permissions_boundary_caps_self_escalation() -> None:
    boundary = doc(allow(["iam:PutRolePolicy", "s3:*"]))
    capped = role("me", [doc(allow("iam:PutRolePolicy", arn("role", "me")))], boundary=boundary)
    assert graph_facts(inv(capped))[capped.id]["can_reach_admin"] is False
    lifter = role(
        "me",
        [doc(allow(["iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"], arn("role", "me")))],
        boundary=doc(allow(["iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"])),
    )
    facts = graph_facts(inv(lifter))[lifter.id]
    assert facts["can_reach_admin"] is True
    assert "permissions boundary" in facts["path"][0]["evidence"]
    open_boundary = role("me", [doc(allow("iam:PutRolePolicy", arn("role", "me")))], boundary=ADMIN_DOC)
    assert graph_facts(inv(open_boundary))[open_boundary.id]["can_reach_admin"] is True
