"""What each principal is granted: Azure RBAC role assignments, Microsoft Graph application
permissions (app role assignments) and Entra directory roles, each with the permission classes
it gives, and the summary an identity carries."""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.errors import InputError
from nhiscan.model import Edge, Evidence, Grant, PermissionSummary
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.context import TenantIndex
from nhiscan.providers.azure.facts import AzureEdgeFacts
from nhiscan.providers.azure.fields import Located, field_list, lower, require

# Fallback actions for the built-in roles when no role definition export is given.
BUILTIN_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
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
# The order classes are listed in on an identity.
CLASS_ORDER = ("admin", "can_escalate", "iam_write", "secret_read", "wildcard")

RbacGrant = tuple[Grant, dict[str, Any], set[str]]
"""A role assignment, its {role, scope, scope_level} and the classes it gives."""
GraphGrant = tuple[Grant, str, set[str]]
"""An app role assignment, its Microsoft Graph permission name ("" for other APIs), classes."""
DirectoryGrant = tuple[Grant, set[str]]
"""A directory role assignment and the classes it gives."""


@dataclass(frozen=True)
class PrincipalGrants:
    """Everything one principal is granted."""

    rbac: list[RbacGrant] = field(default_factory=list)
    """Azure RBAC role assignments."""
    graph: list[GraphGrant] = field(default_factory=list)
    """App role assignments (Microsoft Graph application permissions and other APIs')."""
    directory: list[DirectoryGrant] = field(default_factory=list)
    """Entra directory role assignments."""


@dataclass(frozen=True)
class Grants:
    """Every principal's grants, read once per build."""

    rbac: dict[str, list[RbacGrant]]
    """Principal id -> role assignments."""
    graph: dict[str, list[GraphGrant]]
    """Principal id -> app role assignments."""
    directory: dict[str, list[DirectoryGrant]]
    """Principal id -> directory role assignments."""
    directory_edges: list[Edge]
    """``azure.directory_role_add_credential`` edges of the directory roles."""
    rbac_principals: dict[str, Located]
    """First role assignment seen per principal, for principals missing from the SP export."""

    def of(self, principal: str) -> PrincipalGrants:
        """One principal's grants."""
        return PrincipalGrants(
            list(self.rbac.get(principal, [])),
            list(self.graph.get(principal, [])),
            list(self.directory.get(principal, [])),
        )


@dataclass(frozen=True)
class Summary:
    """An identity's grants summarised for its permissions and attributes."""

    permissions: PermissionSummary
    """Grants, classes and the grant ids behind each class."""
    rbac_roles: list[dict[str, Any]]
    """{role, scope, scope_level} per role assignment."""
    broad_roles: list[str]
    """Role names held at root, management-group or subscription scope."""
    graph_permissions: list[str]
    """Microsoft Graph application permission names."""
    directory_roles: list[str]
    """Directory role names."""
    privileged: bool
    """Holds an admin, escalation or IAM-write class, or a privileged role at broad scope."""


def read_grants(t: TenantIndex) -> Grants:
    """Read the three assignment exports."""
    rbac, principals = rbac_grants(t.c.items.get(dt.ROLE_ASSIGNMENTS, []), role_definitions(t))
    directory, edges = directory_grants(t)
    return Grants(rbac, graph_grants(t), directory, edges, principals)


def scope_level(scope: str) -> str:
    """root | management_group | subscription | resource_group | resource."""
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


def allows(actions: Iterable[str], not_actions: Iterable[str], operation: str) -> bool:
    """Whether the RBAC action patterns allow ``operation`` (case-insensitive wildcards)."""
    op = operation.lower()
    allowed = any(fnmatch.fnmatchcase(op, a.lower()) for a in actions)
    return allowed and not any(fnmatch.fnmatchcase(op, n.lower()) for n in not_actions)


def role_definitions(t: TenantIndex) -> dict[str, dict[str, Any]]:
    """Role definition GUID -> {name, actions, not_actions, data_actions}."""
    defs: dict[str, dict[str, Any]] = {}
    for index, (obj, where) in enumerate(t.c.items.get(dt.ROLE_DEFINITIONS, [])):
        what = f"role definition [{index}]"
        rid = lower(require(obj, "id", where, what)).rsplit("/", 1)[-1]
        actions: list[str] = []
        not_actions: list[str] = []
        data_actions: list[str] = []
        for perm in field_list(obj, "permissions", where, what):
            if not isinstance(perm, Mapping):
                raise InputError(where, f"{what}: permissions entries must be objects")
            actions += [str(a) for a in perm.get("actions") or []]
            not_actions += [str(a) for a in perm.get("notActions") or []]
            data_actions += [str(a) for a in perm.get("dataActions") or []]
        defs[rid] = {
            "name": require(obj, "roleName", where, what),
            "actions": tuple(actions),
            "not_actions": tuple(not_actions),
            "data_actions": tuple(data_actions),
        }
    return defs


