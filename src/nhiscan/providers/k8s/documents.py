"""Reading Kubernetes objects from ``kubectl get ... -o json|yaml`` output and from manifests.

Everything the Kubernetes provider analyses passes through :func:`sanitise`, which keeps only the
fields nhiscan needs. A Secret is cut down to its metadata and ``type`` the moment it is read, and
the ``kubectl.kubernetes.io/last-applied-configuration`` annotation (which holds a full copy of the
object, Secret data included) is dropped from every object, so no secret value is ever stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.k8s.agents.documents import sanitise_resource
from nhiscan.providers.k8s.agents.heuristics import workload_signals
from nhiscan.providers.k8s.agents.resources import QUALIFIED_KINDS, qualified_kind

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

#: Kinds this provider reads, by the collection they land in.
KIND_TO_COLLECTION: dict[str, str] = {
    "ServiceAccount": "service_accounts",
    "Secret": "secrets",
    "Pod": "pods",
    "Role": "roles",
    "ClusterRole": "cluster_roles",
    "RoleBinding": "role_bindings",
    "ClusterRoleBinding": "cluster_role_bindings",
    "Deployment": "workloads",
    "DaemonSet": "workloads",
    "StatefulSet": "workloads",
    "ReplicaSet": "workloads",
    "ReplicationController": "workloads",
    "Job": "workloads",
    "CronJob": "workloads",
    # kagent / ToolHive custom resources, by ``Kind.group`` (see nhiscan.providers.k8s.agents)
    **dict.fromkeys(sorted(QUALIFIED_KINDS), "agent_resources"),
}
#: Secrets and pods keep only the metadata nhiscan reads: their other labels and annotations are
#: free text that could hold anything, so they never enter the pipeline.
KEEP_ANNOTATIONS: dict[str, frozenset[str]] = {
    "Secret": frozenset({"kubernetes.io/service-account.name", "kubernetes.io/service-account.uid"}),
    "Pod": frozenset({"kubernetes.io/config.mirror"}),
}
KEEP_LABELS: dict[str, frozenset[str]] = {
    "Secret": frozenset({"kubernetes.io/legacy-token-last-used", "kubernetes.io/legacy-token-invalid-since"}),
    "Pod": frozenset({"component", "tier"}),
}
CLUSTER_SCOPED_KINDS = frozenset({"ClusterRole", "ClusterRoleBinding"})
LIST_KINDS = frozenset({"List"} | {f"{k}List" for k in KIND_TO_COLLECTION})

_TOP_LEVEL_KIND = re.compile(
    r"^kind:\s*[\"']?(" + "|".join(map(re.escape, sorted(KIND_TO_COLLECTION))) + r"|List)[\"']?\s*$",
    re.MULTILINE,
)
_TOP_LEVEL_API_VERSION = re.compile(r"^apiVersion:\s*\S+", re.MULTILINE)
_ANY_TOP_LEVEL_KIND = re.compile(r"^kind:\s*[\"']?[A-Z]\w*[\"']?\s*$", re.MULTILINE)
_JSON_KIND = re.compile(
    r'"kind"\s*:\s*"(' + "|".join(map(re.escape, sorted(KIND_TO_COLLECTION))) + r'|List)"'
)


@dataclass
class ClusterObjects:
    """The sanitised objects of one cluster, grouped by collection. Built once, then only read."""

    service_accounts: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    pods: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    cluster_roles: list[dict[str, Any]] = field(default_factory=list)
    role_bindings: list[dict[str, Any]] = field(default_factory=list)
    cluster_role_bindings: list[dict[str, Any]] = field(default_factory=list)
    workloads: list[dict[str, Any]] = field(default_factory=list)
    agent_resources: list[dict[str, Any]] = field(default_factory=list)
    #: collection name -> where its objects came from (file names or API paths)
    seen: dict[str, set[str]] = field(default_factory=dict)

    def add(self, obj: dict[str, Any], source: str) -> None:
        collection = KIND_TO_COLLECTION[obj["kind"]]
        obj["_src"] = source
        getattr(self, collection).append(obj)
        self.seen.setdefault(collection, set()).add(source)


def _is_object(d: Any) -> bool:
    return (
        isinstance(d, Mapping)
        and isinstance(d.get("apiVersion"), str)
        and isinstance(d.get("kind"), str)
        and isinstance(d.get("metadata"), Mapping)
    )


def looks_like_kubernetes(data: Any, text: str) -> str | None:
    """The document type of a file of Kubernetes objects: a ``kubectl get`` List, or one or more
    objects (manifests). Files of other kinds only (a folder of manifests has ConfigMaps and
    Services too) are claimed as well and contribute nothing, so such a folder imports as a whole."""
    if isinstance(data, Mapping):
        kind = data.get("kind")
        if isinstance(kind, str) and (kind in LIST_KINDS or kind in KIND_TO_COLLECTION):
            return "k8s.list" if kind in LIST_KINDS else "k8s.manifest"
        if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
            return "k8s.list"
        return "k8s.manifest" if _is_object(data) else None
    if isinstance(data, list):
        docs = [d for d in data if d is not None]
        return "k8s.manifest" if docs and all(_is_object(d) for d in docs) else None
    head = text.lstrip("\ufeff").lstrip()[:1]
    if head in ("{", "[") and _JSON_KIND.search(text[:20000]):
        # A JSON file that did not parse: claim it so the user gets the parse error.
        return "k8s.list"
    if _TOP_LEVEL_KIND.search(text) or (
        _TOP_LEVEL_API_VERSION.search(text) and _ANY_TOP_LEVEL_KIND.search(text)
    ):
        return "k8s.manifest"
    return None


def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_documents(where: str, text: str, data: Any) -> list[Any]:
    """Top-level documents of a file: one JSON value, or every document of a YAML stream."""
    if isinstance(data, (Mapping, list)):
        return [data] if isinstance(data, Mapping) else list(data)
    text = text.lstrip("\ufeff")  # a byte-order mark is not whitespace to str.lstrip or json
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise InputError(
                where, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc
    import yaml

    try:
        return [d for d in yaml.load_all(text, Loader=_yaml_loader()) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(where, f"invalid YAML{at}: {problem}") from exc


def iter_objects(where: str, documents: Iterable[Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(json path, object)`` for every object in the documents, unwrapping Lists."""
    for d_index, doc in enumerate(documents):
        prefix = f"document {d_index + 1}" if d_index else ""
        if isinstance(doc, list):
            items: Any = doc
            base = f"{prefix}[]" if prefix else ""
        elif isinstance(doc, Mapping):
            kind = doc.get("kind")
            if not isinstance(kind, str):
                raise InputError(where, f"{prefix or 'top level'}: field 'kind' is missing or not a string")
            if kind in LIST_KINDS or kind.endswith("List"):
                items = doc.get("items")
                if items is None:
                    items = []
                if not isinstance(items, list):
                    raise InputError(where, f"{prefix + '.' if prefix else ''}items: expected a list")
                base = f"{prefix + '.' if prefix else ''}items"
            else:
                yield (prefix or "(top)"), doc
                continue
        else:
            raise InputError(where, f"{prefix or 'top level'}: expected a Kubernetes object or List")
        for i, item in enumerate(items):
            path = f"{base}[{i}]"
            if not isinstance(item, Mapping):
                raise InputError(where, f"{path}: expected an object")
            yield path, item


