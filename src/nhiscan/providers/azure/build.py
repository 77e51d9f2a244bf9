"""Build the Azure part of the inventory from canonical documents (see :mod:`.documents`).

Identities
    ``azure.service_principal`` (application, legacy and first-party SPs), ``azure.managed_identity``
    (SPs of type ManagedIdentity) with id = the SP's object id; ``azure.application`` for an app
    registration that has no service principal in the tenant (id = the application's object id).
    Entra agent identities and blueprints (``agent.entra_agent_*``) are sorted out of the SP and
    application lists first and built by :mod:`.agents` with the same grant machinery.

Attributes (``identity.attributes.<key>``)
    ``app_id``, ``app_object_id``, ``aliases`` (appId and app object id), ``sp_type``,
    ``first_party`` (published by a Microsoft tenant), ``third_party`` (published by another
    tenant), ``multi_tenant``, ``verified_publisher``, ``publisher``, ``owners`` (UPNs or names),
    ``owner_ids``, ``owners_known`` (false when no export or call listed owners),
    ``graph_app_permissions``, ``directory_roles``, ``rbac_roles`` (list of {role, scope,
    scope_level}), ``rbac_roles_at_broad_scope`` (role names held at root, management-group or
    subscription scope), ``privileged``, ``mi_type`` (system | user), ``mi_resource_id``,
    ``account_enabled``, ``sign_in_known`` (false when sign-in activity could not be read),
    ``tenant_id``.

Credentials
    ``azure.client_secret`` (passwordCredentials, symmetric keyCredentials), ``azure.certificate``
    (asymmetric keyCredentials), ``azure.federated_credential``. Attributes: ``source``
    (application | service_principal), ``display_name``, ``key_usage`` and for federated
    credentials ``issuer``, ``subject``, ``audiences``. Secret values, ``secretText``, ``hint``
    and certificate blobs are never copied.

Edges (all from the principal that can act to the identity it can become)
    ``azure.owner_add_credential`` owner -> owned app's SP; ``azure.app_permission`` SP holding
    Application.ReadWrite.All / AppRoleAssignment.ReadWrite.All / RoleManagement.ReadWrite.Directory
    -> ``azure-tenant:<tenant>/any-sp``; ``azure.directory_role_add_credential`` holder of Global,
    Application or Cloud Application Administrator -> ``azure-tenant:<tenant>/any-sp`` (or the one
    app's SP for an app-scoped assignment); ``azure.managed_identity`` compute resource id -> MI.
    "Any SP" is one virtual node per tenant so the edge count stays O(principals), not
    O(principals x SPs); the delegation graph expands it.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nhiscan.errors import InputError
from nhiscan.model import (
    CoverageEntry,
    CoverageStatus,
    Credential,
    Edge,
    Evidence,
    Grant,
    Identity,
    Inventory,
    LoggingState,
    LoggingStatus,
    PermissionSummary,
    Provider,
    Scope,
    Usage,
    scope_key,
)
from nhiscan.providers.azure import agents
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure import documents as d

PROVIDER = Provider.AZURE.value
ANY_SP = "azure-tenant:{tenant}/any-sp"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_OWNER_HINT = re.compile(r"\bowner\s*[:=]\s*([^\s,;]+)", re.IGNORECASE)
_MULTI_TENANT = frozenset({"AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"})

# Fallback actions for the built-in roles when no role definition export is given.
_BUILTIN_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Owner": (("*",), ()),
    "Contributor": (
        ("*",),
        (
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
        ),
    ),
    "User Access Administrator": (("*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"), ()),
    "Role Based Access Control Administrator": (
        (
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/delete",
            "*/read",
        ),
        (),
    ),
    "Reader": (("*/read",), ()),
}


@dataclass
class Collected:
    """Canonical documents gathered from files or API calls, before the inventory is built.

    ``items`` maps a document type to (object, where it was read) pairs. ``read`` lists the types
    that were read completely (a type absent from ``read`` is unknown, not empty).
    ``activity_log_read`` holds the subscriptions whose diagnostic settings were read."""

    items: dict[str, list[tuple[dict[str, Any], str]]] = field(default_factory=lambda: defaultdict(list))
    read: set[str] = field(default_factory=set)
    activity_log_read: set[str] = field(default_factory=set)
    subscriptions: dict[str, str | None] = field(default_factory=dict)
    tenant_id: str | None = None
    tenant_name: str | None = None
    coverage: list[CoverageEntry] = field(default_factory=list)

    def add(self, doc_type: str, objects: Iterable[dict[str, Any]], source: str) -> None:
        self.items[doc_type].extend((o, source) for o in objects)


def _lower(value: Any) -> str:
    return str(value).lower() if value is not None else ""


def _req(obj: Mapping[str, Any], key: str, where: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(where, f"{what}: field {key!r} is missing or not a string")
    return value


def _time(obj: Mapping[str, Any], key: str, where: str, what: str) -> datetime | None:
    try:
        return d.parse_time(obj.get(key))
    except ValueError as exc:
        raise InputError(where, f"{what}: field {key!r} is not a date ({exc})") from exc


def _list(obj: Mapping[str, Any], key: str, where: str, what: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(where, f"{what}: field {key!r} should be a list, got {type(value).__name__}")
    return value


def scope_level(scope: str) -> str:
    s = scope.strip().lower().rstrip("/")
    if s == "":
        return "root"
    if s.startswith("/providers/microsoft.management/managementgroups/"):
        return "management_group"
    parts = s.strip("/").split("/")
    if parts[0] == "subscriptions":
        if len(parts) == 2:
            return "subscription"
        if len(parts) == 4 and parts[2] == "resourcegroups":
            return "resource_group"
        return "resource"
    return "resource"


def _subscription_of(text: str) -> str | None:
    m = re.search(r"/subscriptions/([0-9a-fA-F-]{36})", text)
    return m.group(1).lower() if m else None


def _allows(actions: Iterable[str], not_actions: Iterable[str], operation: str) -> bool:
    op = operation.lower()
    allowed = any(fnmatch.fnmatchcase(op, a.lower()) for a in actions)
    return allowed and not any(fnmatch.fnmatchcase(op, n.lower()) for n in not_actions)


class _Builder:
    def __init__(self, c: Collected, tenant_hint: str | None, as_of: datetime) -> None:
        # Entra agent identities and blueprints are subtypes of SPs and applications: sort them out.
        self.c, self.agent_index = agents.reclassify(c)
        c = self.c
        self.as_of = as_of
        self.sps = self._merge(d.SERVICE_PRINCIPALS, "service principal")
        self.apps = self._merge(d.APPLICATIONS, "application")
        self.sp_by_app = {_lower(sp["appId"]): sp for sp, _ in self.sps.values()}
        self.app_by_app = {_lower(app["appId"]): app for app, _ in self.apps.values()}
        self.tenant = self._tenant(tenant_hint)
        self.tenant_key = scope_key(PROVIDER, "tenant", self.tenant)
        self.any_sp = ANY_SP.format(tenant=self.tenant)
        self.role_defs = self._role_definitions()
        self.mi_resources = {
            _lower(obj.get("principalId")): obj
            for obj, _ in self.c.items.get(d.RESOURCES, [])
            if obj.get("principalId")
            and _lower(obj.get("type")) == "microsoft.managedidentity/userassignedidentities"
        }
        self.ai_by_principal = agents.ai_resources_by_principal(self.c)
        self.mi_fics: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
        for index, (obj, where) in enumerate(self.c.items.get(d.MI_FEDERATED_CREDENTIALS, [])):
            fid = _lower(_req(obj, "id", where, f"managed identity federated credential [{index}]"))
            self.mi_fics[fid.split("/federatedidentitycredentials/")[0]].append((obj, where))
        self.credential_use = self._credential_sign_in()
        self.credential_use_known = d.CREDENTIAL_SIGN_IN_ACTIVITY in self.c.read
        # First role assignment seen per principal, for principals missing from the SP export.
        self.rbac_principals: dict[str, tuple[dict[str, Any], str]] = {}

    # -- inputs -------------------------------------------------------------------------------

    def _merge(self, doc_type: str, what: str) -> dict[str, tuple[dict[str, Any], str]]:
        """Objects by lower-case id; several exports of the same object (one with owners
        expanded, one with federated credentials) are merged key by key."""
        out: dict[str, tuple[dict[str, Any], str]] = {}
        for index, (obj, where) in enumerate(self.c.items.get(doc_type, [])):
            oid = _lower(_req(obj, "id", where, f"{what} [{index}]"))
            _req(obj, "appId", where, f"{what} {oid}")
            if oid in out:
                merged = dict(out[oid][0])
                for k, v in obj.items():
                    if k not in merged or (merged[k] in (None, [], "") and v not in (None, [], "")):
                        merged[k] = v
                out[oid] = (merged, out[oid][1])
            else:
                out[oid] = (dict(obj), where)
        return out

    def _tenant(self, hint: str | None) -> str:
        if hint:
            return hint.lower()
        if self.c.tenant_id:
            return self.c.tenant_id.lower()
        for obj, _ in self.c.items.get(d.SUBSCRIPTIONS, []):
            if obj.get("tenantId"):
                return _lower(obj["tenantId"])
        # An SP whose application is registered here was published by this tenant.
        for app_id, sp in self.sp_by_app.items():
            if app_id in self.app_by_app and sp.get("appOwnerOrganizationId"):
                return _lower(sp["appOwnerOrganizationId"])
        return "unknown"

    def _role_definitions(self) -> dict[str, dict[str, Any]]:
        defs: dict[str, dict[str, Any]] = {}
        for index, (obj, where) in enumerate(self.c.items.get(d.ROLE_DEFINITIONS, [])):
            what = f"role definition [{index}]"
            rid = _lower(_req(obj, "id", where, what)).rsplit("/", 1)[-1]
            actions: list[str] = []
            not_actions: list[str] = []
            data_actions: list[str] = []
            for perm in _list(obj, "permissions", where, what):
                if not isinstance(perm, Mapping):
                    raise InputError(where, f"{what}: permissions entries must be objects")
                actions += [str(a) for a in perm.get("actions") or []]
                not_actions += [str(a) for a in perm.get("notActions") or []]
                data_actions += [str(a) for a in perm.get("dataActions") or []]
            defs[rid] = {
                "name": _req(obj, "roleName", where, what),
                "actions": tuple(actions),
                "not_actions": tuple(not_actions),
                "data_actions": tuple(data_actions),
            }
        return defs

    # -- the build ----------------------------------------------------------------------------

    def build(self) -> Inventory:
        rbac = self._rbac_grants()
        graph = self._graph_grants()
        directory, dir_edges = self._directory_grants()
        sign_in = self._sign_in()
        identities: list[Identity] = []
        credentials: list[Credential] = []
        edges: list[Edge] = list(dir_edges)
        for oid, (sp, where) in self.sps.items():
            if oid in self.agent_index.principal_ids:
                continue  # a blueprint's service principal: part of the blueprint identity
            app_entry = self.app_by_app.get(_lower(sp["appId"]))
            ident, creds, own_edges = self._sp_identity(
                oid,
                sp,
                where,
                app_entry,
                rbac.get(oid, []),
                graph.get(oid, []),
                directory.get(oid, []),
                sign_in,
            )
            identities.append(ident)
            credentials += creds
            edges += own_edges
        for principal, (obj, where) in self.rbac_principals.items():
            if principal in self.sps or str(obj.get("principalType")) not in ("ServicePrincipal", "MSI"):
                continue
            if principal in self.agent_index.agents:
                continue
            ident = self._rbac_only_identity(principal, obj, where, rbac[principal])
            identities.append(ident)
        for oid, (app, where) in self.apps.items():
            if _lower(app["appId"]) in self.sp_by_app or oid in self.agent_index.blueprint_ids:
                continue
            ident, creds, own_edges = self._app_only_identity(oid, app, where)
            identities.append(ident)
            credentials += creds
            edges += own_edges
        agent_ids, agent_creds, agent_edges = agents.build_agents(
            self, self.agent_index, rbac, graph, directory, sign_in
        )
        identities += agent_ids
        credentials += agent_creds
        edges += agent_edges
        edges += self._resource_edges(identities)
        logging, log_coverage = self._logging()
        return Inventory(
            identities=tuple(identities),
            credentials=tuple(credentials),
            edges=tuple(_dedupe_edges(edges)),
            logging=tuple(logging),
            coverage=tuple(self.c.coverage) + tuple(log_coverage),
            scopes=tuple(self._scopes()),
            providers=(PROVIDER,),
            generated_at=self.as_of,
        )

    def _scopes(self) -> list[Scope]:
        name = self.c.tenant_name or next(
            (
                str(obj["tenantDisplayName"])
                for obj, _ in self.c.items.get(d.SUBSCRIPTIONS, [])
                if obj.get("tenantDisplayName") and _lower(obj.get("tenantId")) == self.tenant
            ),
            None,
        )
        scopes = [Scope(provider=PROVIDER, type="tenant", id=self.tenant, name=name)]
        for sub_id, name in sorted(self._subscriptions().items()):
            scopes.append(
                Scope(provider=PROVIDER, type="subscription", id=sub_id, name=name, parent=self.tenant_key)
            )
        return scopes

    def _subscriptions(self) -> dict[str, str | None]:
        subs = dict(self.c.subscriptions)
        for obj, _ in self.c.items.get(d.SUBSCRIPTIONS, []):
            sid = _lower(obj.get("subscriptionId") or obj.get("id", "")).rsplit("/", 1)[-1]
            if sid:
                name = obj.get("displayName") or obj.get("name") or subs.get(sid)
                subs[sid] = str(name) if name else None
        for doc_type in (d.ROLE_ASSIGNMENTS, d.ACTIVITY_LOG_SETTINGS):
            for obj, _ in self.c.items.get(doc_type, []):
                found = _subscription_of(str(obj.get("scope") or obj.get("id") or ""))
                if found:
                    subs.setdefault(found, None)
        return subs

    # -- permissions --------------------------------------------------------------------------

    def _rbac_grants(self) -> dict[str, list[tuple[Grant, dict[str, Any], set[str]]]]:
        out: dict[str, list[tuple[Grant, dict[str, Any], set[str]]]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        for index, (obj, where) in enumerate(self.c.items.get(d.ROLE_ASSIGNMENTS, [])):
            what = f"role assignment [{index}]"
            aid = _req(obj, "id", where, what)
            principal = _lower(_req(obj, "principalId", where, what))
            role_def_id = _req(obj, "roleDefinitionId", where, what)
            scope = obj.get("scope")
            if not isinstance(scope, str):
                # The REST shape has no scope field on older api-versions: the id carries it.
                scope = aid.lower().split("/providers/microsoft.authorization/roleassignments/")[0] or "/"
            if (principal, aid.lower()) in seen:
                continue
            seen.add((principal, aid.lower()))
            guid = _lower(role_def_id).rsplit("/", 1)[-1]
            definition = self.role_defs.get(guid)
            name = (
                obj.get("roleDefinitionName")
                or (definition or {}).get("name")
                or cat.RBAC_BUILTIN_ROLES.get(guid)
            )
            name = str(name or guid)
            if definition:
                actions, not_actions = definition["actions"], definition["not_actions"]
                data_actions = definition["data_actions"]
            else:
                actions, not_actions = _BUILTIN_ACTIONS.get(name, ((), ()))
                data_actions = ()
            level = scope_level(scope)
            classes: set[str] = set()
            if "*" in actions:
                classes.add("wildcard")
            if _allows(actions, not_actions, "Microsoft.Authorization/roleAssignments/write"):
                classes.update({"iam_write", "can_escalate"})
                if level in cat.BROAD_SCOPE_LEVELS:
                    classes.add("admin")
            if name in cat.RBAC_ADMIN_ROLES and level in cat.BROAD_SCOPE_LEVELS:
                classes.add("admin")
            if (
                name in cat.RBAC_SECRET_READ_ROLES
                or _allows(data_actions, (), "Microsoft.KeyVault/vaults/secrets/getSecret/action")
                or _allows(actions, not_actions, "Microsoft.Storage/storageAccounts/listKeys/action")
            ):
                classes.add("secret_read")
            grant = Grant(
                source=aid,
                kind="role_assignment",
                actions=tuple(actions),
                not_actions=tuple(not_actions),
                resources=(scope,),
                conditional=bool(obj.get("condition")),
                role=name,
                scope=scope,
            )
            out[principal].append((grant, {"role": name, "scope": scope, "scope_level": level}, classes))
            if principal not in self.rbac_principals:
                self.rbac_principals[principal] = (obj, where)
        return out

    def _graph_grants(self) -> dict[str, list[tuple[Grant, str, set[str]]]]:
        roles_by_resource: dict[str, dict[str, str]] = {}
        for oid, (sp, _) in self.sps.items():
            declared = {
                _lower(r.get("id")): str(r.get("value") or r.get("displayName") or r.get("id"))
                for r in sp.get("appRoles") or []
                if isinstance(r, Mapping)
            }
            if _lower(sp.get("appId")) == cat.MICROSOFT_GRAPH_APP_ID:
                declared = {**cat.GRAPH_APP_ROLES, **declared}
            roles_by_resource[oid] = declared
        out: dict[str, list[tuple[Grant, str, set[str]]]] = defaultdict(list)
        for index, (obj, where) in enumerate(self.c.items.get(d.APP_ROLE_ASSIGNMENTS, [])):
            what = f"app role assignment [{index}]"
            principal = _lower(_req(obj, "principalId", where, what))
            resource = _lower(_req(obj, "resourceId", where, what))
            role_id = _lower(_req(obj, "appRoleId", where, what))
            resource_name = str(obj.get("resourceDisplayName") or "")
            names: dict[str, str] | None = roles_by_resource.get(resource)
            if names is None and resource_name == "Microsoft Graph":
                names = cat.GRAPH_APP_ROLES
            is_graph = resource_name == "Microsoft Graph" or (
                resource in self.sps
                and _lower(self.sps[resource][0].get("appId")) == cat.MICROSOFT_GRAPH_APP_ID
            )
            name = (names or {}).get(role_id, role_id)
            classes: set[str] = set()
            if is_graph:
                if name in cat.GRAPH_ADMIN_PERMISSIONS:
                    classes.add("admin")
                if name in cat.GRAPH_TAKEOVER_PERMISSIONS:
                    classes.add("can_escalate")
                if name in cat.GRAPH_IAM_WRITE_PERMISSIONS:
                    classes.add("iam_write")
                if name in cat.GRAPH_SECRET_READ_PERMISSIONS:
                    classes.add("secret_read")
            grant = Grant(
                source=str(obj.get("id") or f"{principal}:{role_id}"),
                kind="app_role",
                role=name,
                scope=resource_name or resource,
            )
            out[principal].append((grant, name if is_graph else "", classes))
        return out

    def _directory_grants(self) -> tuple[dict[str, list[tuple[Grant, set[str]]]], list[Edge]]:
        out: dict[str, list[tuple[Grant, set[str]]]] = defaultdict(list)
        edges: list[Edge] = []
        app_sp = {
            app_oid: _lower(self.sp_by_app[_lower(app["appId"])]["id"])
            for app_oid, (app, _) in self.apps.items()
            if _lower(app["appId"]) in self.sp_by_app
        }
        for index, (obj, where) in enumerate(self.c.items.get(d.DIRECTORY_ROLE_ASSIGNMENTS, [])):
            what = f"directory role assignment [{index}]"
            principal = _lower(_req(obj, "principalId", where, what))
            role_def = _lower(_req(obj, "roleDefinitionId", where, what))
            raw = obj.get("roleDefinition")
            expanded: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
            name = str(
                expanded.get("displayName")
                or cat.DIRECTORY_ROLE_TEMPLATES.get(_lower(expanded.get("templateId")))
                or cat.DIRECTORY_ROLE_TEMPLATES.get(role_def)
                or role_def
            )
            dscope = str(obj.get("directoryScopeId") or "/")
            classes: set[str] = set()
            if name in cat.DIRECTORY_ADMIN_ROLES and dscope == "/":
                classes.add("admin")
            if name in cat.DIRECTORY_ESCALATION_ROLES:
                classes.update({"can_escalate", "iam_write"})
            grant = Grant(
                source=str(obj.get("id") or f"{principal}:{role_def}"),
                kind="directory_role",
                role=name,
                scope=dscope,
            )
            out[principal].append((grant, classes))
            if name in cat.DIRECTORY_ADD_SECRET_ROLES:
                target = self.any_sp
                if dscope != "/":
                    scoped = _lower(dscope.strip("/"))
                    target = app_sp.get(scoped, scoped)
                edges.append(
                    Edge(
                        src=principal,
                        dst=target,
                        kind="azure.directory_role_add_credential",
                        evidence=(Evidence(where, f"{name} at directory scope {dscope}"),),
                        attributes={"role": name, "directory_scope": dscope},
                    )
                )
        return out, edges

    def _sign_in(self) -> dict[str, datetime | None]:
        out: dict[str, datetime | None] = {}
        for index, (obj, where) in enumerate(self.c.items.get(d.SIGN_IN_ACTIVITY, [])):
            app_id = _lower(_req(obj, "appId", where, f"sign-in activity [{index}]"))
            latest: datetime | None = None
            for key, value in obj.items():
                if isinstance(value, Mapping) and "lastSignInDateTime" in value:
                    t = _time(value, "lastSignInDateTime", where, f"sign-in activity {app_id}.{key}")
                    if t and (latest is None or t > latest):
                        latest = t
            out[app_id] = latest
        return out

    def _credential_sign_in(self) -> dict[str, datetime | None]:
        """Last sign-in per credential key id (``appCredentialSignInActivities``)."""
        out: dict[str, datetime | None] = {}
        for index, (obj, where) in enumerate(self.c.items.get(d.CREDENTIAL_SIGN_IN_ACTIVITY, [])):
            what = f"credential sign-in activity [{index}]"
            key_id = _lower(_req(obj, "keyId", where, what))
            activity = obj.get("signInActivity")
            last = (
                _time(activity, "lastSignInDateTime", where, what) if isinstance(activity, Mapping) else None
            )
            previous = out.get(key_id)
            out[key_id] = max((t for t in (previous, last) if t is not None), default=None)
        return out

    # -- identities ---------------------------------------------------------------------------

    def _owners(self, obj: Mapping[str, Any] | None) -> tuple[list[str], list[str], bool]:
        if obj is None or "owners" not in obj or obj.get("owners") is None:
            return [], [], False
        names: list[str] = []
        ids: list[str] = []
        for o in obj.get("owners") or []:
            if isinstance(o, Mapping):
                oid = _lower(o.get("id"))
                ids.append(oid)
                names.append(str(o.get("userPrincipalName") or o.get("displayName") or oid))
            elif isinstance(o, str):
                ids.append(o.lower())
                names.append(o)
        return names, ids, True

    def _credentials(
        self, identity_id: str, obj: Mapping[str, Any], source: str, where: str, seen: set[str]
    ) -> list[Credential]:
        creds: list[Credential] = []
        label = f"{source} {obj.get('id')}"
        entries = [("passwordCredentials", c) for c in _list(obj, "passwordCredentials", where, label)]
        entries += [("keyCredentials", c) for c in _list(obj, "keyCredentials", where, label)]
        for field_name, c in entries:
            if not isinstance(c, Mapping):
                raise InputError(where, f"{label}: {field_name} entries must be objects")
            what = f"{label} {field_name}"
            key_id = _lower(_req(c, "keyId", where, what))
            key_type = str(c.get("type") or "")
            kind = "azure.client_secret"
            if field_name == "keyCredentials" and key_type != "Symmetric":
                kind = "azure.certificate"
            cred_id = key_id if key_id not in seen else f"{key_id}/{len(seen)}"
            seen.add(cred_id)
            expires = _time(c, "endDateTime", where, what)
            attributes: dict[str, Any] = {"source": source, "display_name": c.get("displayName")}
            if self.credential_use_known:
                attributes["sign_in_known"] = True
            if field_name == "keyCredentials":
                attributes["key_usage"] = c.get("usage")
                attributes["key_type"] = key_type or None
            creds.append(
                Credential(
                    id=cred_id,
                    identity_id=identity_id,
                    kind=kind,
                    created=_time(c, "startDateTime", where, what),
                    expires=expires,
                    last_used=self.credential_use.get(key_id),
                    active=expires is None or expires > self.as_of,
                    location=f"{source}:{obj.get('id')}/{field_name}",
                    attributes=attributes,
                )
            )
        for f in _list(obj, "federatedIdentityCredentials", where, label):
            if not isinstance(f, Mapping):
                raise InputError(where, f"{label}: federatedIdentityCredentials entries must be objects")
            fid = str(f.get("name") or f.get("id") or "")
            if not fid:
                raise InputError(where, f"{label} federatedIdentityCredentials: field 'name' is missing")
            audiences = f.get("audiences")
            creds.append(
                Credential(
                    id=fid,
                    identity_id=identity_id,
                    kind="azure.federated_credential",
                    location=f"{source}:{obj.get('id')}/federatedIdentityCredentials",
                    attributes={
                        "source": source,
                        "display_name": f.get("name"),
                        "issuer": f.get("issuer"),
                        "subject": f.get("subject"),
                        "claims_matching_expression": (f.get("claimsMatchingExpression") or {}).get("value")
                        if isinstance(f.get("claimsMatchingExpression"), Mapping)
                        else None,
                        "audiences": audiences
                        if isinstance(audiences, list)
                        else [audiences]
                        if audiences
                        else [],
                    },
                )
            )
        return creds

    def _mi_federated(self, identity_id: str, resource_id: str) -> list[Credential]:
        """Federated credentials of a user-assigned identity (ARM child resources)."""
        creds: list[Credential] = []
        for obj, _where in self.mi_fics.get(resource_id, []):
            name = str(obj.get("name") or _lower(obj.get("id")).rsplit("/", 1)[-1])
            audiences = obj.get("audiences")
            creds.append(
                Credential(
                    id=name,
                    identity_id=identity_id,
                    kind="azure.federated_credential",
                    location=str(obj.get("id")),
                    attributes={
                        "source": "managed_identity",
                        "display_name": name,
                        "issuer": obj.get("issuer"),
                        "subject": obj.get("subject"),
                        "claims_matching_expression": None,
                        "audiences": audiences
                        if isinstance(audiences, list)
                        else [audiences]
                        if audiences
                        else [],
                    },
                )
            )
        return creds

    def _sp_identity(
        self,
        oid: str,
        sp: dict[str, Any],
        where: str,
        app: dict[str, Any] | None,
        rbac: list[tuple[Grant, dict[str, Any], set[str]]],
        graph: list[tuple[Grant, str, set[str]]],
        directory: list[tuple[Grant, set[str]]],
        sign_in: dict[str, datetime | None],
    ) -> tuple[Identity, list[Credential], list[Edge]]:
        app_id = _lower(sp["appId"])
        sp_type = str(sp.get("servicePrincipalType") or "Application")
        kind = "azure.managed_identity" if sp_type == "ManagedIdentity" else "azure.service_principal"
        owner_org = _lower(sp.get("appOwnerOrganizationId")) or None
        first_party = owner_org in cat.MICROSOFT_TENANTS
        audience = (app or {}).get("signInAudience") or sp.get("signInAudience")
        names, ids, known = self._owners(app)
        sp_names, sp_ids, sp_known = self._owners(sp)
        for n, i in zip(sp_names, sp_ids, strict=True):
            if i not in ids:
                names.append(n)
                ids.append(i)
        known = known or sp_known
        publisher = sp.get("verifiedPublisher") or (app or {}).get("verifiedPublisher") or {}
        attrs: dict[str, Any] = {
            "tenant_id": self.tenant,
            "app_id": app_id,
            "app_object_id": _lower(app["id"]) if app else None,
            "aliases": [a for a in (app_id, _lower(app["id"]) if app else None) if a],
            "sp_type": sp_type,
            "first_party": first_party,
            "third_party": bool(owner_org) and owner_org != self.tenant and not first_party,
            "multi_tenant": audience in _MULTI_TENANT,
            "app_owner_organization_id": owner_org,
            "verified_publisher": bool(
                isinstance(publisher, Mapping) and publisher.get("verifiedPublisherId")
            ),
            "publisher": (publisher.get("displayName") if isinstance(publisher, Mapping) else None)
            or sp.get("publisherName"),
            "owners": names,
            "owner_ids": ids,
            "owners_known": known,
            "account_enabled": sp.get("accountEnabled", True) is not False,
        }
        evidence = [Evidence(where, f"servicePrincipal {oid}")]
        edges: list[Edge] = []
        if kind == "azure.managed_identity":
            alt = [str(a) for a in sp.get("alternativeNames") or []]
            resource = next((a for a in alt if a.lower().startswith("/subscriptions/")), None)
            user_assigned = any(a.lower() == "isexplicit=true" for a in alt)
            attrs["mi_type"] = "user" if user_assigned else "system"
            attrs["mi_resource_id"] = resource.lower() if resource else None
            attrs.update(agents.mi_attributes(self.ai_by_principal.get(oid)))
            if resource and not user_assigned:
                edges.append(
                    Edge(
                        src=resource.lower(),
                        dst=oid,
                        kind="azure.managed_identity",
                        evidence=(Evidence(where, f"servicePrincipal {oid} alternativeNames"),),
                        attributes={"mi_type": "system"},
                    )
                )

        # Permissions.
        grants: list[Grant] = []
        reasons: dict[str, list[str]] = defaultdict(list)
        rbac_roles = []
        broad: list[str] = []
        for grant, info, classes in rbac:
            grants.append(grant)
            rbac_roles.append(info)
            if info["scope_level"] in cat.BROAD_SCOPE_LEVELS and info["role"] not in broad:
                broad.append(info["role"])
            for cls in classes:
                reasons[cls].append(grant.source)
        graph_perms: list[str] = []
        for grant, perm, classes in graph:
            grants.append(grant)
            if perm and perm not in graph_perms:
                graph_perms.append(perm)
            for cls in classes:
                reasons[cls].append(grant.source)
        dir_roles: list[str] = []
        for grant, classes in directory:
            grants.append(grant)
            if grant.role and grant.role not in dir_roles:
                dir_roles.append(grant.role)
            for cls in classes:
                reasons[cls].append(grant.source)
        class_order = ("admin", "can_escalate", "iam_write", "secret_read", "wildcard")
        classes_sorted = tuple(c for c in class_order if c in reasons)
        privileged = bool({"admin", "can_escalate", "iam_write"} & set(reasons)) or bool(
            set(broad) & cat.RBAC_PRIVILEGED_ROLES
        )
        attrs.update(
            {
                "graph_app_permissions": graph_perms,
                "directory_roles": dir_roles,
                "rbac_roles": rbac_roles,
                "rbac_roles_at_broad_scope": broad,
                "privileged": privileged,
                "sign_in_known": d.SIGN_IN_ACTIVITY in self.c.read,
            }
        )
        takeover = [p for p in graph_perms if p in cat.GRAPH_TAKEOVER_PERMISSIONS]
        if takeover:
            edges.append(
                Edge(
                    src=oid,
                    dst=self.any_sp,
                    kind="azure.app_permission",
                    evidence=tuple(
                        Evidence("appRoleAssignments", g.source) for g, p, _ in graph if p in takeover
                    ),
                    attributes={"permissions": takeover},
                )
            )

        creds: list[Credential] = []
        seen: set[str] = set()
        creds += self._credentials(oid, sp, "service_principal", where, seen)
        if attrs.get("mi_type") == "user" and attrs.get("mi_resource_id"):
            creds += self._mi_federated(oid, str(attrs["mi_resource_id"]))
        if app is not None:
            app_where = self.apps[_lower(app["id"])][1]
            creds += self._credentials(oid, app, "application", app_where, seen)
            evidence.append(Evidence(app_where, f"application {_lower(app['id'])}"))
        edges += self._owner_edges(ids, names, oid, app is not None)

        tags, owner_tag = _tags(sp.get("tags"))
        # A user-assigned identity's ARM resource (`az identity list`) carries the Azure tags.
        arm_tags, arm_owner = _tags(self.mi_resources.get(oid, {}).get("tags"))
        tags.update(arm_tags)
        owner_tag = owner_tag or arm_owner
        owner = names[0] if names else owner_tag or _notes_owner(sp.get("notes") or (app or {}).get("notes"))
        created = None
        if app is not None:
            created = _time(
                app, "createdDateTime", self.apps[_lower(app["id"])][1], f"application {app['id']}"
            )
        created = created or _time(sp, "createdDateTime", where, f"service principal {oid}")
        identity = Identity(
            id=oid,
            provider=PROVIDER,
            kind=kind,
            scope=self.tenant_key,
            name=str(sp.get("displayName") or app_id),
            created=created,
            last_used=sign_in.get(app_id),
            owner=owner,
            tags=tags,
            usage=Usage.MACHINE.value,
            evidence=tuple(evidence),
            attributes=attrs,
            permissions=PermissionSummary(
                grants=tuple(grants),
                classes=classes_sorted,
                reasons={k: tuple(dict.fromkeys(reasons[k])) for k in classes_sorted},
            ),
        )
        return identity, creds, edges

    def _rbac_only_identity(
        self,
        principal: str,
        obj: Mapping[str, Any],
        where: str,
        rbac: list[tuple[Grant, dict[str, Any], set[str]]],
    ) -> Identity:
        """A service principal known only from a role assignment: either the SP export was not
        given, or the SP was deleted and its role assignment left behind."""
        sp_listed = d.SERVICE_PRINCIPALS in self.c.read
        fake_sp = {"id": principal, "appId": "", "displayName": obj.get("principalName") or principal}
        ident, _, _ = self._sp_identity(principal, fake_sp, where, None, rbac, [], [], {})
        attrs = dict(ident.attributes)
        attrs.update(
            {
                "app_id": None,
                "aliases": [],
                "sp_type": None,
                "first_party": None,
                "third_party": None,
                "multi_tenant": None,
                "verified_publisher": None,
                "in_directory_export": False,
                "orphaned_role_assignment": sp_listed,
            }
        )
        return Identity(
            id=ident.id,
            provider=ident.provider,
            kind=ident.kind,
            scope=ident.scope,
            name=ident.name,
            usage=ident.usage,
            evidence=(Evidence(where, f"role assignment principal {principal}"),),
            attributes=attrs,
            permissions=ident.permissions,
        )

    def _owner_edges(self, ids: list[str], names: list[str], target: str, via_app: bool) -> list[Edge]:
        return [
            Edge(
                src=owner_id,
                dst=target,
                kind="azure.owner_add_credential",
                evidence=(
                    Evidence("owners", f"{name} owns {'the application of ' if via_app else ''}{target}"),
                ),
                attributes={"owner": name},
            )
            for owner_id, name in zip(ids, names, strict=True)
            if owner_id
        ]

    def _app_only_identity(
        self, oid: str, app: dict[str, Any], where: str
    ) -> tuple[Identity, list[Credential], list[Edge]]:
        names, ids, known = self._owners(app)
        publisher = app.get("verifiedPublisher") or {}
        tags, owner_tag = _tags(app.get("tags"))
        attrs: dict[str, Any] = {
            "tenant_id": self.tenant,
            "app_id": _lower(app["appId"]),
            "app_object_id": oid,
            "aliases": [_lower(app["appId"])],
            "sp_type": None,
            "first_party": False,
            "third_party": False,
            "multi_tenant": app.get("signInAudience") in _MULTI_TENANT,
            "verified_publisher": bool(
                isinstance(publisher, Mapping) and publisher.get("verifiedPublisherId")
            ),
            "owners": names,
            "owner_ids": ids,
            "owners_known": known,
            "graph_app_permissions": [],
            "directory_roles": [],
            "rbac_roles": [],
            "rbac_roles_at_broad_scope": [],
            "privileged": False,
            "sign_in_known": d.SIGN_IN_ACTIVITY in self.c.read,
        }
        identity = Identity(
            id=oid,
            provider=PROVIDER,
            kind="azure.application",
            scope=self.tenant_key,
            name=str(app.get("displayName") or oid),
            created=_time(app, "createdDateTime", where, f"application {oid}"),
            owner=names[0] if names else owner_tag or _notes_owner(app.get("notes")),
            tags=tags,
            usage=Usage.MACHINE.value,
            evidence=(Evidence(where, f"application {oid}"),),
            attributes=attrs,
        )
        creds = self._credentials(oid, app, "application", where, set())
        return identity, creds, self._owner_edges(ids, names, oid, False)

    def _resource_edges(self, identities: list[Identity]) -> list[Edge]:
        """Compute resources that carry a managed identity (``az resource list``, Azure Resource
        Graph) -> that identity; user-assigned identities are matched by their resource id."""
        by_resource = {
            str(i.attributes.get("mi_resource_id")): i.id
            for i in identities
            if i.kind == "azure.managed_identity" and i.attributes.get("mi_resource_id")
        }
        edges: list[Edge] = []
        for index, (obj, where) in enumerate(self.c.items.get(d.RESOURCES, [])):
            rid = _lower(_req(obj, "id", where, f"resource [{index}]"))
            identity = obj.get("identity")
            if not isinstance(identity, Mapping):
                continue
            targets: list[tuple[str, str]] = []
            if identity.get("principalId"):
                targets.append((_lower(identity["principalId"]), "system"))
            for uami in (identity.get("userAssignedIdentities") or {}).keys():
                mi = by_resource.get(uami.lower())
                if mi:
                    targets.append((mi, "user"))
            edges += [
                Edge(
                    src=rid,
                    dst=mi,
                    kind="azure.managed_identity",
                    evidence=(Evidence(where, f"{rid} identity"),),
                    attributes={"mi_type": mi_type},
                )
                for mi, mi_type in targets
            ]
            edges += agents.runs_as_edges(rid, _lower(obj.get("type")), targets, where)
        return edges

    # -- logging ------------------------------------------------------------------------------

    def _logging(self) -> tuple[list[LoggingState], list[CoverageEntry]]:
        states: list[LoggingState] = []
        coverage: list[CoverageEntry] = []
        per_sub: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
        for obj, where in self.c.items.get(d.ACTIVITY_LOG_SETTINGS, []):
            sid = _subscription_of(str(obj.get("id") or ""))
            if sid:
                per_sub[sid].append((obj, where))
        read = self.c.activity_log_read | set(per_sub)
        for sid in sorted(self._subscriptions()):
            key = scope_key(PROVIDER, "subscription", sid)
            if sid not in read:
                states.append(
                    LoggingState(
                        key,
                        PROVIDER,
                        LoggingStatus.UNKNOWN.value,
                        "Activity Log diagnostic settings were not read",
                    )
                )
                continue
            settings = per_sub.get(sid, [])
            categories = _enabled_categories(settings, cat.ACTIVITY_LOG_CATEGORIES)
            missing = [c for c in cat.ACTIVITY_LOG_CATEGORIES if c not in categories]
            if not settings or not categories:
                status, summary = (
                    LoggingStatus.DISABLED.value,
                    "no Activity Log diagnostic setting exports the subscription's activity",
                )
            elif missing:
                status, summary = (
                    LoggingStatus.PARTIAL.value,
                    f"Activity Log diagnostic setting lacks {', '.join(missing)}",
                )
            else:
                status, summary = LoggingStatus.ENABLED.value, "Activity Log exported by a diagnostic setting"
            states.append(
                LoggingState(
                    key,
                    PROVIDER,
                    status,
                    summary,
                    evidence=tuple(Evidence(w, str(o.get("name") or o.get("id"))) for o, w in settings),
                    attributes={
                        "kind": "activity_log",
                        "settings": [str(o.get("name") or o.get("id")) for o, _ in settings],
                        "categories": sorted(categories),
                        "missing_categories": missing,
                    },
                )
            )
        entra = self.c.items.get(d.ENTRA_SETTINGS, [])
        if d.ENTRA_SETTINGS in self.c.read or entra:
            categories = _enabled_categories(entra, None)
            missing = [c for c in cat.ENTRA_NHI_LOG_CATEGORIES if c not in categories]
            if len(missing) == len(cat.ENTRA_NHI_LOG_CATEGORIES):
                status, summary = (
                    LoggingStatus.DISABLED.value,
                    "no Entra diagnostic setting exports service-principal or managed-identity sign-in logs",
                )
            elif missing:
                status, summary = (
                    LoggingStatus.PARTIAL.value,
                    f"Entra diagnostic settings lack {', '.join(missing)}",
                )
            else:
                status, summary = (
                    LoggingStatus.ENABLED.value,
                    "Entra sign-in logs of service principals and managed identities are exported",
                )
            states.append(
                LoggingState(
                    self.tenant_key,
                    PROVIDER,
                    status,
                    summary,
                    evidence=tuple(Evidence(w, str(o.get("name") or o.get("id"))) for o, w in entra),
                    attributes={
                        "kind": "entra_diagnostic_settings",
                        "settings": [str(o.get("name") or o.get("id")) for o, _ in entra],
                        "categories": sorted(categories),
                        "missing_categories": missing,
                    },
                )
            )
        else:
            states.append(
                LoggingState(
                    self.tenant_key,
                    PROVIDER,
                    LoggingStatus.UNKNOWN.value,
                    "Entra diagnostic settings were not read",
                )
            )
            if not any(c.source.endswith("aadiam/diagnosticSettings") for c in self.c.coverage):
                coverage.append(
                    CoverageEntry(
                        PROVIDER,
                        self.tenant_key,
                        "microsoft.aadiam/diagnosticSettings",
                        CoverageStatus.UNKNOWN.value,
                        "Entra diagnostic settings not among the inputs; sign-in log export is unknown",
                    )
                )
        return states, coverage


def _enabled_categories(
    settings: list[tuple[dict[str, Any], str]], all_categories: tuple[str, ...] | None
) -> set[str]:
    found: set[str] = set()
    for obj, _ in settings:
        if not (
            obj.get("workspaceId")
            or obj.get("storageAccountId")
            or obj.get("eventHubAuthorizationRuleId")
            or obj.get("eventHubName")
            or obj.get("marketplacePartnerId")
        ):
            continue  # a setting with no destination exports nothing
        for log in obj.get("logs") or []:
            if not isinstance(log, Mapping) or log.get("enabled") is False:
                continue
            if log.get("category"):
                found.add(str(log["category"]))
            elif str(log.get("categoryGroup", "")).lower() in ("alllogs", "audit") and all_categories:
                found.update(all_categories)
            elif str(log.get("categoryGroup", "")).lower() == "alllogs":
                found.update(cat.ENTRA_NHI_LOG_CATEGORIES)
    return found


def _tags(raw: Any) -> tuple[dict[str, str], str | None]:
    """Graph tags are strings; keep the ``key:value`` / ``key=value`` ones as a mapping."""
    tags: dict[str, str] = {}
    if isinstance(raw, Mapping):
        tags = {str(k): str(v) for k, v in raw.items()}
    elif isinstance(raw, list):
        for t in raw:
            text = str(t)
            for sep in (":", "="):
                if sep in text:
                    k, v = text.split(sep, 1)
                    tags[k.strip()] = v.strip()
                    break
    owner = next(
        (v for k, v in tags.items() if k.lower() in ("owner", "nhiscan:owner", "nhiscan-owner") and v), None
    )
    return tags, owner


def _notes_owner(notes: Any) -> str | None:
    m = _OWNER_HINT.search(str(notes or ""))
    return m.group(1) if m else None


def _dedupe_edges(edges: list[Edge]) -> list[Edge]:
    seen: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        seen.setdefault((e.src, e.dst, e.kind), e)
    return list(seen.values())


def build_inventory(collected: Collected, tenant_hint: str | None, as_of: datetime) -> Inventory:
    """The inventory for one tenant. Raises InputError naming the file and field for malformed
    objects."""
    return _Builder(collected, tenant_hint, as_of).build()