def rbac_classes(
    name: str,
    level: str,
    actions: tuple[str, ...],
    not_actions: tuple[str, ...],
    data_actions: tuple[str, ...],
) -> set[str]:
    """The permission classes one role assignment gives at its scope level."""
    classes: set[str] = set()
    if "*" in actions:
        classes.add("wildcard")
    if allows(actions, not_actions, "Microsoft.Authorization/roleAssignments/write"):
        classes.update({"iam_write", "can_escalate"})
        if level in cat.BROAD_SCOPE_LEVELS:
            classes.add("admin")
    if name in cat.RBAC_ADMIN_ROLES and level in cat.BROAD_SCOPE_LEVELS:
        classes.add("admin")
    if (
        name in cat.RBAC_SECRET_READ_ROLES
        or allows(data_actions, (), "Microsoft.KeyVault/vaults/secrets/getSecret/action")
        or allows(actions, not_actions, "Microsoft.Storage/storageAccounts/listKeys/action")
    ):
        classes.add("secret_read")
    return classes


def rbac_grants(
    assignments: list[Located], role_defs: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, list[RbacGrant]], dict[str, Located]]:
    """Role assignments per principal, and the first assignment seen per principal."""
    out: dict[str, list[RbacGrant]] = defaultdict(list)
    principals: dict[str, Located] = {}
    seen: set[tuple[str, str]] = set()
    for index, (obj, where) in enumerate(assignments):
        what = f"role assignment [{index}]"
        aid = require(obj, "id", where, what)
        principal = lower(require(obj, "principalId", where, what))
        role_def_id = require(obj, "roleDefinitionId", where, what)
        scope = obj.get("scope")
        if not isinstance(scope, str):
            # The REST shape has no scope field on older api-versions: the id carries it.
            scope = aid.lower().split("/providers/microsoft.authorization/roleassignments/")[0] or "/"
        if (principal, aid.lower()) in seen:
            continue
        seen.add((principal, aid.lower()))
        guid = lower(role_def_id).rsplit("/", 1)[-1]
        definition = role_defs.get(guid)
        name = str(
            obj.get("roleDefinitionName")
            or (definition or {}).get("name")
            or cat.RBAC_BUILTIN_ROLES.get(guid)
            or guid
        )
        if definition:
            actions, not_actions = definition["actions"], definition["not_actions"]
            data_actions = definition["data_actions"]
        else:
            actions, not_actions = BUILTIN_ACTIONS.get(name, ((), ()))
            data_actions = ()
        level = scope_level(scope)
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
        classes = rbac_classes(name, level, tuple(actions), tuple(not_actions), tuple(data_actions))
        out[principal].append((grant, {"role": name, "scope": scope, "scope_level": level}, classes))
        principals.setdefault(principal, (obj, where))
    return out, principals


def graph_classes(name: str) -> set[str]:
    """The permission classes a Microsoft Graph application permission gives."""
    classes: set[str] = set()
    if name in cat.GRAPH_ADMIN_PERMISSIONS:
        classes.add("admin")
    if name in cat.GRAPH_TAKEOVER_PERMISSIONS:
        classes.add("can_escalate")
    if name in cat.GRAPH_IAM_WRITE_PERMISSIONS:
        classes.add("iam_write")
    if name in cat.GRAPH_SECRET_READ_PERMISSIONS:
        classes.add("secret_read")
    return classes


