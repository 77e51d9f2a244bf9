"""Kubernetes import at scale: 50,000 service accounts and 20,000 bindings from one
``kubectl get ... -A -o json`` export. Prints the time to read, recognise and build the inventory
and the peak memory of the process. Target: under 10 s.

    PYTHONPATH=src python bench/k8s_scale.py [--service-accounts N] [--bindings N]

The export is generated into a temporary folder first; the measurement runs in a fresh child
process so its peak memory is not inflated by the generator.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from nhiscan.providers.k8s.settings import K8sSettings

RBAC = "rbac.authorization.k8s.io"


def meta(name: str, ns: str | None = None) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name, "uid": f"{ns}-{name}", "creationTimestamp": "2025-01-10T08:00:00Z"}
    if ns:
        m["namespace"] = ns
    return m


def generate(n_sa: int, n_bindings: int, seed: int = 7) -> dict[str, Any]:
    rnd = random.Random(seed)
    n_ns = max(1, n_sa // 100)
    namespaces = [f"team-{i:04d}" for i in range(n_ns)]
    items: list[dict[str, Any]] = []
    sas: list[tuple[str, str]] = []
    for i in range(n_sa):
        ns = namespaces[i % n_ns]
        name = "default" if i < n_ns else f"svc-{i:06d}"
        sas.append((ns, name))
        sa: dict[str, Any] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, ns)}
        if i % 50 == 0:
            sa["metadata"]["annotations"] = {
                "eks.amazonaws.com/role-arn": f"arn:aws:iam::111122223333:role/r{i}"
            }
        items.append(sa)
    verbs = [["get", "list"], ["create"], ["get", "list", "watch"], ["*"], ["update", "patch"]]
    resources = [["pods"], ["secrets"], ["configmaps"], ["deployments"], ["serviceaccounts/token"], ["*"]]
    groups = [[""], ["apps"], ["*"]]
    n_cluster_roles = 300
    for i in range(n_cluster_roles):
        rules = [
            {"apiGroups": rnd.choice(groups), "resources": rnd.choice(resources), "verbs": rnd.choice(verbs)}
            for _ in range(rnd.randint(1, 4))
        ]
        items.append(
            {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": meta(f"cr-{i}"), "rules": rules}
        )
    for ns in namespaces:
        for j in range(3):
            rules = [{"apiGroups": [""], "resources": rnd.choice(resources), "verbs": rnd.choice(verbs)}]
            items.append(
                {
                    "apiVersion": f"{RBAC}/v1",
                    "kind": "Role",
                    "metadata": meta(f"role-{j}", ns),
                    "rules": rules,
                }
            )
    # every cluster has the bootstrap discovery binding for all authenticated subjects
    items.append(
        {
            "apiVersion": f"{RBAC}/v1",
            "kind": "ClusterRole",
            "metadata": meta("system:discovery"),
            "rules": [{"nonResourceURLs": ["/api", "/apis", "/version"], "verbs": ["get"]}],
        }
    )
    items.append(
        {
            "apiVersion": f"{RBAC}/v1",
            "kind": "ClusterRoleBinding",
            "metadata": meta("system:discovery"),
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "system:discovery"},
            "subjects": [{"apiGroup": RBAC, "kind": "Group", "name": "system:authenticated"}],
        }
    )
    for i in range(n_bindings):
        ns, name = sas[rnd.randrange(n_sa)]
        subjects = [{"kind": "ServiceAccount", "name": name, "namespace": ns}]
        if i % 10 == 0:  # a tenth are cluster-wide
            items.append(
                {
                    "apiVersion": f"{RBAC}/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": meta(f"crb-{i}"),
                    "roleRef": {
                        "apiGroup": RBAC,
                        "kind": "ClusterRole",
                        "name": f"cr-{rnd.randrange(n_cluster_roles)}",
                    },
                    "subjects": subjects,
                }
            )
        else:
            ref = (
                {"apiGroup": RBAC, "kind": "Role", "name": f"role-{rnd.randrange(3)}"}
                if i % 2
                else {"apiGroup": RBAC, "kind": "ClusterRole", "name": f"cr-{rnd.randrange(n_cluster_roles)}"}
            )
            items.append(
                {
                    "apiVersion": f"{RBAC}/v1",
                    "kind": "RoleBinding",
                    "metadata": meta(f"rb-{i}", ns),
                    "roleRef": ref,
                    "subjects": subjects,
                }
            )
    for i in range(0, n_sa, 5):  # a pod for every fifth SA, a legacy token for every tenth
        ns, name = sas[i]
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta(f"{name}-pod", ns),
                "spec": {"serviceAccountName": name, "containers": [{"name": "c", "image": "x"}]},
            }
        )
        if i % 10 == 0:
            items.append(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "type": "kubernetes.io/service-account-token",
                    "metadata": {
                        **meta(f"{name}-token", ns),
                        "annotations": {"kubernetes.io/service-account.name": name},
                    },
                    "data": {"token": "YmVuY2g="},
                }
            )
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def measure(path: Path) -> None:
    from datetime import datetime, timezone

    from nhiscan.providers.interface import CollectOptions, LoadedFile, RecognisedFile
    from nhiscan.providers.k8s import Plugin

    t0 = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    t1 = time.perf_counter()
    plugin = Plugin()
    loaded = LoadedFile(path=path, text=text, data=data)
    doc_type = plugin.recognise(loaded)
    assert doc_type is not None
    inv = plugin.build(
        [RecognisedFile(file=loaded, doc_type=doc_type, provider="k8s")],
        CollectOptions(as_of=datetime.now(timezone.utc), settings=(K8sSettings(cluster_name="bench"),)),
    )
    t2 = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    grants = sum(len(i.permissions.grants) for i in inv.identities)
    escalating = sum(1 for i in inv.identities if "can_escalate" in i.permissions.classes)
    print(
        json.dumps(
            {
                "identities": len(inv.identities),
                "credentials": len(inv.credentials),
                "edges": len(inv.edges),
                "grants": grants,
                "can_escalate": escalating,
                "read_parse_s": round(t1 - t0, 2),
                "build_s": round(t2 - t1, 2),
                "total_s": round(t2 - t0, 2),
                "peak_rss_mib": round(peak_mib),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service-accounts", type=int, default=50_000)
    parser.add_argument("--bindings", type=int, default=20_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cluster.json"
        path.write_text(json.dumps(generate(args.service_accounts, args.bindings)))
        size_mib = path.stat().st_size / 2**20
        print(
            f"export: {args.service_accounts} service accounts, {args.bindings} bindings, {size_mib:.1f} MiB"
        )
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout)
        print(json.dumps(result, indent=1))
        verdict = "PASS" if result["total_s"] < 10 else "FAIL"
        print(f"{verdict}: {result['total_s']} s (target < 10 s), peak memory {result['peak_rss_mib']} MiB")


if __name__ == "__main__":
    main()
