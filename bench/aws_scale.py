"""Scale benchmark for the live AWS path: seed a large estate in moto, scan it over HTTP, measure.

Usage::

    PYTHONPATH=src python bench/aws_scale.py --sizes 1000,10000 [--profile]

For each N: N roles (trust policies of four kinds, one of ten customer-managed policies each,
every tenth with an inline policy, every twentieth back-dated 400 days) and N/10 users with one or
two access keys (every fifth key back-dated 200 days), plus one multi-region trail. Seeding calls
the moto backend in-process (the HTTP API would take minutes at 10k: moto's create_role is
O(n)); the scan then runs in a child process with the real collector and boto3 over HTTP, so its
time and memory are nhiscan's alone, not the server's data. An account with no identities gives
the fixed per-account call count. The list operations moto lacks (AgentCore workload identities
and credential providers, IAM service-specific credentials) answer with empty lists, as AWS does
for an account without them (``fill_moto_gaps`` in ``tests/providers/aws/moto_server.py``).

Printed per size: API calls (total and per operation), calls per identity beyond the fixed
per-account cost, wall time of collection (the first run includes the credential report's
STARTED -> COMPLETE wait, as against AWS) and of the full scan (collection + rules), identities
per second, peak memory (tracemalloc peak of a second run; ru_maxrss of the child), and the
start-up time of ``nhiscan --help`` (median of 5). ``--profile`` adds the top functions of a
cProfile of one scan at the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from nhiscan.providers.aws.settings import AwsSettings

ACCOUNT = "123456789012"
REPO = Path(__file__).resolve().parents[1]


# --- seeding (parent process, in the moto backend) -----------------------------------------------


def _trusts() -> list[str]:
    def doc(principal: Any, **cond: Any) -> str:
        stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if cond:
            stmt["Condition"] = cond
        return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})

    return [
        doc({"Service": "ec2.amazonaws.com"}),
        doc({"Service": "lambda.amazonaws.com"}),
        doc({"AWS": "arn:aws:iam::210987654321:root"}, StringEquals={"sts:ExternalId": "x"}),
        doc({"Service": "sns.amazonaws.com"}),
    ]


def seed(n_roles: int) -> dict[str, int]:
    from moto.iam.models import AccessKeyLastUsed, iam_backends

    be = iam_backends[ACCOUNT]["global"]
    now = datetime.now(timezone.utc)
    policies = []
    for i in range(10):
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage", "dynamodb:Query"],
                           "Resource": f"arn:aws:s3:::bucket-{i}/*"}],
        }  # fmt: skip
        policies.append(be.create_policy("", "/", json.dumps(doc), f"app-policy-{i}", []))
    inline = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
        }
    )
    trusts = _trusts()
    for i in range(n_roles):
        role = be.create_role(f"role-{i:05d}", trusts[i % len(trusts)], "/", None, "", [], None)
        policies[i % 10].attach_to(role)
        if i % 10 == 0:
            role.put_policy("inline", inline)
        if i % 20 == 0:
            role.create_date = now - timedelta(days=400)
    keys = 0
    for i in range(n_roles // 10):
        name = f"svc-{i:05d}"
        be.create_user(None, name)
        for k in range(1 + (i % 7 == 0)):
            key = be.create_access_key(name)
            keys += 1
            if keys % 5 == 0:
                key.create_date = (now - timedelta(days=200)).replace(microsecond=0)
            elif keys % 3 == 0:
                key.last_used = AccessKeyLastUsed(
                    timestamp=now - timedelta(days=k + 1), service="s3", region="us-east-1"
                )
    return {"roles": n_roles, "users": n_roles // 10, "keys": keys}


def seed_trail(endpoint: str) -> None:
    import boto3

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    session.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench-trail")
    ct = session.client("cloudtrail", endpoint_url=endpoint)
    ct.create_trail(Name="bench-trail", S3BucketName="bench-trail", IsMultiRegionTrail=True)
    ct.start_logging(Name="bench-trail")


def raw_gaad_seconds(endpoint: str) -> tuple[float, int]:
    """moto's own time to answer GetAccountAuthorizationDetails: an unsigned raw request, body
    read but not parsed (moto does not check signatures unless told to)."""
    import urllib.request

    request = urllib.request.Request(
        f"{endpoint}/",
        data=b"Action=GetAccountAuthorizationDetails&Version=2010-05-08",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request"},
    )  # fmt: skip
    t = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        size = len(response.read())
    return time.perf_counter() - t, size


def reset(endpoint: str) -> None:
    import urllib.request

    with urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    ):
        pass


# --- scanning (child process) ---------------------------------------------------------------------


def _scan_once(endpoint: str) -> dict[str, Any]:
    from collections import Counter

    import boto3

    from nhiscan.engine import load_rules
    from nhiscan.providers.aws.collector import collect
    from nhiscan.providers.interface import CollectOptions
    from nhiscan.scan import run

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    ops: list[str] = []
    started: dict[str, float] = {}
    op_s: dict[str, float] = {}

    def before(model: Any, **_: Any) -> None:
        ops.append(model.name)
        started[model.name] = time.perf_counter()

    def after(model: Any, **_: Any) -> None:
        op_s[model.name] = op_s.get(model.name, 0.0) + time.perf_counter() - started[model.name]

    session.events.register("before-call.*.*", before)
    session.events.register("after-call.*.*", after)
    now = datetime.now(timezone.utc)
    settings = (AwsSettings(endpoint_url=endpoint, session=session, report_timeout=60, max_attempts=2),)
    t0, c0 = time.perf_counter(), time.process_time()
    inventory = collect(CollectOptions(as_of=now, settings=settings))
    t1, c1 = time.perf_counter(), time.process_time()
    rules = load_rules()
    result, _ = run(inventory, rules, as_of=now, started=now, providers=["aws"])
    t2, c2 = time.perf_counter(), time.process_time()
    return {
        "calls": dict(Counter(ops)),
        "op_s": {k: round(v, 2) for k, v in op_s.items()},  # request + server + response parsing
        "identities": len(inventory.identities),
        "credentials": len(inventory.credentials),
        "findings": len(result.findings),
        "gaps": [f"{g.source}: {g.status}" for g in inventory.gaps],
        "collect_s": t1 - t0,
        "collect_cpu_s": c1 - c0,  # the rest of collect_s is waiting for the server
        "rules_s": t2 - t1,
        "scan_cpu_s": c2 - c0,
        "scan_s": t2 - t0,
    }


def child(endpoint: str, profile: bool) -> None:
    import resource
    import tracemalloc

    first = _scan_once(endpoint)  # includes the credential report's STARTED wait
    second = _scan_once(endpoint)  # report already generated: the steady state
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    _scan_once(endpoint)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {
        "first": first,
        "second": second,
        "ru_maxrss_mib": rss_kib / 1024,
        "tracemalloc_peak_mib": peak / 2**20,
    }
    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        _scan_once(endpoint)
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("cumulative").print_stats(r"nhiscan|paginate|parsers\.py:\d+\(parse\)|socket", 40)
        stats.sort_stats("tottime").print_stats(25)
        out["profile"] = buf.getvalue()
    sys.stdout.write(json.dumps(out) + "\n")


def run_child(endpoint: str, profile: bool) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, __file__, "--child", endpoint] + (["--profile"] if profile else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"scan child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _pages(items: int, max_items: int) -> int:
    return -(-items // max_items)


def startup_time() -> float:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nhiscan", "--help"], capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# --- driver -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated role counts")
    parser.add_argument("--profile", action="store_true", help="cProfile one scan at the largest size")
    parser.add_argument("--child", metavar="ENDPOINT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.profile)
        return 0

    import logging

    from moto.server import ThreadedMotoServer

    sys.path.insert(0, str(REPO / "tests" / "providers" / "aws"))
    from moto_server import fill_moto_gaps  # the list calls moto lacks answer empty, as in AWS

    fill_moto_gaps(setattr)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    out = sys.stdout.write
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        out(f"nhiscan AWS scale benchmark  python {sys.version.split()[0]}  cpus {os.cpu_count()}\n")
        out(f"nhiscan --help start-up (median of 5): {startup_time() * 1000:.0f} ms\n")
        reset(endpoint)
        seed_trail(endpoint)
        empty = run_child(endpoint, False)
        fixed = sum(empty["first"]["calls"].values())
        out(
            f"account with no identities, one trail: {fixed} API calls {empty['first']['calls']} (fixed per-account cost)\n"
        )
        for n in sizes:
            reset(endpoint)
            t = time.perf_counter()
            seeded = seed(n)
            seed_trail(endpoint)
            seed_s = time.perf_counter() - t
            server_s, size = raw_gaad_seconds(endpoint)
            r = run_child(endpoint, args.profile and n == max(sizes))
            first, second = r["first"], r["second"]
            calls = sum(first["calls"].values())
            ids = first["identities"]
            out(
                f"\nN={n}: seeded {seeded} in {seed_s:.1f} s; {ids} identities, {first['credentials']} credentials, "
                f"{first['findings']} findings, gaps {first['gaps'] or 'none'}\n"
                f"  API calls: {calls} total {first['calls']}\n"
                f"  calls per identity beyond the fixed {fixed}: {(calls - fixed) / ids:.5f}\n"
                f"  against AWS, where GetAccountAuthorizationDetails pages (moto returns one page): "
                f"{_pages(ids + 10, 100)} pages at the default MaxItems 100 ({_pages(ids + 10, 100) / ids:.4f}/identity), "
                f"{_pages(ids + 10, 1000)} at MaxItems 1000 ({_pages(ids + 10, 1000) / ids:.4f}/identity)\n"
                f"  first run (with credential-report wait): collect {first['collect_s']:.2f} s, "
                f"rules {first['rules_s']:.2f} s, full scan {first['scan_s']:.2f} s, {ids / first['scan_s']:.0f} identities/s\n"
                f"  steady run:                              collect {second['collect_s']:.2f} s, "
                f"rules {second['rules_s']:.2f} s, full scan {second['scan_s']:.2f} s, {ids / second['scan_s']:.0f} identities/s\n"
                f"  CPU of the scanning process (steady run): collection {second['collect_cpu_s']:.2f} s, "
                f"full scan {second['scan_cpu_s']:.2f} s ({ids / second['scan_cpu_s']:.0f} identities per CPU-second); "
                f"the rest of the wall time is waiting for moto and for the CPU\n"
                f"  seconds per operation (first run / steady): {first['op_s']} / {second['op_s']}\n"
                f"  moto alone answering GetAccountAuthorizationDetails (raw HTTP, unparsed): {server_s:.2f} s "
                f"for {size / 2**20:.1f} MiB of XML\n"
                f"  peak memory: tracemalloc {r['tracemalloc_peak_mib']:.0f} MiB, ru_maxrss {r['ru_maxrss_mib']:.0f} MiB\n"
            )
            if "profile" in r:
                out(f"\ncProfile of one scan at N={n} (cumulative):\n{r['profile']}\n")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