def sanitise(
    where: str, path: str, obj: Mapping[str, Any], default_namespace: str | None
) -> dict[str, Any] | None:
    """Validate and trim one object. Returns None for kinds this provider does not read."""
    kind = obj.get("kind")
    if not isinstance(kind, str):
        raise InputError(where, f"{path}.kind: missing or not a string")
    qualified = None
    if kind not in KIND_TO_COLLECTION:
        qualified = qualified_kind(obj)
        if qualified is None:
            return None
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        raise InputError(where, f"{path}.metadata: missing or not an object ({kind})")
    clean_meta = clean_metadata(where, path, kind, meta, default_namespace)
    if qualified is not None:
        return sanitise_resource(where, path, obj, qualified, clean_meta)
    name = clean_meta["name"]
    out: dict[str, Any] = {"kind": kind, "metadata": clean_meta}
    if kind == "Secret":
        # Only the type: data, stringData and everything else are dropped here, before storage.
        out["type"] = str(obj.get("type") or "")
        return out
    if kind == "ServiceAccount":
        out["automountServiceAccountToken"] = _opt_bool(where, path, obj, "automountServiceAccountToken")
        return out
    if kind in ("Role", "ClusterRole"):
        return sanitise_role(where, path, obj, out)
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = obj.get("roleRef")
        if (
            not isinstance(ref, Mapping)
            or not isinstance(ref.get("name"), str)
            or not isinstance(ref.get("kind"), str)
        ):
            raise InputError(where, f"{path}.roleRef: missing kind or name ({kind} {name})")
        subjects = obj.get("subjects") or []
        if not isinstance(subjects, list) or not all(isinstance(s, Mapping) for s in subjects):
            raise InputError(where, f"{path}.subjects: expected a list of objects ({kind} {name})")
        out["roleRef"] = {"kind": ref["kind"], "name": ref["name"]}
        out["subjects"] = [
            {k: str(s[k]) for k in ("kind", "name", "namespace") if s.get(k) is not None} for s in subjects
        ]
        return out
    return sanitise_workload(where, path, obj, out)