def graph_grants(t: TenantIndex) -> dict[str, list[GraphGrant]]:
    """App role assignments per principal; role ids resolve through the resource SP's appRoles
    (and the well-known Microsoft Graph ones when its SP was not exported)."""
    roles_by_resource: dict[str, dict[str, str]] = {}
    for oid, (sp, _) in t.sps.items():
        declared = {
            lower(r.get("id")): str(r.get("value") or r.get("displayName") or r.get("id"))
            for r in sp.get("appRoles") or []
            if isinstance(r, Mapping)
        }
        if lower(sp.get("appId")) == cat.MICROSOFT_GRAPH_APP_ID:
            declared = {**cat.GRAPH_APP_ROLES, **declared}
        roles_by_resource[oid] = declared
    out: dict[str, list[GraphGrant]] = defaultdict(list)
    for index, (obj, where) in enumerate(t.c.items.get(dt.APP_ROLE_ASSIGNMENTS, [])):
        what = f"app role assignment [{index}]"
        principal = lower(require(obj, "principalId", where, what))
        resource = lower(require(obj, "resourceId", where, what))
        role_id = lower(require(obj, "appRoleId", where, what))
        resource_name = str(obj.get("resourceDisplayName") or "")
        names: dict[str, str] | None = roles_by_resource.get(resource)
        if names is None and resource_name == "Microsoft Graph":
            names = cat.GRAPH_APP_ROLES
        is_graph = resource_name == "Microsoft Graph" or (
            resource in t.sps and lower(t.sps[resource][0].get("appId")) == cat.MICROSOFT_GRAPH_APP_ID
        )
        name = (names or {}).get(role_id, role_id)
        grant = Grant(
            source=str(obj.get("id") or f"{principal}:{role_id}"),
            kind="app_role",
            role=name,
            scope=resource_name or resource,
        )
        out[principal].append((grant, name if is_graph else "", graph_classes(name) if is_graph else set()))
    return out


def directory_grants(t: TenantIndex) -> tuple[dict[str, list[DirectoryGrant]], list[Edge]]:
    """Directory role assignments per principal, and an add-credential edge for each role that
    can add a credential to any application (or to the one app of an app-scoped assignment)."""
    out: dict[str, list[DirectoryGrant]] = defaultdict(list)
    edges: list[Edge] = []
    app_sp = {
        app_oid: lower(t.sp_by_app[lower(app["appId"])]["id"])
        for app_oid, (app, _) in t.apps.items()
        if lower(app["appId"]) in t.sp_by_app
    }
    for index, (obj, where) in enumerate(t.c.items.get(dt.DIRECTORY_ROLE_ASSIGNMENTS, [])):
        what = f"directory role assignment [{index}]"
        principal = lower(require(obj, "principalId", where, what))
        role_def = lower(require(obj, "roleDefinitionId", where, what))
        raw = obj.get("roleDefinition")
        expanded: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        name = str(
            expanded.get("displayName")
            or cat.DIRECTORY_ROLE_TEMPLATES.get(lower(expanded.get("templateId")))
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
            target = t.any_sp
            if dscope != "/":
                scoped = lower(dscope.strip("/"))
                target = app_sp.get(scoped, scoped)
            edges.append(
                Edge(
                    src=principal,
                    dst=target,
                    kind="azure.directory_role_add_credential",
                    evidence=(Evidence(where, f"{name} at directory scope {dscope}"),),
                    facts=AzureEdgeFacts(role=name, directory_scope=dscope),
                )
            )
    return out, edges


def summarise(pg: PrincipalGrants) -> Summary:
    """One principal's grants as a permission summary plus the role and permission lists."""
    grants: list[Grant] = []
    reasons: dict[str, list[str]] = defaultdict(list)
    rbac_roles: list[dict[str, Any]] = []
    broad: list[str] = []
    for grant, info, classes in pg.rbac:
        grants.append(grant)
        rbac_roles.append(info)
        if info["scope_level"] in cat.BROAD_SCOPE_LEVELS and info["role"] not in broad:
            broad.append(info["role"])
        for cls in classes:
            reasons[cls].append(grant.source)
    graph_perms: list[str] = []
    for grant, perm, classes in pg.graph:
        grants.append(grant)
        if perm and perm not in graph_perms:
            graph_perms.append(perm)
        for cls in classes:
            reasons[cls].append(grant.source)
    dir_roles: list[str] = []
    for grant, classes in pg.directory:
        grants.append(grant)
        if grant.role and grant.role not in dir_roles:
            dir_roles.append(grant.role)
        for cls in classes:
            reasons[cls].append(grant.source)
    classes_sorted = tuple(c for c in CLASS_ORDER if c in reasons)
    privileged = bool({"admin", "can_escalate", "iam_write"} & set(reasons)) or bool(
        set(broad) & cat.RBAC_PRIVILEGED_ROLES
    )
    return Summary(
        permissions=PermissionSummary(
            grants=tuple(grants),
            classes=classes_sorted,
            reasons={k: tuple(dict.fromkeys(reasons[k])) for k in classes_sorted},
        ),
        rbac_roles=rbac_roles,
        broad_roles=broad,
        graph_permissions=graph_perms,
        directory_roles=dir_roles,
        privileged=privileged,
    )
