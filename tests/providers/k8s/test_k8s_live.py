"""Live collection: the official kubernetes client over HTTP against the fake API server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from nhiscan.errors import CollectionError, ConfigError
from nhiscan.inventory_io import dump_inventory
from nhiscan.model import Inventory
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.k8s import Plugin
from nhiscan.providers.k8s.agents.live import CRD_CALL
from nhiscan.providers.k8s.live import LIST_CALLS
from nhiscan.providers.k8s.settings import K8sSettings
from providers.k8s.k8s_fake_apiserver import FakeApiServer, self_signed, serve
from providers.k8s.k8s_objects import CANARY, CANARY_PLAIN, fixture_cluster, sa
from providers.k8s.k8s_support import AS_OF, view

SECRETS = "/api/v1/secrets"
ROLES = "/apis/rbac.authorization.k8s.io/v1/roles"


def collect(kubeconfig: Path, **settings: object) -> Inventory:
    return Plugin().collect(
        CollectOptions(as_of=AS_OF, settings=(K8sSettings(kubeconfig=kubeconfig, **settings),))
    )


def test_live_matches_offline_import(
    fake_server: FakeApiServer, kubeconfig_for: Callable[..., Path], offline: Callable[..., Inventory]
) -> None:
    live = collect(kubeconfig_for({"prod": fake_server.url}))
    files = offline(fixture_cluster(), name="prod")
    assert {i.id for i in live.identities} == {i.id for i in files.identities}
    for a, b in zip(
        sorted(live.identities, key=lambda i: i.id), sorted(files.identities, key=lambda i: i.id), strict=True
    ):
        assert a.permissions.classes == b.permissions.classes, a.id
        assert a.facts == b.facts, a.id
        assert a.agent == b.agent, a.id
        assert a.attributes == b.attributes, a.id
    assert {c.id for c in live.credentials} == {c.id for c in files.credentials}
    assert {(e.src, e.dst) for e in live.edges} == {(e.src, e.dst) for e in files.edges}
    assert live.logging[0].status == "enabled"
    assert not live.gaps
    assert fake_server.violations == []
    assert {r.method for r in fake_server.requests} == {"GET"}
    assert all(r.authorization == "Bearer fake-bearer-token" for r in fake_server.requests)
    # no agent CRDs installed: only the CRD list beyond the core lists
    assert {r.path for r in fake_server.requests} == {c.path for c in LIST_CALLS} | {CRD_CALL.path}


def test_secrets_are_listed_metadata_only(
    fake_server: FakeApiServer, kubeconfig_for: Callable[..., Path]
) -> None:
    collect(kubeconfig_for({"prod": fake_server.url}))
    (req,) = [r for r in fake_server.requests if r.path == SECRETS]
    assert "as=PartialObjectMetadataList" in req.accept
    assert req.query["fieldSelector"] == ["type=kubernetes.io/service-account-token"]


def test_canary_secret_from_a_leaky_server_appears_nowhere(
    kubeconfig_for: Callable[..., Path],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """Even a server that ignores the metadata-only request cannot make nhiscan keep a value."""
    caplog.set_level(logging.DEBUG)
    for server in serve(FakeApiServer(objects=fixture_cluster(), leak_secret_data=True)):
        inv = collect(kubeconfig_for({"prod": server.url}))
    saved = tmp_path / "inventory.json"
    saved.write_text(dump_inventory(inv))
    out = capsys.readouterr()
    for text in (saved.read_text(), repr(inv), caplog.text, out.out, out.err):
        assert CANARY not in text and CANARY_PLAIN not in text
    assert {c.id for c in inv.credentials} == {"kube-system/legacy-token", "team-a/deployer-token"}


def test_pagination_follows_continue_tokens(kubeconfig_for: Callable[..., Path]) -> None:
    objects = [sa(f"sa-{i:03d}", f"ns-{i % 7}") for i in range(1203)] + fixture_cluster()
    for server in serve(FakeApiServer(objects=objects, max_page=100)):
        inv = collect(kubeconfig_for({"big": server.url}))
        sa_requests = [r for r in server.requests if r.path == "/api/v1/serviceaccounts"]
    assert len(inv.identities) == 1203 + 10
    assert len(sa_requests) == 13
    assert "continue" not in sa_requests[0].query
    assert all("continue" in r.query for r in sa_requests[1:])
    assert all(r.query["limit"] == ["500"] for r in sa_requests)


def test_forbidden_resource_is_a_gap_and_the_scan_goes_on(kubeconfig_for: Callable[..., Path]) -> None:
    for server in serve(FakeApiServer(objects=fixture_cluster(), deny={ROLES})):
        inv = collect(kubeconfig_for({"prod": server.url}))
    (gap,) = inv.gaps
    assert gap.status == "denied" and gap.source == f"GET {ROLES}" and "403" in gap.detail
    assert gap.scope == "k8s:cluster:prod"
    ids = {i.name: i for i in inv.identities}
    assert len(ids) == 10
    # the Role-based grants are missing, the ClusterRole-based ones are not
    assert view(ids["team-a/deployer"])["escalation_primitives"] == ["bind"]
    assert view(ids["ops/admin-bot"])["bound_to_cluster_admin"] is True


def test_throttling_is_retried(kubeconfig_for: Callable[..., Path]) -> None:
    for server in serve(FakeApiServer(objects=fixture_cluster(), throttle={"/api/v1/pods": 2})):
        inv = collect(kubeconfig_for({"prod": server.url}))
        pod_requests = [r for r in server.requests if r.path == "/api/v1/pods"]
    assert not inv.gaps
    assert len(pod_requests) == 3


def test_persistent_throttling_is_a_gap(kubeconfig_for: Callable[..., Path]) -> None:
    for server in serve(FakeApiServer(objects=fixture_cluster(), throttle={"/api/v1/pods": 99})):
        inv = collect(kubeconfig_for({"prod": server.url}))
    # without pods the kube-apiserver flags cannot be seen either
    assert {(g.source, g.status) for g in inv.gaps} == {
        ("GET /api/v1/pods", "throttled"),
        ("kube-apiserver audit flags", "unknown"),
    }
    assert inv.logging[0].status == "unknown"


def test_everything_denied_is_a_collection_error(kubeconfig_for: Callable[..., Path]) -> None:
    for server in serve(FakeApiServer(objects=fixture_cluster(), deny={c.path for c in LIST_CALLS})):
        with pytest.raises(CollectionError) as info:
            collect(kubeconfig_for({"prod": server.url}))
    assert info.value.exit_code == 3
    assert "403" in str(info.value)


def test_several_contexts(kubeconfig_for: Callable[..., Path]) -> None:
    for a in serve(FakeApiServer(objects=fixture_cluster())):
        for b in serve(FakeApiServer(objects=[sa("solo", "ns1")])):
            path = kubeconfig_for({"east": a.url, "west": b.url})
            both = collect(path, contexts=("ctx-east", "ctx-west"))
            every = collect(path, all_contexts=True)
            current = collect(path)
    clusters = {view(i)["cluster"] for i in both.identities}
    assert clusters == {"east", "west"}
    assert {i.id for i in every.identities} == {i.id for i in both.identities}
    assert {view(i)["cluster"] for i in current.identities} == {"east"}
    assert {lg.scope for lg in both.logging} == {"k8s:cluster:east", "k8s:cluster:west"}


def test_one_unreachable_context_is_a_gap(kubeconfig_for: Callable[..., Path]) -> None:
    for a in serve(FakeApiServer(objects=fixture_cluster())):
        path = kubeconfig_for({"up": a.url, "down": "http://127.0.0.1:9"})
        inv = collect(path, all_contexts=True)
    assert {view(i)["cluster"] for i in inv.identities} == {"up"}
    assert any(g.scope == "k8s:cluster:down" for g in inv.gaps)


def test_unknown_context_is_a_config_error(
    kubeconfig_for: Callable[..., Path], fake_server: FakeApiServer
) -> None:
    with pytest.raises(ConfigError) as info:
        collect(kubeconfig_for({"prod": fake_server.url}), contexts=("nope",))
    assert "nope" in info.value.diagnostics() and "ctx-prod" in info.value.diagnostics()


def test_malformed_kubeconfig(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", "contexts": "broken"}))
    with pytest.raises(ConfigError) as info:
        collect(path)
    assert str(path) in info.value.diagnostics()


def test_credentials_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_PORT", raising=False)
    opts = CollectOptions(as_of=AS_OF)
    plugin = Plugin()
    assert "kubeconfig" in (plugin.credentials_hint(opts) or "")
    cfg = tmp_path / "cfg"
    cfg.write_text("{}")
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{cfg}")
    assert plugin.credentials_hint(opts) is None
    monkeypatch.delenv("KUBECONFIG")
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text("{}")
    assert plugin.credentials_hint(opts) is None
    (tmp_path / ".kube" / "config").unlink()
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    assert plugin.credentials_hint(opts) is None


def test_no_credentials_is_a_collection_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(CollectionError):
        Plugin().collect(CollectOptions(as_of=AS_OF))


def test_importing_the_provider_does_not_import_the_sdk() -> None:
    import subprocess
    import sys

    code = "import sys, nhiscan.providers.k8s; assert 'kubernetes' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_in_cluster_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No kubeconfig, running in a pod: the pod's token and CA, over HTTPS."""
    from kubernetes.config import incluster_config

    cert, key = self_signed(tmp_path)
    token = tmp_path / "token"
    token.write_text("in-cluster-sa-token")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(cert))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    for server in serve(FakeApiServer(objects=fixture_cluster()), tls=(cert, key)):
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", server.url.rsplit(":", 1)[1])
        assert Plugin().credentials_hint(CollectOptions(as_of=AS_OF)) is None
        inv = Plugin().collect(CollectOptions(as_of=AS_OF))
        auth = {r.authorization for r in server.requests}
    assert {view(i)["cluster"] for i in inv.identities} == {"in-cluster"}
    assert len(inv.identities) == 10
    assert {a.lower() for a in auth} == {
        "bearer in-cluster-sa-token"
    }  # the in-cluster loader writes "bearer"
