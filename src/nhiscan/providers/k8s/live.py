"""Read a live cluster with the official ``kubernetes`` client, using list calls only.

Every list is paged (``limit``/``continue``) and fetched as raw JSON (``_preload_content=False``) so
the objects have the same shape as ``kubectl get -o json`` output and go through the same
:func:`~nhiscan.providers.k8s.documents.sanitise` and builder as offline files. Secrets are listed
with a field selector for ``type=kubernetes.io/service-account-token`` *and* as
``PartialObjectMetadataList``, so the API server never sends secret data; anything it sends anyway
is dropped by ``sanitise`` before it is stored. A 403, 404 or persistent 429 on one resource becomes
a coverage gap and the scan goes on.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nhiscan.errors import CollectionError, ConfigError, InputError
from nhiscan.model import CoverageEntry, CoverageStatus, Inventory, merge, scope_key
from nhiscan.providers.interface import CollectOptions
from nhiscan.providers.k8s.build import PROVIDER, TOKEN_TYPE, build_cluster
from nhiscan.providers.k8s.documents import ClusterObjects, sanitise
from nhiscan.providers.k8s.settings import K8sSettings

PAGE_SIZE = 500
MAX_THROTTLE_RETRIES = 3
MAX_RETRY_AFTER_S = 5.0
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


@dataclass(frozen=True)
class ListCall:
    """One cluster-wide list: the API method, the object kind, and how it is requested."""

    api: str  # CoreV1Api | RbacAuthorizationV1Api | AppsV1Api | BatchV1Api
    method: str
    kind: str
    path: str
    required: bool = True  # a gap in an optional list (workload controllers) is still reported
    field_selector: str | None = None
    metadata_only: bool = False


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


#: Listed after the core resources, to find the agent custom resources (see agents.py).
CRD_CALL = ListCall(
    "ApiextensionsV1Api",
    "list_custom_resource_definition",
    "CustomResourceDefinition",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    required=False,
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


def _list_all(
    call: ListCall, method: Callable[..., Any], sleep: Callable[[float], None]
) -> list[dict[str, Any]]:
    from kubernetes.client.exceptions import ApiException

    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE, "_preload_content": False}
        if token:
            kwargs["_continue"] = token
        if call.field_selector:
            kwargs["field_selector"] = call.field_selector
        if call.metadata_only:
            kwargs["_headers"] = {"Accept": METADATA_ONLY}
        for attempt in range(MAX_THROTTLE_RETRIES + 1):
            try:
                response = method(**kwargs)
                break
            except ApiException as exc:
                if exc.status != 429 or attempt == MAX_THROTTLE_RETRIES:
                    raise
                retry_after = (exc.headers or {}).get("Retry-After", "1")
                try:
                    delay = min(float(retry_after), MAX_RETRY_AFTER_S)
                except ValueError:
                    delay = 1.0
                sleep(delay)
        body = json.loads(response.data)
        for item in body.get("items") or []:
            if not isinstance(item, dict):
                continue
            item["kind"] = call.kind  # list responses leave kind off their items
            items.append(item)
        token = (body.get("metadata") or {}).get("continue") or None
        if not token:
            return items


def collect_cluster(
    cluster: str, api_client: Any, options: CollectOptions, sleep: Callable[[float], None] = time.sleep
) -> Inventory:
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

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
            items = _list_all(call, getattr(api, call.method), sleep)
        except ApiException as exc:
            status = {
                403: CoverageStatus.DENIED,
                401: CoverageStatus.DENIED,
                404: CoverageStatus.NOT_FOUND,
                429: CoverageStatus.THROTTLED,
            }.get(exc.status or 0, CoverageStatus.ERROR)
            coverage.append(
                CoverageEntry(
                    PROVIDER, key, source, status.value, f"HTTP {exc.status} {exc.reason or ''}".strip()
                )
            )
            continue
        except (HTTPError, OSError, ValueError) as exc:
            coverage.append(
                CoverageEntry(
                    PROVIDER, key, source, CoverageStatus.ERROR.value, f"{type(exc).__name__}: {exc}"
                )
            )
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
    _collect_agent_resources(cluster, api_client, options, objects, coverage, sleep)
    return build_cluster(cluster, objects, coverage, generated_at=options.as_of)


def _gap_status(exc: Any) -> CoverageStatus:
    return {
        403: CoverageStatus.DENIED,
        401: CoverageStatus.DENIED,
        404: CoverageStatus.NOT_FOUND,
        429: CoverageStatus.THROTTLED,
    }.get(exc.status or 0, CoverageStatus.ERROR)


def _served_versions(crds: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(group, plural) -> served versions, storage version first."""
    out: dict[tuple[str, str], list[str]] = {}
    for crd in crds:
        raw = crd.get("spec")
        spec: dict[str, Any] = raw if isinstance(raw, dict) else {}
        group, names = spec.get("group"), spec.get("names") or {}
        plural = names.get("plural") if isinstance(names, dict) else None
        if not isinstance(group, str) or not isinstance(plural, str):
            continue
        versions = [v for v in spec.get("versions") or [] if isinstance(v, dict) and v.get("served")]
        versions.sort(key=lambda v: not v.get("storage"))
        out[(group, plural)] = [str(v.get("name")) for v in versions]
    return out


