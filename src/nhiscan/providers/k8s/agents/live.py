"""List the kagent and ToolHive custom resources of a live cluster (read-only list calls).

The CRD list says which resources are installed and at which versions; without it (403) the
known versions are tried, and then a 404 means the CRD is not installed, which is not a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from nhiscan.errors import Gap, InputError
from nhiscan.model import CoverageEntry, CoverageStatus
from nhiscan.providers.k8s.agents.resources import RESOURCES, CustomResource
from nhiscan.providers.k8s.documents import ClusterObjects, sanitise
from nhiscan.providers.k8s.listing import ListCall, list_or_gap

PROVIDER = "k8s"
#: Listed after the core resources, to find the agent custom resources.
CRD_CALL = ListCall(
    "ApiextensionsV1Api",
    "list_custom_resource_definition",
    "CustomResourceDefinition",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    required=False,
)


def served_versions(crds: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
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


def versions_to_list(res: CustomResource, served: dict[tuple[str, str], list[str]] | None) -> list[str]:
    """The versions of one resource to list: the first known one when the CRD list could not be
    read, none when the CRD is not installed, else the served known ones (or the first served)."""
    if served is None:
        return [res.versions[0]]
    available = served.get((res.group, res.plural))
    if not available:
        return []
    versions = [v for v in res.versions if v in available] or available[:1]
    return versions if res.every_version else versions[:1]


class AgentLister:
    """Lists the agent resources of one cluster into its objects, recording coverage."""

    def __init__(
        self,
        api_client: Any,
        scope: str,
        objects: ClusterObjects,
        coverage: list[CoverageEntry],
        step: Callable[[str], None],
        sleep: Callable[[float], None],
    ) -> None:
        self.api_client, self.scope, self.objects = api_client, scope, objects
        self.coverage, self.step, self.sleep = coverage, step, sleep

    def note(self, source: str, status: str, detail: str) -> None:
        self.coverage.append(CoverageEntry(PROVIDER, self.scope, source, status, detail))

    def served(self) -> dict[tuple[str, str], list[str]] | None:
        """Served versions from the CRD list, or None when it cannot be read."""
        from kubernetes import client

        source = f"GET {CRD_CALL.path}"
        self.step(f"list {CRD_CALL.path}")
        crd_api = client.ApiextensionsV1Api(self.api_client)
        try:
            served = served_versions(
                list_or_gap(CRD_CALL, crd_api.list_custom_resource_definition, self.sleep)
            )
        except Gap as g:
            self.note(source, g.status, f"{g.detail}; agent custom resources tried at their known versions")
            return None
        self.note(source, CoverageStatus.OK.value, f"{len(served)} CRDs")
        return served

    def list_version(self, custom: Any, res: CustomResource, version: str, guessed: bool) -> None:
        """One resource at one version; ``guessed``: the CRD list was not read, so a 404 only
        says the CRD is not installed."""
        path = f"/apis/{res.group}/{version}/{res.plural}"
        source = f"GET {path}"
        self.step(f"list {path}")
        call = ListCall("CustomObjectsApi", "list_cluster_custom_object", res.kind, path, required=False)
        method = partial(custom.list_cluster_custom_object, res.group, version, res.plural)
        try:
            items = list_or_gap(call, method, self.sleep)
        except Gap as g:
            if not (guessed and g.status == CoverageStatus.NOT_FOUND.value):
                self.note(source, g.status, g.detail)
            return
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
                self.objects.add(clean, source)
        if bad:
            self.note(
                source, CoverageStatus.ERROR.value, f"{len(bad)} malformed object(s) skipped, first: {bad[0]}"
            )
        else:
            self.note(source, CoverageStatus.OK.value, f"{len(items)} objects")


def collect_agent_resources(
    cluster: str,
    api_client: Any,
    scope: str,
    objects: ClusterObjects,
    coverage: list[CoverageEntry],
    step: Callable[[str], None],
    sleep: Callable[[float], None],
) -> None:
    """kagent and ToolHive objects of one cluster into ``objects``; every list read or missed
    is a coverage entry. ``step`` reports progress (prefixed with the cluster)."""
    from kubernetes import client

    lister = AgentLister(api_client, scope, objects, coverage, lambda s: step(f"k8s {cluster}: {s}"), sleep)
    served = lister.served()
    custom = client.CustomObjectsApi(api_client)
    for res in RESOURCES:
        for version in versions_to_list(res, served):
            lister.list_version(custom, res, version, guessed=served is None)
