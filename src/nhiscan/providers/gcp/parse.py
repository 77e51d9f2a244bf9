"""Readers for the JSON documents gcloud and the Google APIs produce, into an
:class:`~nhiscan.providers.gcp.estate.EstateBuilder`.

Accepted shapes (camelCase, as ``--format=json`` prints them):

- ``gcloud iam service-accounts list`` (a bare list) or the REST ``{"accounts": [...]}`` body;
- ``gcloud iam service-accounts keys list --iam-account SA`` (a bare list, one file per account or
  several merged into one list) or the REST ``{"keys": [...]}`` body;
- ``gcloud projects get-iam-policy P`` (``{bindings, auditConfigs, etag, version}``);
- ``gcloud asset search-all-iam-policies --scope=...`` (a list of ``IamPolicySearchResult``) or
  the REST ``{"results": [...]}`` body;
- Cloud Asset Inventory exports (``gcloud asset export`` JSON lines, or a JSON array of assets),
  in either field style (``asset_type``/``iam_policy`` or ``assetType``/``iamPolicy``);
- ``gcloud iam roles describe`` (one role with ``includedPermissions``) or a list of them.

Every malformed field raises :class:`~nhiscan.errors.InputError` naming the file and the JSON path.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from nhiscan.errors import InputError
from nhiscan.providers.gcp.estate import (
    AuditConfig,
    Binding,
    EstateBuilder,
    KeyRecord,
    PolicyRecord,
    ProjectRecord,
    ServiceAccountRecord,
)
from nhiscan.providers.gcp.fields import (
    as_list,
    as_object,
    boolean,
    required_string,
    string,
    timestamp,
)

SA_LIST = "gcp.service_accounts"
KEY_LIST = "gcp.sa_keys"
IAM_POLICY = "gcp.iam_policy"
ASSET_SEARCH = "gcp.asset_iam_policies"
CAI_ASSETS = "gcp.cai_assets"
ROLES = "gcp.roles"
MALFORMED = "gcp.malformed"

UNRESOLVED_PROJECT = "projects/?"

_CRM = "//cloudresourcemanager.googleapis.com/"
_IAM = "//iam.googleapis.com/"
_SA_DOMAIN = re.compile(r"@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$")
_APPSPOT = re.compile(r"^([a-z][a-z0-9-]{4,28}[a-z0-9])@appspot\.gserviceaccount\.com$")
# Service agents (service-<project number>@<google project>) name Google's project, not the customer's.
_AGENT_LOCAL = re.compile(r"^service-(org-|folder-)?\d+@")
_CUSTOM_ROLE = re.compile(r"^projects/([^/]+)/roles/")
_GCP_HINTS = (
    "serviceAccounts/",
    "gserviceaccount.com",
    "asset_type",
    "assetType",
    "keyType",
    "auditConfigs",
    "reasoningEngines",
)


# -- recognition ---------------------------------------------------------------------------------


def recognise(data: Any, text: str) -> str | None:
    """The document type of a parsed file, or None when it is not a GCP export."""
    if data is None:
        return _recognise_text(text)
    if isinstance(data, list):
        first = next((x for x in data if isinstance(x, Mapping)), None)
        return _recognise_item(first) if first is not None else None
    if isinstance(data, Mapping):
        if isinstance(data.get("accounts"), list) and _all_have(data["accounts"], "email"):
            return SA_LIST
        if isinstance(data.get("keys"), list) and _all_have(data["keys"], "keyType"):
            return KEY_LIST
        if isinstance(data.get("results"), list) and data["results"]:
            first = data["results"][0]
            if isinstance(first, Mapping) and "policy" in first and "resource" in first:
                return ASSET_SEARCH
        if ("bindings" in data or "auditConfigs" in data) and ("etag" in data or "version" in data):
            return IAM_POLICY
        item = _recognise_item(data)
        if item in (CAI_ASSETS, ROLES):
            return item
    return None


def _all_have(items: list[Any], key: str) -> bool:
    return bool(items) and all(isinstance(x, Mapping) and key in x for x in items)


def _recognise_item(item: Mapping[str, Any]) -> str | None:
    name = item.get("name")
    if "email" in item and ("uniqueId" in item or "/serviceAccounts/" in str(name)):
        return SA_LIST
    if "/keys/" in str(name) and ("keyType" in item or "validAfterTime" in item):
        return KEY_LIST
    if "policy" in item and "resource" in item:
        return ASSET_SEARCH
    if ("asset_type" in item or "assetType" in item) and "name" in item:
        return CAI_ASSETS
    if "includedPermissions" in item and str(name).count("roles/"):
        return ROLES
    return None


def _recognise_text(text: str) -> str | None:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return None
    try:
        first = json.loads(lines[0])
    except json.JSONDecodeError:
        first = None
    if isinstance(first, Mapping) and ("asset_type" in first or "assetType" in first):
        return CAI_ASSETS
    # A truncated or hand-edited export: claim it so the user gets a precise error, not "unknown".
    if text.lstrip()[:1] in ("[", "{") and any(h in text for h in _GCP_HINTS):
        return MALFORMED
    return None


# -- reading -------------------------------------------------------------------------------------


def read_document(doc_type: str, data: Any, text: str, where: str, out: EstateBuilder) -> None:
    if doc_type == SA_LIST:
        items = data["accounts"] if isinstance(data, Mapping) else data
        path = "accounts" if isinstance(data, Mapping) else ""
        for i, item in enumerate(as_list(items, where, path)):
            out.service_accounts.append(service_account(item, where, f"{path}[{i}]"))
    elif doc_type == KEY_LIST:
        items = data["keys"] if isinstance(data, Mapping) else data
        path = "keys" if isinstance(data, Mapping) else ""
        for i, item in enumerate(as_list(items, where, path)):
            out.keys.append(key(item, where, f"{path}[{i}]"))
    elif doc_type == IAM_POLICY:
        out.policies.append(project_policy(data, where))
    elif doc_type == ASSET_SEARCH:
        items = data["results"] if isinstance(data, Mapping) else data
        path = "results" if isinstance(data, Mapping) else ""
        for i, item in enumerate(as_list(items, where, path)):
            out.policies.append(search_result(item, where, f"{path}[{i}]", out))
    elif doc_type == CAI_ASSETS:
        for i, (item, path) in enumerate(_cai_items(data, text, where)):
            cai_asset(item, where, path or f"[{i}]", out)
    elif doc_type == ROLES:
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            name, perms = role(item, where, f"[{i}]" if isinstance(data, list) else "")
            out.roles[name] = perms
    elif doc_type == MALFORMED:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                where, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc
        raise InputError(where, "not a gcloud export nhiscan understands")
    else:  # pragma: no cover - recognise() only returns the types above
        raise InputError(where, f"unknown GCP document type {doc_type}")


def _cai_items(data: Any, text: str, where: str) -> list[tuple[Mapping[str, Any], str]]:
    if isinstance(data, list):
        return [(as_object(x, where, f"[{i}]"), f"[{i}]") for i, x in enumerate(data)]
    if isinstance(data, Mapping):
        return [(data, "")]
    items = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(where, f"line {n}: invalid JSON: {exc.msg}") from exc
        items.append((as_object(item, where, f"line {n}"), f"line {n}"))
    return items


def service_account(item: Any, where: str, path: str) -> ServiceAccountRecord:
    item = as_object(item, where, path)
    email = required_string(item, "email", where, path)
    if "@" not in email:
        raise InputError(where, f"{path}.email: {email!r} is not a service-account email")
    project = string(item, "projectId", where, path) or project_of_email(email)
    name = string(item, "name", where, path)
    if project is None and name and name.startswith("projects/"):
        project = name.split("/")[1]
    return ServiceAccountRecord(
        email=email,
        project=project,
        unique_id=string(item, "uniqueId", where, path),
        disabled=boolean(item, "disabled", where, path),
        display_name=string(item, "displayName", where, path) or "",
        description=string(item, "description", where, path) or "",
        source=where,
    )


def key(item: Any, where: str, path: str, account: str | None = None) -> KeyRecord:
    item = as_object(item, where, path)
    name = required_string(item, "name", where, path)
    parts = name.split("/")
    if "keys" not in parts or "serviceAccounts" not in parts or parts[-2] != "keys":
        raise InputError(where, f"{path}.name: {name!r} is not a service-account key name")
    owner = account or parts[parts.index("serviceAccounts") + 1]
    return KeyRecord(
        account=owner,
        key_id=parts[-1],
        name=name,
        key_type=string(item, "keyType", where, path),
        key_origin=string(item, "keyOrigin", where, path),
        key_algorithm=string(item, "keyAlgorithm", where, path),
        valid_after=timestamp(item, "validAfterTime", where, path),
        valid_before=timestamp(item, "validBeforeTime", where, path),
        disabled=boolean(item, "disabled", where, path),
        source=where,
    )


def role(item: Any, where: str, path: str) -> tuple[str, frozenset[str]]:
    item = as_object(item, where, path)
    name = required_string(item, "name", where, path)
    perms = item.get("includedPermissions", [])
    if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
        raise InputError(where, f"{path}.includedPermissions: expected a list of strings")
    return name, frozenset(perms)


def policy_body(
    policy: Any, where: str, path: str
) -> tuple[tuple[Binding, ...], tuple[AuditConfig, ...] | None]:
    policy = as_object(policy, where, path)
    bindings = []
    for i, b in enumerate(as_list(policy.get("bindings", []), where, f"{path}.bindings")):
        bp = f"{path}.bindings[{i}]"
        b = as_object(b, where, bp)
        role_name = required_string(b, "role", where, bp)
        members = as_list(b.get("members", []), where, f"{bp}.members")
        if not all(isinstance(m, str) for m in members):
            raise InputError(where, f"{bp}.members: expected a list of strings")
        cond = b.get("condition")
        condition = None
        if cond is not None:
            cond = as_object(cond, where, f"{bp}.condition")
            condition = str(cond.get("title") or cond.get("expression") or "condition")
        bindings.append(Binding(role=role_name, members=tuple(members), condition=condition))
    audit: tuple[AuditConfig, ...] | None = None
    if "auditConfigs" in policy:
        configs = []
        for i, a in enumerate(as_list(policy["auditConfigs"], where, f"{path}.auditConfigs")):
            ap = f"{path}.auditConfigs[{i}]"
            a = as_object(a, where, ap)
            service = required_string(a, "service", where, ap)
            types = []
            for j, lc in enumerate(as_list(a.get("auditLogConfigs", []), where, f"{ap}.auditLogConfigs")):
                lp = f"{ap}.auditLogConfigs[{j}]"
                lc = as_object(lc, where, lp)
                log_type = required_string(lc, "logType", where, lp)
                exempted = as_list(lc.get("exemptedMembers", []), where, f"{lp}.exemptedMembers")
                types.append((log_type, tuple(str(m) for m in exempted)))
            configs.append(AuditConfig(service=service, log_types=tuple(types)))
        audit = tuple(configs)
    return tuple(bindings), audit


def project_policy(data: Any, where: str) -> PolicyRecord:
    """``gcloud projects get-iam-policy P`` does not print P: derive it from the custom roles and
    the project-owned service accounts the policy names."""
    bindings, audit = policy_body(data, where, "")
    project = derive_project(bindings)
    return PolicyRecord(
        resource=f"projects/{project}" if project else UNRESOLVED_PROJECT,
        level="project",
        bindings=bindings,
        audit_configs=audit if audit is not None else (),
        source=where,
        project=project,
    )


def derive_project(bindings: tuple[Binding, ...]) -> str | None:
    custom = {m.group(1) for b in bindings if (m := _CUSTOM_ROLE.match(b.role))}
    if len(custom) == 1:
        return custom.pop()
    votes: Counter[str] = Counter()
    for b in bindings:
        for member in b.members:
            if member.startswith("serviceAccount:") and "@" in member:
                project = project_of_email(member.split(":", 1)[1])
                if project:
                    votes[project] += 1
    if not votes:
        return None
    ranked = votes.most_common(2)
    # A tie means SAs of several projects are bound here and none clearly owns the policy.
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def project_of_email(email: str) -> str | None:
    """The project id a service-account email names, when it names one (user-managed SAs and the
    App Engine default SA; Compute default SAs and service agents name a project number only)."""
    if _AGENT_LOCAL.match(email):
        return None
    m = _SA_DOMAIN.search(email) or _APPSPOT.match(email)
    if m is None:
        return None
    project = m.group(1)
    # Google-owned projects of service agents (gcp-sa-*, *-system, ...) are not customer projects.
    if project.startswith("gcp-sa-") or project.endswith("-system"):
        return None
    return project


def search_result(item: Any, where: str, path: str, out: EstateBuilder) -> PolicyRecord:
    item = as_object(item, where, path)
    resource = required_string(item, "resource", where, path)
    asset_type = string(item, "assetType", where, path) or string(item, "asset_type", where, path) or ""
    bindings, audit = policy_body(item.get("policy", {}), where, f"{path}.policy")
    folders = as_list(item.get("folders", []), where, f"{path}.folders")
    org = string(item, "organization", where, path)
    if org:
        out.add_organization(org)
    ancestors = tuple(str(f) for f in folders) + ((org,) if org else ())
    canonical, level, project = canonical_resource(resource, asset_type)
    if project is None:
        project_field = string(item, "project", where, path)
        project = project_field.split("/", 1)[1] if project_field else None
    return PolicyRecord(
        resource=canonical,
        level=level,
        bindings=bindings,
        # Search results are not a reliable source of audit configs (the client fills an empty list
        # by default): only a non-empty list counts as read.
        audit_configs=audit or None,
        source=where,
        project=project,
        ancestors=tuple(a for a in ancestors if a != canonical),
    )


def canonical_resource(full_name: str, asset_type: str = "") -> tuple[str, str, str | None]:
    """Map a CAI full resource name to (canonical resource, level, project)."""
    if full_name.startswith(_CRM):
        rel = full_name[len(_CRM) :]
        kind, _, ident = rel.partition("/")
        level = {"projects": "project", "folders": "folder", "organizations": "organization"}.get(kind)
        if level:
            return rel, level, ident if level == "project" else None
    if full_name.startswith(_IAM) and "/serviceAccounts/" in full_name and "/keys/" not in full_name:
        rel = full_name[len(_IAM) :]
        parts = rel.split("/")
        if len(parts) == 4 and parts[0] == "projects":
            return rel, "service_account", parts[1]
    project = None
    m = re.search(r"/projects/([^/]+)/", full_name)
    if m:
        project = m.group(1)
    return full_name, "resource", project


def cai_asset(item: Mapping[str, Any], where: str, path: str, out: EstateBuilder) -> None:
    asset_type = string(item, "asset_type", where, path) or string(item, "assetType", where, path) or ""
    full_name = required_string(item, "name", where, path)
    resource = item.get("resource")
    data = None
    if resource is not None:
        resource = as_object(resource, where, f"{path}.resource")
        if resource.get("data") is not None:
            data = as_object(resource["data"], where, f"{path}.resource.data")
    ancestors = tuple(str(a) for a in as_list(item.get("ancestors", []), where, f"{path}.ancestors"))
    canonical, level, project = canonical_resource(full_name, asset_type)
    if data is not None:
        _cai_resource(asset_type, full_name, canonical, data, where, f"{path}.resource.data", out)
    policy = item.get("iam_policy", item.get("iamPolicy"))
    if policy is not None:
        bindings, audit = policy_body(policy, where, f"{path}.iam_policy")
        for a in ancestors:
            if a.startswith("organizations/"):
                out.add_organization(a)
        out.policies.append(
            PolicyRecord(
                resource=canonical,
                level=level,
                bindings=bindings,
                # An asset export carries the whole policy: no auditConfigs means none are set.
                audit_configs=audit if audit is not None else (),
                source=where,
                project=project,
                ancestors=tuple(a for a in ancestors if a != canonical),
            )
        )


def _cai_resource(
    asset_type: str,
    full_name: str,
    canonical: str,
    data: Mapping[str, Any],
    where: str,
    path: str,
    out: EstateBuilder,
) -> None:
    if asset_type == "iam.googleapis.com/ServiceAccount":
        sa = service_account(data, where, path)
        if sa.unique_id is None:
            sa = ServiceAccountRecord(**{**sa.__dict__, "unique_id": canonical.rsplit("/", 1)[-1]})
        out.service_accounts.append(sa)
    elif asset_type == "iam.googleapis.com/ServiceAccountKey":
        # Older exports put the key name only in the asset name; data.name (when present) names the
        # account by email, which is what identities are keyed by.
        body = dict(data)
        body.setdefault("name", full_name[len(_IAM) :] if full_name.startswith(_IAM) else full_name)
        out.keys.append(key(body, where, path))
    elif asset_type == "iam.googleapis.com/Role":
        body = dict(data)
        body.setdefault("name", full_name[len(_IAM) :])
        name, perms = role(body, where, path)
        out.roles[name] = perms
    elif asset_type == "cloudresourcemanager.googleapis.com/Project":
        project_id = string(data, "projectId", where, path)
        if project_id:
            parent = data.get("parent")
            parent_name = None
            if isinstance(parent, Mapping) and parent.get("type") and parent.get("id"):
                parent_name = f"{'folders' if parent['type'] == 'folder' else 'organizations'}/{parent['id']}"
            elif isinstance(parent, str):
                parent_name = parent
            number = string(data, "projectNumber", where, path) or canonical.split("/", 1)[1]
            out.projects.append(
                ProjectRecord(project_id, number, string(data, "name", where, path), parent_name, where)
            )
    elif asset_type == "cloudresourcemanager.googleapis.com/Folder":
        parent = string(data, "parent", where, path)
        if parent:
            out.folder_parents[canonical] = parent
    elif asset_type == "cloudresourcemanager.googleapis.com/Organization":
        out.add_organization(canonical)