def clean_metadata(
    where: str, path: str, kind: str, meta: Mapping[str, Any], default_namespace: str | None
) -> dict[str, Any]:
    """The metadata nhiscan keeps: name, namespace, the labels and annotations it may keep for
    the kind (never ``last-applied-configuration``), creation time, uid and owner references."""
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(where, f"{path}.metadata.name: missing or not a string ({kind})")
    clean_meta: dict[str, Any] = {"name": name}
    if kind not in CLUSTER_SCOPED_KINDS:
        ns = meta.get("namespace") or default_namespace
        if not isinstance(ns, str) or not ns:
            raise InputError(where, f"{path}.metadata.namespace: missing or not a string ({kind} {name})")
        clean_meta["namespace"] = ns
    for key in ("labels", "annotations"):
        value = meta.get(key)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise InputError(where, f"{path}.metadata.{key}: expected an object ({kind} {name})")
        keep = KEEP_ANNOTATIONS.get(kind) if key == "annotations" else KEEP_LABELS.get(kind)
        clean_meta[key] = {
            str(k): str(v) for k, v in value.items() if k != LAST_APPLIED and (keep is None or k in keep)
        }
    for key in ("creationTimestamp", "uid"):
        if meta.get(key) is not None:
            clean_meta[key] = str(meta[key])
    owners = meta.get("ownerReferences")
    if isinstance(owners, list):
        clean_meta["ownerReferences"] = [
            {"kind": o.get("kind"), "name": o.get("name")} for o in owners if isinstance(o, Mapping)
        ]
    return clean_meta


