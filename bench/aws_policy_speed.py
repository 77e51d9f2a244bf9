"""How fast the AWS policy evaluator summarises a large estate.

Builds 10,000 principals that share 20 managed policies (the AWS managed policies found in the
Cloudsplaining example export beside the repository, topped up with synthetic ones), give 40%
of them a small inline policy of their own, put 30% in one of 5 groups and 10% under one of 2
permissions boundaries, then times :meth:`PolicyAnalyser.summarise` over all of them with a
fresh analyser (cold) and again (warm). Prints principals per second and the memo hit rates.

Run: ``PYTHONPATH=src python bench/aws_policy_speed.py [--principals N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from nhiscan.providers.aws.iam.policy import PolicyAnalyser, PolicyDoc

EXAMPLE = "real-exports/aws/iam-authorization-details/salesforce__cloudsplaining__test__files__example-authz-details.json"


def example_export() -> Path | None:
    """The export in the ``shared/`` folder beside the repository (or beside a worktree's parent)."""
    for parent in Path(__file__).resolve().parents[1:]:
        candidate = parent / "shared" / EXAMPLE
        if candidate.exists():
            return candidate
    return None


def managed_policies(count: int) -> list[PolicyDoc]:
    docs: list[PolicyDoc] = []
    export = example_export()
    if export is not None:
        for p in json.loads(export.read_text())["Policies"]:
            doc = next(v["Document"] for v in p["PolicyVersionList"] if v["IsDefaultVersion"])
            docs.append(PolicyDoc(p["Arn"], "managed_policy", doc))
    i = 0
    while len(docs) < count:
        i += 1
        docs.append(
            PolicyDoc(
                f"arn:aws:iam::123456789012:policy/synthetic-{i}",
                "managed_policy",
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": ["s3:Get*", f"svc{i}:Describe*"], "Resource": "*"},
                        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
                    ],
                },
            )
        )
    return docs[:count]


def inline(principal: str, n: int) -> PolicyDoc:
    doc: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": f"arn:aws:s3:::bucket-{n}/*",
            },
            {
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:us-east-1:123456789012:q{n}",
            },
        ],
    }
    # A fresh JSON round trip, as an importer parsing each principal's section would produce.
    return PolicyDoc(f"inline:{principal}:app", "inline_policy", json.loads(json.dumps(doc)))


def estate(n: int, seed: int = 7) -> list[tuple[str, list[PolicyDoc], PolicyDoc | None]]:
    rng = random.Random(seed)
    managed = managed_policies(20)
    groups = [
        [
            PolicyDoc(f"group:g{g}:{m.source}", "group_policy", m.document, via=f"g{g}")
            for m in rng.sample(managed, 2)
        ]
        for g in range(5)
    ]
    boundaries = [
        PolicyDoc(
            "arn:aws:iam::123456789012:policy/boundary-a",
            "boundary",
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}],
            },
        ),
        PolicyDoc(
            "arn:aws:iam::123456789012:policy/boundary-b",
            "boundary",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        ),
    ]
    out = []
    for i in range(n):
        arn = f"arn:aws:iam::123456789012:role/r{i}"
        docs = rng.sample(managed, rng.randint(1, 4))
        if rng.random() < 0.4:
            docs.append(inline(arn, i))
        if rng.random() < 0.3:
            docs.extend(rng.choice(groups))
        boundary = rng.choice(boundaries) if rng.random() < 0.1 else None
        out.append((arn, docs, boundary))
    return out


def run(principals: int) -> None:
    work = estate(principals)
    analyser = PolicyAnalyser()
    classes: Counter[str] = Counter()
    started, cpu_started = time.perf_counter(), time.process_time()
    for arn, docs, boundary in work:
        summary = analyser.summarise(docs, boundary, principal_arn=arn)
        classes.update(summary.classes)
    cold = time.perf_counter() - started
    cold_cpu = time.process_time() - cpu_started
    stats = analyser.stats()
    started = time.perf_counter()
    for arn, docs, boundary in work:
        analyser.summarise(docs, boundary, principal_arn=arn)
    warm = time.perf_counter() - started
    out = sys.stdout
    out.write(f"principals                 {principals}\n")
    out.write(f"cold: total                {cold:.3f} s  ({principals / cold:,.0f} principals/s)\n")
    out.write(
        f"cold: CPU time             {cold_cpu:.3f} s  (this process only; wall time suffers on a busy host)\n"
    )
    out.write(f"warm: total                {warm:.3f} s  ({principals / warm:,.0f} principals/s)\n")
    out.write(f"documents compiled         {stats.documents_compiled}\n")
    out.write(f"document cache hit rate    {stats.document_hit_rate:.1%} (cold pass)\n")
    out.write(f"summary cache hit rate     {stats.summary_hit_rate:.1%} (cold pass)\n")
    scale = 10_000 / principals
    wall_ok = "met" if cold * scale < 2.0 else "MISSED"
    cpu_ok = "met" if cold_cpu * scale < 2.0 else "MISSED"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out.write(
        f"budget (2 s for 10,000)    CPU time: {cpu_ok}; wall time: {wall_ok} (1-min load {load:.1f}, {os.cpu_count()} CPUs)\n"
    )
    out.write(
        "classes                    " + ", ".join(f"{k}={v}" for k, v in sorted(classes.items())) + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--principals", type=int, default=10_000)
    run(parser.parse_args().principals)


if __name__ == "__main__":
    main()
