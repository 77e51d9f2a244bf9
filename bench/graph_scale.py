"""Scale benchmark for the delegation graph: 100,000 identities and 1,000,000 edges, every
derived field computed (admin paths, depth, reach counts both ways, cycles, external reach).

Run: ``PYTHONPATH=src python bench/graph_scale.py [--identities N] [--edges M] [--seed S]``.
Prints the time of each stage and the peak resident memory of the process (the inventory itself
included). Targets: under 30 s and under 2 GB.

The synthetic estate mimics a large multi-account organisation: 1% of identities are admins,
1% hold external trust, 70% of edges are uniform (who can assume whom across the estate) and 30%
point into 2% "hub" roles (shared deployment roles). ``--shape dag`` orients every edge from the
lower to the higher index, so there is no cycle and reach sets are as large and as distinct as
they get (the stress case for the reach counts).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time

from nhiscan.analyse.graph import _no_gc, build_graph, compute_facts
from nhiscan.model import Edge, Identity, Inventory, PermissionSummary, Scope


def estate(n: int, m: int, seed: int, shape: str = "mixed") -> Inventory:
    rnd = random.Random(seed)
    projects = max(1, n // 1000)
    admin = PermissionSummary(classes=("admin",), reasons={"admin": ("roles/owner",)})
    plain = PermissionSummary()
    identities = tuple(
        Identity(
            id=f"sa-{i}@project-{i % projects}.iam.gserviceaccount.com",
            provider="gcp",
            kind="gcp.service_account",
            scope=f"gcp:project:project-{i % projects}",
            name=f"sa-{i}",
            permissions=admin if i % 100 == 0 else plain,
        )
        for i in range(n)
    )
    hubs = max(1, n // 50)
    seen: set[int] = set()
    edges: list[Edge] = []
    while len(edges) < m:
        s = rnd.randrange(n)
        d = rnd.randrange(hubs) * 50 + 7 if rnd.random() < 0.3 else rnd.randrange(n)
        if shape == "dag":  # no cycles at all: the worst case for reach sets
            s, d = min(s, d), max(s, d)
        key = s * n + d
        if s == d or key in seen:
            continue
        seen.add(key)
        edges.append(Edge(src=identities[s].id, dst=identities[d].id, kind="gcp.impersonate"))
    for i in range(3, n, 100):
        edges.append(
            Edge(
                src=f"https://token.example/{i}",
                dst=identities[i].id,
                kind="gcp.workload_identity_federation",
            )
        )
    return Inventory(
        identities=identities,
        edges=tuple(edges),
        scopes=tuple(Scope("gcp", "project", f"project-{p}") for p in range(projects)),
        providers=("gcp",),
    )


def aws_account(n: int, seed: int) -> Inventory:
    """One AWS account of ``n`` roles and users built with the real policy and trust analysers:
    shared managed policies, 70% service roles, 20% trusting the account root, and a few
    identities that may assume any role, pass roles to Lambda or write IAM."""
    from nhiscan.providers.aws.iam.policy import PolicyDoc, summarise
    from nhiscan.providers.aws.iam.trust import analyse_trust

    rnd = random.Random(seed)
    acct = "111122223333"

    def pol(name: str, *statements: dict[str, object]) -> PolicyDoc:
        document = {"Version": "2012-10-17", "Statement": list(statements)}
        return PolicyDoc(f"arn:aws:iam::{acct}:policy/{name}", "managed_policy", document)

    read = pol("read", {"Effect": "Allow", "Action": ["s3:Get*", "dynamodb:Query"], "Resource": "*"})
    assume = pol("assume", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    lam = pol(
        "lambda-dev",
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
            "Resource": "*",
        },
    )
    iam = pol(
        "iam-ops",
        {"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy"], "Resource": "*"},
    )
    admin = pol("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    trusts = {
        "lambda": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        },
        "root": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                }
            ],
        },
    }
    facts = {k: analyse_trust(v, acct) for k, v in trusts.items()}
    identities: list[Identity] = []
    for i in range(n):
        x = rnd.random()
        policies = [read]
        if x < 0.05:
            policies.append(assume)
        elif x < 0.07:
            policies.append(lam)
        elif x < 0.08:
            policies.append(iam)
        elif x < 0.09:
            policies = [admin]
        is_role = i % 10 < 6
        a = f"arn:aws:iam::{acct}:{'role' if is_role else 'user'}/id-{i}"
        attrs: dict[str, object] = {"account": acct, "aliases": [f"AID{i:08d}"]}
        if is_role:
            attrs["trust"] = facts["lambda" if rnd.random() < 0.7 else "root"]
            attrs["instance_profiles"] = []
        else:
            attrs["active_access_keys"] = rnd.choice((0, 1, 2))
        identities.append(
            Identity(
                id=a,
                provider="aws",
                kind="aws.iam_role" if is_role else "aws.iam_user",
                scope=f"aws:account:{acct}",
                name=f"id-{i}",
                attributes=attrs,
                permissions=summarise(policies, None, principal_arn=a),
            )
        )
    return Inventory(
        identities=tuple(identities), scopes=(Scope("aws", "account", acct),), providers=("aws",)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--identities", type=int, default=100_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--shape",
        choices=("mixed", "dag"),
        default="mixed",
        help="mixed: uniform + hub edges (one giant cycle); dag: the same edges made acyclic",
    )
    ap.add_argument(
        "--aws", type=int, default=0, help="instead: time graph_facts on an AWS account of N identities"
    )
    args = ap.parse_args(argv)
    if args.aws:
        from nhiscan.analyse.graph import graph_facts

        account = aws_account(args.aws, args.seed)
        t0 = time.perf_counter()
        facts = graph_facts(account)
        t1 = time.perf_counter()
        graph = build_graph(account)
        reach = sum(1 for f in facts.values() if f["can_reach_admin"])
        sys.stdout.write(
            f"AWS account: {len(account.identities):,} identities, {len(graph.src):,} edges, "
            f"graph_facts {t1 - t0:.2f} s, {reach:,} can reach admin\n"
        )
        return 0

    t0 = time.perf_counter()
    inv = estate(args.identities, args.edges, args.seed, args.shape)
    t1 = time.perf_counter()
    rss_inventory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with _no_gc():  # as graph_facts() runs it
        graph = build_graph(inv)
        t2 = time.perf_counter()
        facts = compute_facts(graph)
        t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reach = sum(1 for f in facts.values() if f["can_reach_admin"])
    cyc = sum(1 for f in facts.values() if f["in_cycle"])
    ext = sum(1 for f in facts.values() if f["reachable_from_external"])
    out = sys.stdout
    out.write(f"identities {len(inv.identities):,}  edges {len(graph.src):,}\n")
    out.write(f"generate estate  {t1 - t0:6.2f} s  (rss {rss_inventory:,.0f} MB)\n")
    out.write(f"build graph      {t2 - t1:6.2f} s\n")
    out.write(f"derived fields   {t3 - t2:6.2f} s\n")
    out.write(f"graph total      {t3 - t1:6.2f} s  (target < 30 s)\n")
    out.write(f"peak RSS         {peak:,.0f} MB  (target < 2048 MB, inventory included)\n")
    out.write(f"can reach admin {reach:,}  in a cycle {cyc:,}  reachable from outside {ext:,}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
