"""Narrowing an inventory to some providers: ``scan P --from everything`` gives P's findings only,
the same ones the full scan gives for P, and edges follow the provider that reported them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhiscan.inventory_filter import only_providers
from nhiscan.model import CoverageEntry, Credential, Edge, Identity, Inventory, LoggingState, Scope
from support import DEMO

AS_OF = ["--as-of", "2026-11-01T00:00:00Z"]
PROVIDERS = ("aws", "azure", "gcp", "k8s", "mcp")


def _findings(run_cli, tmp_path: Path, *providers: str) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    out = tmp_path / f"{'-'.join(providers) or 'all'}.json"
    r = run_cli(["scan", *providers, "--from", str(DEMO), *AS_OF, "-q", "-f", "json", "-o", str(out)])
    assert r.code == 0, r.err
    return {
        (f["provider"], f["rule_id"], f["resource"]["id"]) for f in json.loads(out.read_text())["findings"]
    }


def test_each_provider_alone_gives_its_findings_of_the_full_scan(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    full = _findings(run_cli, tmp_path)
    assert {p for p, _, _ in full} == set(PROVIDERS)
    for provider in PROVIDERS:
        alone = _findings(run_cli, tmp_path, provider)
        assert alone == {f for f in full if f[0] == provider}, provider


def test_aws_alone_has_no_kubernetes_cloud_identity_findings(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the k8s.cloud_identity edge from a service account into an AWS role raised NHI-K8S-008 here
    full = _findings(run_cli, tmp_path)
    assert any(rule == "NHI-K8S-008" and "arn:aws:iam::" in target for _, rule, target in full)
    assert not any(rule.startswith("NHI-K8S") for _, rule, _ in _findings(run_cli, tmp_path, "aws"))


def _ident(ident_id: str, provider: str, aliases: tuple[str, ...] = ()) -> Identity:
    return Identity(
        id=ident_id,
        provider=provider,
        kind=f"{provider}.x",
        scope=f"{provider}:s:1",
        name=ident_id,
        attributes={"aliases": list(aliases)},
    )


@pytest.fixture
def mixed() -> Inventory:
    return Inventory(
        identities=(
            _ident("arn:aws:iam::1:role/r", "aws"),
            _ident("k8s://c/ns/a/serviceaccount/sa", "k8s", ("system:serviceaccount:a:sa",)),
            _ident("sa@p.iam.gserviceaccount.com", "gcp", ("1234",)),
        ),
        credentials=(
            Credential(id="k1", identity_id="arn:aws:iam::1:role/r", kind="aws.access_key"),
            Credential(id="k2", identity_id="1234", kind="gcp.sa_key"),
        ),
        edges=(
            Edge("k8s://c/ns/a/serviceaccount/sa", "arn:aws:iam::1:role/r", "k8s.cloud_identity"),
            Edge("arn:aws:iam::1:root", "arn:aws:iam::1:role/r", "aws.assume_role"),
            Edge("system:serviceaccount:a:sa", "SA@P.IAM.GSERVICEACCOUNT.COM", "k8s.cloud_identity"),
            Edge("user:alice@example.com", "1234", "gcp.impersonate"),
            Edge("user:bob@example.com", "nobody", "gcp.impersonate"),
        ),
        logging=(
            LoggingState("aws:s:1", "aws", "ok", "trail"),
            LoggingState("k8s:s:1", "k8s", "ok", "audit"),
        ),
        coverage=(CoverageEntry("gcp", "gcp:s:1", "files", "ok"),),
        scopes=(Scope("aws", "s", "1"), Scope("k8s", "s", "1")),
        providers=("aws", "gcp", "k8s"),
    )


def test_edges_belong_to_their_source_then_destination_then_kind(mixed: Inventory) -> None:
    aws = only_providers(mixed, ["aws"])
    assert [(e.src, e.kind) for e in aws.edges] == [("arn:aws:iam::1:root", "aws.assume_role")]
    k8s = only_providers(mixed, ["k8s"])
    # both Kubernetes edges stay (matched by id and by alias); their cloud ends become plain nodes
    assert [e.kind for e in k8s.edges] == ["k8s.cloud_identity", "k8s.cloud_identity"]
    gcp = only_providers(mixed, ["gcp"])
    assert [e.src for e in gcp.edges] == ["user:alice@example.com", "user:bob@example.com"]


def test_everything_else_follows_its_provider(mixed: Inventory) -> None:
    gcp = only_providers(mixed, ["gcp"])
    assert [i.provider for i in gcp.identities] == ["gcp"]
    assert [c.id for c in gcp.credentials] == ["k2"]  # its identity named by alias
    assert (gcp.logging, gcp.scopes, gcp.providers) == ((), (), ("gcp",))
    assert [c.provider for c in gcp.coverage] == ["gcp"]
    aws = only_providers(mixed, ["aws", "k8s"])
    assert [c.id for c in aws.credentials] == ["k1"]
    assert {lg.provider for lg in aws.logging} == {"aws", "k8s"}
    assert aws.coverage == ()
    assert len(aws.edges) == 3
