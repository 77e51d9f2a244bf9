"""Kubernetes RBAC edges (each with a negative twin), provider edges resolved through aliases,
cross-provider chains (Kubernetes SA -> IAM role -> admin) and Azure / GCP edges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nhiscan.analyse.graph import build_graph, graph_facts
from nhiscan.model import Edge, Evidence, Grant, Identity, Inventory, PermissionSummary, Scope
from nhiscan.providers.k8s.facts import EscalationPrimitive, K8sIdentityFacts

CLUSTER = "prod"


def sa(
    ns: str,
    name: str,
    grants: Sequence[Grant] = (),
    primitives: Sequence[str] | None = None,
    classes: Sequence[str] = (),
    pods: int = 1,
) -> Identity:
    # no primitives given: the provider's verdict allows every primitive, so every grant counts
    facts = K8sIdentityFacts(
        cluster=CLUSTER,
        namespace=ns,
        pods=pods,
        escalation_primitives=tuple(EscalationPrimitive(p) for p in primitives)
        if primitives is not None
        else tuple(EscalationPrimitive),
    )
    return Identity(
        id=f"k8s://{CLUSTER}/ns/{ns}/serviceaccount/{name}",
        provider="k8s",
        kind="k8s.service_account",
        scope=f"k8s:namespace:{CLUSTER}/{ns}",
        name=f"{ns}/{name}",
        aliases=(f"system:serviceaccount:{ns}:{name}",),
        facts=facts,
        permissions=PermissionSummary(
            grants=tuple(grants),
            classes=tuple(classes),
            reasons=dict.fromkeys(classes, ("ClusterRoleBinding/x",)),
        ),
    )


def rule(verbs: Sequence[str], resources: Sequence[str], scope: str, source: str = "RoleBinding/x") -> Grant:
    return Grant(
        source=source, kind="role_binding", actions=tuple(verbs), resources=tuple(resources), scope=scope
    )


def k8s_inv(*ids: Identity, edges: Sequence[Edge] = (), extra: Sequence[Identity] = ()) -> Inventory:
    namespaces = sorted({i.name.split("/", 1)[0] for i in ids})
    scopes = [Scope("k8s", "cluster", CLUSTER)] + [
        Scope("k8s", "namespace", f"{CLUSTER}/{n}", parent=f"k8s:cluster:{CLUSTER}") for n in namespaces
    ]
    return Inventory(identities=tuple(ids) + tuple(extra), edges=tuple(edges), scopes=tuple(scopes))


def kinds(inventory: Inventory) -> set[tuple[str, str, str]]:
    g = build_graph(inventory)
    short = {n: n.rsplit("/", 1)[-1] for n in g.names}
    return {(short[g.names[s]], short[g.names[d]], k) for s, d, k in zip(g.src, g.dst, g.kind, strict=True)}


ADMIN_SA = sa("kube-system", "boss", classes=("admin",))


def test_pod_create_reaches_every_sa_of_the_namespace_only() -> None:
    dev = sa("apps", "dev", [rule(["create"], ["core/pods"], "apps")], ["pod_create"])
    peer = sa("apps", "peer")
    other = sa("billing", "other")
    got = kinds(k8s_inv(dev, peer, other))
    assert ("dev", "peer", "k8s.pod_create") in got
    assert ("dev", "other", "k8s.pod_create") not in got


def test_pod_create_in_kube_system_reaches_admin_sa() -> None:
    dev = sa("apps", "dev", [rule(["create"], ["core/pods"], "kube-system")], ["pod_create"])
    facts = graph_facts(k8s_inv(dev, ADMIN_SA))
    assert facts[dev.id]["can_reach_admin"] is True
    assert [h["kind"] for h in facts[dev.id]["path"]] == ["k8s.pod_create", "admin"]
    assert facts[dev.id]["admin_scope"] == f"k8s:cluster:{CLUSTER}"
    # twin: the provider decided the primitive does not apply (e.g. name-restricted)
    gated = sa("apps", "dev", [rule(["create"], ["core/pods"], "kube-system")], [])
    assert graph_facts(k8s_inv(gated, ADMIN_SA))[gated.id]["can_reach_admin"] is False
    # twin: get, not create
    reader = sa("apps", "dev", [rule(["get", "list"], ["core/pods"], "kube-system")])
    assert graph_facts(k8s_inv(reader, ADMIN_SA))[reader.id]["can_reach_admin"] is False


def test_workload_create_in_apps_group() -> None:
    dev = sa("apps", "dev", [rule(["patch"], ["apps/deployments"], "apps")], ["workload_create"])
    peer = sa("apps", "peer")
    assert ("dev", "peer", "k8s.workload_create") in kinds(k8s_inv(dev, peer))
    cm = sa("apps", "dev", [rule(["patch"], ["core/configmaps"], "apps")])
    assert not any(k == "k8s.workload_create" for *_, k in kinds(k8s_inv(cm, peer)))


def test_token_create_respects_resource_names() -> None:
    minter = sa(
        "apps", "minter", [rule(["create"], ["core/serviceaccounts/token:peer"], "apps")], ["token_create"]
    )
    peer = sa("apps", "peer")
    third = sa("apps", "third")
    got = kinds(k8s_inv(minter, peer, third))
    assert ("minter", "peer", "k8s.token_create") in got
    assert ("minter", "third", "k8s.token_create") not in got


def test_impersonate_serviceaccount_and_masters() -> None:
    imp = sa("apps", "imp", [rule(["impersonate"], ["core/serviceaccounts"], "apps")], ["impersonate"])
    peer = sa("apps", "peer")
    assert ("imp", "peer", "k8s.impersonate") in kinds(k8s_inv(imp, peer))
    masters = sa("apps", "imp", [rule(["impersonate"], ["core/groups:system:masters"], "*")], ["impersonate"])
    facts = graph_facts(k8s_inv(masters))
    assert facts[masters.id]["can_reach_admin"] is True
    # twin: impersonating a harmless group in one namespace
    weak = sa("apps", "imp", [rule(["impersonate"], ["core/groups:viewers"], "apps")], ["impersonate"])
    assert graph_facts(k8s_inv(weak))[weak.id]["can_reach_admin"] is False


def test_bind_escalate_cluster_wide_vs_namespace() -> None:
    wide = sa("apps", "b", [rule(["bind"], ["rbac.authorization.k8s.io/clusterroles"], "*")], ["bind"])
    assert graph_facts(k8s_inv(wide))[wide.id]["can_reach_admin"] is True
    ns_only = sa("apps", "b", [rule(["bind"], ["rbac.authorization.k8s.io/clusterroles"], "apps")], ["bind"])
    peer = sa("apps", "peer")
    facts = graph_facts(k8s_inv(ns_only, peer))
    assert facts[ns_only.id]["can_reach_admin"] is False
    assert ("b", "peer", "k8s.bind_escalate") in kinds(k8s_inv(ns_only, peer))
    # twin: escalate alone (the provider does not list the primitive)
    alone = sa("apps", "b", [rule(["escalate"], ["rbac.authorization.k8s.io/clusterroles"], "*")], [])
    assert graph_facts(k8s_inv(alone))[alone.id]["can_reach_admin"] is False


def test_admin_sa_has_no_outgoing_derived_edges() -> None:
    boss = sa("kube-system", "boss", [rule(["*"], ["*/*"], "*")], ["pod_create"], classes=("admin",))
    peer = sa("apps", "peer")
    got = kinds(k8s_inv(boss, peer))
    assert got == {("boss", f"admin:k8s:cluster:{CLUSTER}", "admin")}


def test_irsa_edge_crosses_into_aws_admin() -> None:
    role_arn = "arn:aws:iam::111122223333:role/deployer"
    role = Identity(
        id=role_arn,
        provider="aws",
        kind="aws.iam_role",
        scope="aws:account:111122223333",
        name="deployer",
        attributes={"account": "111122223333", "aliases": ["AROADEPLOYER"], "trust": {}},
        permissions=PermissionSummary(classes=("admin",), reasons={"admin": ("AdministratorAccess#0",)}),
    )
    app = sa("apps", "web")
    irsa = Edge(
        src=app.id,
        dst=role_arn,
        kind="k8s.cloud_identity",
        evidence=(Evidence("sa.yaml", "eks.amazonaws.com/role-arn"),),
    )
    facts = graph_facts(k8s_inv(app, edges=[irsa], extra=[role]))
    assert facts[app.id]["can_reach_admin"] is True
    assert [h["kind"] for h in facts[app.id]["path"]] == ["k8s.cloud_identity", "admin"]
    assert facts[app.id]["path"][0]["evidence"] == "sa.yaml: eks.amazonaws.com/role-arn"
    # twin: the annotation names a role that is not in the inventory
    stray = Edge(src=app.id, dst="arn:aws:iam::111122223333:role/gone", kind="k8s.cloud_identity")
    facts = graph_facts(k8s_inv(app, edges=[stray], extra=[role]))
    assert facts[app.id]["can_reach_admin"] is False
    assert facts[app.id]["reachable_count"] == 0


def _gcp(email: str, classes: Sequence[str] = (), uid: str | None = None) -> Identity:
    return Identity(
        id=email,
        provider="gcp",
        kind="gcp.service_account",
        scope="gcp:project:p1",
        name=email.split("@")[0],
        attributes={"aliases": [uid] if uid else []},
        permissions=PermissionSummary(
            classes=tuple(classes), reasons=dict.fromkeys(classes, ("roles/owner",))
        ),
    )


def test_gcp_impersonation_chain_via_alias_and_depth_limit() -> None:
    a, b = _gcp("a@p1.iam.gserviceaccount.com"), _gcp("b@p1.iam.gserviceaccount.com", uid="1111")
    c = _gcp("c@p1.iam.gserviceaccount.com")
    owner = _gcp("owner@p1.iam.gserviceaccount.com", ["admin"])
    es = [
        Edge(src=a.id, dst="1111", kind="gcp.impersonate"),  # by uniqueId
        Edge(src=b.id, dst=c.id.upper(), kind="gcp.impersonate"),  # emails are case-insensitive
        Edge(src=f"serviceAccount:{c.id}", dst=owner.id, kind="gcp.act_as"),  # IAM member form
    ]
    inv = Inventory(identities=(a, b, c, owner), edges=tuple(es), scopes=(Scope("gcp", "project", "p1"),))
    facts = graph_facts(inv)
    assert facts[a.id]["path_length"] == 4
    assert facts[a.id]["delegation_depth"] == 3
    assert facts[owner.id]["is_admin"] and facts[owner.id]["reached_by_count"] == 3
    assert facts[a.id]["admin_scope"] == "gcp:project:p1"


def test_azure_any_sp_hub_and_mutual_cycle() -> None:
    tenant = "t1"
    sp1 = Identity(
        id="sp-1",
        provider="azure",
        kind="azure.service_principal",
        scope=f"azure:tenant:{tenant}",
        name="writer",
    )
    sp2 = Identity(
        id="sp-2",
        provider="azure",
        kind="azure.service_principal",
        scope=f"azure:tenant:{tenant}",
        name="ga",
        attributes={"aliases": ["app-2"]},
        permissions=PermissionSummary(classes=("admin",), reasons={"admin": ("Global Administrator",)}),
    )
    mi = Identity(
        id="mi-1",
        provider="azure",
        kind="azure.managed_identity",
        scope=f"azure:tenant:{tenant}",
        name="vm-identity",
        permissions=PermissionSummary(classes=("admin",), reasons={"admin": ("Owner",)}),
    )
    es = [Edge(src="sp-1", dst=f"azure-tenant:{tenant}/any-sp", kind="azure.app_permission")]
    facts = graph_facts(Inventory(identities=(sp1, sp2, mi), edges=tuple(es)))
    assert facts["sp-1"]["reachable_count"] == 1  # sp-2; a managed identity takes no credentials
    assert facts["sp-1"]["can_reach_admin"] is True
    assert [h["dst"] for h in facts["sp-1"]["path"]] == [
        f"azure-tenant:{tenant}/any-sp",
        "sp-2",
        f"admin:azure:tenant:{tenant}",
    ]
    m1 = Identity(
        id="m1", provider="azure", kind="azure.service_principal", scope="azure:tenant:t1", name="m1"
    )
    m2 = Identity(
        id="m2", provider="azure", kind="azure.service_principal", scope="azure:tenant:t1", name="m2"
    )
    cyc = [
        Edge(src="m1", dst="m2", kind="azure.owner_add_credential"),
        Edge(src="m2", dst="m1", kind="azure.owner_add_credential"),
    ]
    facts = graph_facts(Inventory(identities=(m1, m2), edges=tuple(cyc)))
    assert facts["m1"]["in_cycle"] and facts["m1"]["cycle"] == ["m1", "m2"]
    assert facts["m1"]["can_reach_admin"] is False


def test_federated_credential_source_is_external() -> None:
    app = Identity(
        id="sp-9", provider="azure", kind="azure.service_principal", scope="azure:tenant:t1", name="ci"
    )
    e = Edge(
        src="https://token.actions.githubusercontent.com|repo:x/y",
        dst="sp-9",
        kind="azure.federated_credential",
    )
    facts = graph_facts(Inventory(identities=(app,), edges=(e,)))
    assert facts["sp-9"]["reachable_from_external"] is True
    assert facts["sp-9"]["external_trust"][0]["type"] == "azure.federated_credential"
    inner = Edge(src="/subscriptions/s/vm/x", dst="sp-9", kind="azure.managed_identity")
    assert (
        graph_facts(Inventory(identities=(app,), edges=(inner,)))["sp-9"]["reachable_from_external"] is False
    )


def _random_estate(seed: int, n: int = 120, m: int = 400, dag: bool = False) -> Inventory:
    import random

    rnd = random.Random(seed)
    ids = [_gcp(f"sa{i}@p1.iam.gserviceaccount.com", ["admin"] if i % 17 == 0 else []) for i in range(n)]
    es = []
    for _ in range(m):
        s, d = rnd.randrange(n), rnd.randrange(n)
        if dag:
            s, d = min(s, d), max(s, d)
        if s != d:
            es.append(Edge(src=ids[s].id, dst=ids[d].id, kind="gcp.impersonate"))
    return Inventory(identities=tuple(ids), edges=tuple(es), scopes=(Scope("gcp", "project", "p1"),))


def test_counts_and_paths_match_brute_force(monkeypatch: Any) -> None:
    import rustworkx as rx

    import nhiscan.analyse.graph as graph_mod

    for seed, dag in ((1, False), (2, True), (3, True)):
        inv = _random_estate(seed, dag=dag)
        small = graph_facts(inv)
        monkeypatch.setattr(graph_mod, "_NUMPY_FROM", 0)
        big = graph_facts(inv)
        monkeypatch.setattr(graph_mod, "_NUMPY_FROM", 20_000)
        assert small == big
        g = build_graph(inv)
        plain = rx.PyDiGraph()
        plain.add_nodes_from(range(len(g.names)))
        plain.add_edges_from_no_data(list(zip(g.src, g.dst, strict=True)))
        n_id = g.n_identities
        sinks = {i for i, t in enumerate(g.node_type) if t == "admin"}
        for n, ident in enumerate(g.identities):
            down = {x for x in rx.descendants(plain, n) if x < n_id and x != n}
            up = {x for x in rx.ancestors(plain, n) if x < n_id and x != n}
            f = small[ident.id]
            assert f["reachable_count"] == len(down), ident.id
            assert f["reached_by_count"] == len(up), ident.id
            reaches = bool(set(rx.descendants(plain, n)) & sinks)
            assert f["can_reach_admin"] == (reaches and not f["is_admin"]), ident.id
            if f["can_reach_admin"]:
                lengths = rx.digraph_dijkstra_shortest_path_lengths(plain, n, lambda _: 1.0)
                dist = min(int(lengths[s]) for s in sinks if s in lengths)
                assert f["path_length"] == dist


def test_malformed_attributes_do_not_break_the_graph() -> None:
    odd_role = Identity(
        id="arn:aws:iam::111122223333:role/odd",
        provider="aws",
        kind="aws.iam_role",
        scope="aws:account:111122223333",
        name="odd",
        attributes={
            "aliases": "not-a-list",
            "trust": ["not", "a", "mapping"],
            "instance_profiles": "yes",
            "groups": 7,
        },
    )
    odd_user = Identity(
        id="arn:aws:iam::111122223333:user/odd",
        provider="aws",
        kind="aws.iam_user",
        scope="aws:account:111122223333",
        name="odd",
        attributes={"groups": "admins", "active_access_keys": "two", "aliases": [3, None]},
    )
    odd_sa = sa(
        "apps",
        "odd",
        [rule(["get", "create"], ["core/nodes/proxy", "/healthz", "junk"], "*")],
        ["nodes_proxy"],
    )
    odd_sa = Identity(**{**odd_sa.__dict__, "attributes": {**odd_sa.attributes, "pods": "many"}})
    inv = Inventory(identities=(odd_role, odd_user, odd_sa))
    facts = graph_facts(inv)
    assert set(facts) == {odd_role.id, odd_user.id, odd_sa.id}
    assert not any(f["can_reach_admin"] for f in facts.values())
