"""Kubernetes: service accounts, their legacy tokens, effective RBAC, cloud identities and audit.

Live collection reads the clusters of one or more kubeconfig contexts (:class:`~nhiscan.providers.k8s.settings.K8sSettings`
``contexts``, ``all_contexts``, ``kubeconfig``) or the in-cluster configuration. Offline
import reads ``kubectl get serviceaccounts,secrets,pods,roles,clusterroles,rolebindings,
clusterrolebindings -A -o json`` output (a ``List``), the same as YAML, folders of such files, and
plain manifests (multi-document YAML). Secret values are never read or stored.

Identity: ``k8s://<cluster>/ns/<namespace>/serviceaccount/<name>``, kind ``k8s.service_account``,
name ``<namespace>/<name>``, scope ``k8s:namespace:<cluster>/<namespace>`` (parent: the cluster).
For offline files the cluster name is the ``cluster_name`` setting if given, else the name of the
file (without extension) when one file is read, else the name of the folder holding the files.

Facts (:mod:`nhiscan.providers.k8s.facts`; rules read ``identity.k8s.<field>``): where the
account lives and runs (``namespace``, ``cluster``, ``workloads``, ``pods``, ``pods_automounting``,
``workloads_automounting``, ``automount``, ``is_default``, ``system``), its cloud identities and
legacy tokens, and its effective RBAC (``secret_read_scope``, ``escalation_primitives`` and
``escalation_scopes``, ``bound_to_cluster_admin``, ``cluster_admin_scope``,
``namespace_admin_via``, ``rbac_rule_count``, ``direct_bindings``). ``aliases`` holds the
account's user name ``system:serviceaccount:<ns>:<name>``. Legacy tokens carry
``credential.k8s.*``, cloud-identity and derived RBAC edges ``edge.k8s.*``, the audit state
``logging.k8s.*``.

Permission classes: ``admin``, ``can_escalate``, ``secret_read``, ``wildcard`` and
``k8s_<primitive>`` for each escalation primitive (also ``identity.k8s.escalation_primitives``,
which rules read).

AI agents and MCP servers (kagent and ToolHive custom resources, and workloads scored by
heuristics) become ``agent.k8s_agent`` / ``agent.mcp_server`` identities: see
:mod:`nhiscan.providers.k8s.agents`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from nhiscan.model import Identity, Inventory
from nhiscan.providers.interface import (
    CollectOptions,
    Delegation,
    DelegationContext,
    LoadedFile,
    ProviderPlugin,
    RecognisedFile,
)
from nhiscan.providers.k8s.facts import K8sCredentialFacts, K8sEdgeFacts, K8sIdentityFacts, K8sLoggingFacts
from nhiscan.providers.k8s.settings import K8sSettings


def offline_cluster_name(paths: Sequence[Path]) -> str:
    """A stable cluster name for files that do not carry one: the file name without extension
    for one file, else the name of the deepest folder holding all the files."""
    if len(paths) == 1:
        return paths[0].stem or "cluster"
    common = Path(os.path.commonpath([str(p.resolve().parent) for p in paths]))
    return common.name or "cluster"


class Plugin(ProviderPlugin):
    name: ClassVar[str] = "k8s"
    extra: ClassVar[str] = "k8s"
    description: ClassVar[str] = "Kubernetes service accounts, legacy tokens, RBAC and audit logging"
    display_name: ClassVar[str] = "Kubernetes"
    settings_class = K8sSettings
    sdk_modules: ClassVar[tuple[str, ...]] = ("kubernetes",)
    derives_admin_edges: ClassVar[bool] = True
    identity_facts: ClassVar[type | None] = K8sIdentityFacts
    credential_facts: ClassVar[type | None] = K8sCredentialFacts
    edge_facts: ClassVar[type | None] = K8sEdgeFacts
    logging_facts: ClassVar[type | None] = K8sLoggingFacts
    identity_kinds: ClassVar[Mapping[str, str]] = {
        "k8s.service_account": "Kubernetes ServiceAccount",
        "agent.k8s_agent": "AI agent on Kubernetes (kagent Agent, or a workload that looks like one)",
        "agent.mcp_server": "MCP server on Kubernetes (kagent or ToolHive resource, or a workload)",
    }
    credential_kinds: ClassVar[Mapping[str, str]] = {
        "k8s.legacy_token": "legacy kubernetes.io/service-account-token Secret",
    }
    edge_kinds: ClassVar[Mapping[str, str]] = {
        "k8s.cloud_identity": "workload identity annotation: the account acts as a cloud identity",
        "k8s.pod_create": "create pods: run a pod as the accounts of the namespace",
        "k8s.workload_create": "create or change pod controllers: run pods as the namespace's accounts",
        "k8s.token_create": "create serviceaccounts/token: mint the accounts' tokens",
        "k8s.secret_token": "create Secrets: a legacy token Secret for the namespace's accounts",
        "k8s.impersonate": "impersonate service accounts (or system:masters: the admin sink)",
        "k8s.bind_escalate": "bind or escalate roles: become namespace or cluster admin",
        "k8s.csr_approve": "approve client certificates: a system:masters certificate",
        "k8s.nodes_proxy": "nodes/proxy: exec into the pods of every account that has one",
        "admin": "cluster-admin: administrator of the cluster",
        "agent.runs_as": "the agent's pods run as the ServiceAccount",
        "agent.uses_tool": "the kagent agent calls the MCP server or Service",
        "agent.delegates_to": "the kagent agent delegates to another agent",
    }

    def delegation(self, context: DelegationContext) -> Delegation | None:
        from nhiscan.providers.k8s.delegation import SA_KIND, K8sEdges

        if not any(i.kind == SA_KIND for i in context.inventory.identities):
            return None
        return K8sEdges(context.inventory.identities, context.sink_of)

    def sink_scope(self, ident: Identity, parents: Mapping[str, str | None]) -> str:
        # a namespace's administrator is the cluster's: RBAC escalation crosses namespaces
        parent = parents.get(ident.scope)
        if parent:
            return parent
        if ident.scope.startswith("k8s:namespace:"):
            return "k8s:cluster:" + ident.scope.removeprefix("k8s:namespace:").split("/", 1)[0]
        return ident.scope

    def credentials_hint(self, options: CollectOptions) -> str | None:
        from nhiscan.providers.k8s.live import credentials_hint

        return credentials_hint(options.settings_for(K8sSettings))

    def collect(self, options: CollectOptions) -> Inventory:
        try:
            import kubernetes  # noqa: F401
        except ImportError as exc:
            from nhiscan.errors import MissingExtraError

            raise MissingExtraError("k8s", "kubernetes") from exc
        from nhiscan.providers.k8s.live import collect

        return collect(options)

    def recognise(self, file: LoadedFile) -> str | None:
        from nhiscan.providers.k8s.documents import looks_like_kubernetes

        return looks_like_kubernetes(file.data, file.text)

    def build(self, files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
        from nhiscan.providers.k8s.build import build_cluster, gc_paused, offline_coverage
        from nhiscan.providers.k8s.documents import ClusterObjects, load_file_objects

        if not files:
            return Inventory(providers=(self.name,), generated_at=options.as_of)
        settings = options.settings_for(K8sSettings)
        cluster = settings.cluster_name or offline_cluster_name([f.file.path for f in files])
        default_ns = settings.namespace
        objects = ClusterObjects()
        with gc_paused():
            for rf in sorted(files, key=lambda f: str(f.file.path)):
                load_file_objects(str(rf.file.path), rf.file.text, rf.file.data, default_ns, objects)
        return build_cluster(cluster, objects, offline_coverage(cluster, objects), generated_at=options.as_of)