def _collect_agent_resources(
    cluster: str,
    api_client: Any,
    options: CollectOptions,
    objects: ClusterObjects,
    coverage: list[CoverageEntry],
    sleep: Callable[[float], None],
) -> None:
    """kagent and ToolHive objects (:mod:`nhiscan.providers.k8s.agents`). The CRD list says which
    are installed and at which versions; without it (403) the known versions are tried and a 404
    means the CRD is not installed, which is not a gap."""
    from functools import partial

    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    from nhiscan.providers.k8s.agents import RESOURCES

    key = scope_key(PROVIDER, "cluster", cluster)
    options.progress.step(f"k8s {cluster}: list {CRD_CALL.path}")
    served: dict[tuple[str, str], list[str]] | None
    try:
        crd_api = client.ApiextensionsV1Api(api_client)
        served = _served_versions(_list_all(CRD_CALL, crd_api.list_custom_resource_definition, sleep))
        coverage.append(
            CoverageEntry(
                PROVIDER, key, f"GET {CRD_CALL.path}", CoverageStatus.OK.value, f"{len(served)} CRDs"
            )
        )
    except ApiException as exc:
        served = None
        coverage.append(
            CoverageEntry(
                PROVIDER,
                key,
                f"GET {CRD_CALL.path}",
                _gap_status(exc).value,
                f"HTTP {exc.status} {exc.reason or ''}; agent custom resources tried at their known versions".strip(),
            )
        )
    except (HTTPError, OSError, ValueError) as exc:
        served = None
        coverage.append(
            CoverageEntry(
                PROVIDER,
                key,
                f"GET {CRD_CALL.path}",
                CoverageStatus.ERROR.value,
                f"{type(exc).__name__}: {exc}",
            )
        )
    custom = client.CustomObjectsApi(api_client)
    for res in RESOURCES:
        if served is None:
            versions = [res.versions[0]]
        else:
            available = served.get((res.group, res.plural))
            if not available:
                continue  # not installed
            versions = [v for v in res.versions if v in available] or available[:1]
            if not res.every_version:
                versions = versions[:1]
        for version in versions:
            path = f"/apis/{res.group}/{version}/{res.plural}"
            source = f"GET {path}"
            options.progress.step(f"k8s {cluster}: list {path}")
            call = ListCall("CustomObjectsApi", "list_cluster_custom_object", res.kind, path, required=False)
            try:
                items = _list_all(
                    call, partial(custom.list_cluster_custom_object, res.group, version, res.plural), sleep
                )
            except ApiException as exc:
                if served is None and exc.status == 404:
                    continue
                coverage.append(
                    CoverageEntry(
                        PROVIDER,
                        key,
                        source,
                        _gap_status(exc).value,
                        f"HTTP {exc.status} {exc.reason or ''}".strip(),
                    )
                )
                continue
            except (HTTPError, OSError, ValueError) as exc:
                coverage.append(
                    CoverageEntry(
                        PROVIDER, key, source, CoverageStatus.ERROR.value, f"{type(exc).__name__}: {exc}"
                    )
                )
                continue
            bad: list[str] = []
            for i, item in enumerate(items):
                item["apiVersion"] = f"{res.group}/{version}"
                try:
                    clean = sanitise(source, f"items[{i}]", item, None)
                except InputError as exc:
                    # CRDs often preserve unknown fields, so the server accepts objects the
                    # operator would reject: skip such an object, say so, keep the rest.
                    bad.append(exc.problem)
                    continue
                if clean is not None:
                    objects.add(clean, source)
            if bad:
                detail = f"{len(bad)} malformed object(s) skipped, first: {bad[0]}"
                coverage.append(CoverageEntry(PROVIDER, key, source, CoverageStatus.ERROR.value, detail))
            else:
                coverage.append(
                    CoverageEntry(PROVIDER, key, source, CoverageStatus.OK.value, f"{len(items)} objects")
                )


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
