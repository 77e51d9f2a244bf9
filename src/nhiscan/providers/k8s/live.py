"""Read a live cluster with the official ``kubernetes`` client, using list calls only.

Every list is paged (``limit``/``continue``) and fetched as raw JSON (``_preload_content=False``) so
the objects have the same shape as ``kubectl get -o json`` output (see
:mod:`~nhiscan.providers.k8s.listing`) and go through the same
:func:`~nhiscan.providers.k8s.documents.sanitise` and builder as offline files. Secrets are listed
with a field selector for ``type=kubernetes.io/service-account-token`` *and* as
``PartialObjectMetadataList``, so the API server never sends secret data; anything it sends anyway
is dropped by ``sanitise`` before it is stored. A 403, 404 or persistent 429 on one resource becomes
a coverage gap and the scan goes on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nhiscan.errors import CollectionError, ConfigError, Gap
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, merge, scope_key
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.k8s.agents.live import collect_agent_resources
from nhiscan.providers.k8s.build import PROVIDER, TOKEN_TYPE, build_cluster
from nhiscan.providers.k8s.documents import ClusterObjects, sanitise
from nhiscan.providers.k8s.listing import ListCall, list_or_gap
from nhiscan.providers.k8s.settings import K8sSettings

LIST_CALLS: tuple[ListCall, ...] = (
    ListCall(
        "CoreV1Api", "list_service_account_for_all_namespaces", "ServiceAccount", "/api/v1/serviceaccounts"
    ),
    ListCall(
        "CoreV1Api",
        "list_secret_for_all_namespaces",
        "Secret",
        "/api/v1/secrets",
        field_selector=f"type={TOKEN_TYPE}",
        metadata_only=True,
    ),
    ListCall("CoreV1Api", "list_pod_for_all_namespaces", "Pod", "/api/v1/pods"),
    ListCall(
        "RbacAuthorizationV1Api",
        "list_role_for_all_namespaces",
        "Role",
        "/apis/rbac.authorization.k8s.io/v1/roles",
    ),
    ListCall(
        "RbacAuthorizationV1Api",
        "list_cluster_role",
        "ClusterRole",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    ),
    ListCall(
        "RbacAuthorizationV1Api",
        "list_role_binding_for_all_namespaces",
        "RoleBinding",
        "/apis/rbac.authorization.k8s.io/v1/rolebindings",
    ),
    ListCall(
        "RbacAuthorizationV1Api",
        "list_cluster_role_binding",
        "ClusterRoleBinding",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    ),
    ListCall(
        "AppsV1Api", "list_deployment_for_all_namespaces", "Deployment", "/apis/apps/v1/deployments", False
    ),
    ListCall(
        "AppsV1Api", "list_daemon_set_for_all_namespaces", "DaemonSet", "/apis/apps/v1/daemonsets", False
    ),
    ListCall(
        "AppsV1Api",
        "list_stateful_set_for_all_namespaces",
        "StatefulSet",
        "/apis/apps/v1/statefulsets",
        False,
    ),
    ListCall("BatchV1Api", "list_job_for_all_namespaces", "Job", "/apis/batch/v1/jobs", False),
    ListCall("BatchV1Api", "list_cron_job_for_all_namespaces", "CronJob", "/apis/batch/v1/cronjobs", False),
)


def kubeconfig_path(settings: K8sSettings) -> Path | None:
    """The kubeconfig file to use: the ``kubeconfig`` setting, the first existing file in
    ``KUBECONFIG``, or ``~/.kube/config``; None when there is none."""
    if settings.kubeconfig is not None:
        return settings.kubeconfig
    for part in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if part and Path(part).is_file():
            return Path(part)
    default = Path.home() / ".kube" / "config"
    return default if default.is_file() else None


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and bool(os.environ.get("KUBERNETES_SERVICE_PORT"))


def credentials_hint(settings: K8sSettings) -> str | None:
    path = kubeconfig_path(settings)
    if path is not None and path.is_file():
        return None
    if in_cluster():
        return None
    if path is not None:
        return f"kubeconfig {path} does not exist"
    return "no kubeconfig (KUBECONFIG or ~/.kube/config) and not running in a cluster"


def _clients(options: CollectOptions) -> list[tuple[str, Any]]:
    """(cluster name, ApiClient) for every context asked for."""
    from kubernetes import client
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException

    config: Any = kube_config  # the loader functions carry no type hints
    settings = options.settings_for(K8sSettings)
    path = kubeconfig_path(settings)
    if path is None or not path.is_file():
        if path is None and in_cluster():
            cfg = client.Configuration()
            try:
                config.load_incluster_config(client_configuration=cfg)
            except ConfigException as exc:
                raise CollectionError(f"k8s: in-cluster configuration failed: {exc}") from exc
            return [(settings.cluster_name or "in-cluster", client.ApiClient(cfg))]
        raise CollectionError(f"k8s: {credentials_hint(settings)}")
    try:
        contexts, current = config.list_kube_config_contexts(config_file=str(path))
    except (ConfigException, OSError, ValueError) as exc:
        raise ConfigError(str(path), f"not a usable kubeconfig: {exc}") from exc
    by_name = {c["name"]: c for c in contexts or []}
    if settings.all_contexts:
        wanted = sorted(by_name)
    elif settings.contexts:
        wanted = list(dict.fromkeys(settings.contexts))
    elif current:
        wanted = [current["name"]]
    else:
        raise ConfigError(str(path), "no current-context; pass --context or --all-contexts")
    out = []
    for name in wanted:
        ctx = by_name.get(name)
        if ctx is None:
            raise ConfigError(
                str(path), f"context {name!r} not found (known: {', '.join(sorted(by_name)) or 'none'})"
            )
        cluster = str((ctx.get("context") or {}).get("cluster") or name)
        if settings.cluster_name and len(wanted) == 1:
            cluster = settings.cluster_name
        try:
            api_client = config.new_client_from_config(config_file=str(path), context=name)
        except (ConfigException, OSError, ValueError) as exc:
            raise ConfigError(str(path), f"context {name!r}: {exc}") from exc
        out.append((cluster, api_client))
    return out


def collect_cluster(
    cluster: str, api_client: Any, options: CollectOptions, sleep: Callable[[float], None] = time.sleep
) -> Inventory:
    """List the core resources of one cluster, then its agent resources, and build it. One list
    that fails is a coverage gap; a cluster of which nothing could be read is an error."""
    from kubernetes import client

    key = scope_key(PROVIDER, "cluster", cluster)
    objects = ClusterObjects()
    coverage: list[CoverageEntry] = []
    apis: dict[str, Any] = {}
    read_any = False
    for call in LIST_CALLS:
        options.progress.step(f"k8s {cluster}: list {call.path}")
        api = apis.setdefault(call.api, getattr(client, call.api)(api_client))
        source = f"GET {call.path}"
        try:
            items = list_or_gap(call, getattr(api, call.method), sleep)
        except Gap as g:
            coverage.append(CoverageEntry(PROVIDER, key, source, g.status, g.detail))
            continue
        read_any = True
        for i, item in enumerate(items):
            if call.metadata_only:
                item["type"] = TOKEN_TYPE  # implied by the field selector; metadata lists carry no type
            clean = sanitise(source, f"items[{i}]", item, None)
            if clean is not None:
                objects.add(clean, source)
        coverage.append(
            CoverageEntry(PROVIDER, key, source, CoverageStatus.OK.value, f"{len(items)} objects")
        )
    if not read_any:
        details = "; ".join(f"{c.source}: {c.detail}" for c in coverage[:3])
        raise CollectionError(f"k8s: nothing could be read from cluster {cluster!r} ({details})")
    collect_agent_resources(cluster, api_client, key, objects, coverage, options.progress.step, sleep)
    return build_cluster(cluster, objects, coverage, generated_at=options.as_of)


def _collect_or_gap(cluster: str, api_client: Any, options: CollectOptions) -> tuple[Inventory, str | None]:
    try:
        return collect_cluster(cluster, api_client, options), None
    except CollectionError as exc:
        key = scope_key(PROVIDER, "cluster", cluster)
        gap = CoverageEntry(PROVIDER, key, "cluster", CoverageStatus.ERROR.value, str(exc))
        return Inventory(coverage=(gap,), providers=(PROVIDER,)), str(exc)


def collect(options: CollectOptions) -> Inventory:
    """Collect every context asked for; one unreachable cluster is a gap, all of them an error."""
    results = [_collect_or_gap(cluster, api_client, options) for cluster, api_client in _clients(options)]
    failures = [f for _, f in results if f]
    if failures and len(failures) == len(results):
        raise CollectionError("; ".join(failures))
    return merge([inv for inv, _ in results], generated_at=options.as_of)