def sanitise_role(where: str, path: str, obj: Mapping[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    """A Role or ClusterRole: its rules, and a ClusterRole's aggregation selectors."""
    kind, name = out["kind"], out["metadata"]["name"]
    out["rules"] = _rules(where, path, obj.get("rules"), f"{kind} {name}")
    agg = obj.get("aggregationRule")
    if kind == "ClusterRole" and agg is not None:
        if not isinstance(agg, Mapping) or not isinstance(agg.get("clusterRoleSelectors", []), list):
            raise InputError(where, f"{path}.aggregationRule: expected clusterRoleSelectors list ({name})")
        out["aggregationRule"] = {"clusterRoleSelectors": list(agg.get("clusterRoleSelectors") or [])}
    return out


def sanitise_workload(where: str, path: str, obj: Mapping[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    """Pods and workload controllers: only the pod spec facts nhiscan reads, and the agent
    signals of the pod (template) when it looks like an agent or MCP server."""
    kind, clean_meta = out["kind"], out["metadata"]
    name = clean_meta["name"]
    meta: Mapping[str, Any] = obj["metadata"]
    spec = obj.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise InputError(where, f"{path}.spec: expected an object ({kind} {name})")
    pod_spec: Any = spec
    if kind == "CronJob":
        pod_spec = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    elif kind != "Pod":
        pod_spec = (spec.get("template") or {}).get("spec") or {}
    if not isinstance(pod_spec, Mapping):
        raise InputError(where, f"{path}.spec: pod template spec is not an object ({kind} {name})")
    out["spec"] = _pod_spec(
        where, path, pod_spec, kind == "Pod" and clean_meta.get("namespace") == "kube-system"
    )
    # the pod template's labels are what the operators set; the controller's own win on conflict
    labels: Mapping[str, Any] = meta.get("labels") or {}
    template = (spec.get("jobTemplate") or {}).get("spec") or {} if kind == "CronJob" else spec
    template_meta = (template.get("template") or {}).get("metadata") if kind != "Pod" else None
    if isinstance(template_meta, Mapping) and isinstance(template_meta.get("labels"), Mapping):
        labels = {**template_meta["labels"], **labels}
    owners = meta.get("ownerReferences")
    owners_raw = owners if isinstance(owners, list) else []
    signals = workload_signals(
        where,
        {"Pod": f"{path}.spec", "CronJob": f"{path}.spec.jobTemplate.spec.template.spec"}.get(
            kind, f"{path}.spec.template.spec"
        ),
        f"{kind} {clean_meta.get('namespace')}/{name}",
        labels,
        [o for o in owners_raw if isinstance(o, Mapping)],
        pod_spec,
    )
    if signals is not None:
        out["agent"] = signals
    return out


def _opt_bool(where: str, path: str, obj: Mapping[str, Any], key: str) -> bool | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InputError(where, f"{path}.{key}: expected true or false")


def _str_list(where: str, path: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(where, f"{path}: expected a list of strings")
    return list(value)


def _rules(where: str, path: str, rules: Any, owner: str) -> list[dict[str, list[str]]]:
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise InputError(where, f"{path}.rules: expected a list ({owner})")
    out = []
    for i, rule in enumerate(rules):
        rp = f"{path}.rules[{i}]"
        if not isinstance(rule, Mapping):
            raise InputError(where, f"{rp}: expected an object ({owner})")
        out.append(
            {
                key: _str_list(where, f"{rp}.{key}", rule.get(key))
                for key in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")
            }
        )
    return out


def _pod_spec(where: str, path: str, spec: Mapping[str, Any], keep_command: bool) -> dict[str, Any]:
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    out: dict[str, Any] = {
        "serviceAccountName": str(sa),
        "automountServiceAccountToken": _opt_bool(
            where, f"{path}.spec", spec, "automountServiceAccountToken"
        ),
    }
    if keep_command:
        # Only the kube-apiserver static pod's flags are read, for the audit-logging check.
        containers = [
            {
                "name": str(c.get("name") or ""),
                "command": [str(x) for x in c.get("command") or []],
                "args": [str(x) for x in c.get("args") or []],
            }
            for c in spec.get("containers") or []
            if isinstance(c, Mapping)
        ]
        out["containers"] = containers
    return out


def infer_manifest_namespace(objects: list[Mapping[str, Any]]) -> str | None:
    """The namespace a manifest without ``metadata.namespace`` was written for (``kubectl apply
    -n NS``): the namespace that the file's own bindings give to the ServiceAccounts it defines."""
    defined = {
        (o.get("metadata") or {}).get("name")
        for o in objects
        if o.get("kind") == "ServiceAccount" and not (o.get("metadata") or {}).get("namespace")
    }
    if not defined:
        return None
    votes: dict[str, int] = {}
    for o in objects:
        if o.get("kind") not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        for s in o.get("subjects") or []:
            if isinstance(s, Mapping) and s.get("kind") == "ServiceAccount" and s.get("name") in defined:
                ns = s.get("namespace")
                if isinstance(ns, str) and ns:
                    votes[ns] = votes.get(ns, 0) + 1
    return max(sorted(votes), key=lambda n: votes[n]) if votes else None


def load_file_objects(
    where: str, text: str, data: Any, default_namespace: str | None, into: ClusterObjects
) -> int:
    """Parse one file into ``into``; returns how many objects were kept."""
    documents = parse_documents(where, text, data)
    raw = list(iter_objects(where, documents))
    namespace = default_namespace
    if namespace is None:
        namespace = infer_manifest_namespace([o for _, o in raw]) or "default"
    kept = 0
    for path, obj in raw:
        clean = sanitise(where, path, obj, namespace)
        if clean is not None:
            into.add(clean, where)
            kept += 1
    return kept
