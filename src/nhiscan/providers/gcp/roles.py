"""GCP role permissions: a small shipped table, custom roles read from exports, and the live IAM
roles API, plus the classification nhiscan derives from a set of permissions.

The shipped table covers the basic roles and the predefined roles that matter for impersonation,
IAM writes, secret reads and the privilege-escalation methods of RhinoSecurityLabs'
GCP-IAM-Privilege-Escalation (see ``PRIVESC_METHODS``). It lists only the permissions nhiscan
classifies on, not every permission of the role, so an offline scan classifies those roles the same
way a live scan does. Roles outside the table whose permissions could not be read are reported as
unexpanded (attribute ``unexpanded_roles`` and a coverage entry), never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# Permissions that let a member become a service account, by delegation-edge kind.
IMPERSONATE_PERMISSIONS = frozenset(
    {"iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.signBlob", "iam.serviceAccounts.signJwt"}
)
EDGE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "gcp.impersonate": IMPERSONATE_PERMISSIONS,
    "gcp.implicit_delegation": frozenset({"iam.serviceAccounts.implicitDelegation"}),
    "gcp.act_as": frozenset({"iam.serviceAccounts.actAs"}),
    "gcp.create_key": frozenset({"iam.serviceAccountKeys.create"}),
}
# Permissions behind CIS "Service Account User / Token Creator at project level".
DELEGATION_ROLE_PERMISSIONS = IMPERSONATE_PERMISSIONS | {
    "iam.serviceAccounts.implicitDelegation",
    "iam.serviceAccounts.actAs",
}

BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
ADMIN_BASIC_ROLES = frozenset({"roles/owner", "roles/editor"})

IAM_WRITE_PERMISSIONS = frozenset(
    {
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.update",
        "iam.serviceAccounts.setIamPolicy",
        "iam.serviceAccountKeys.create",
        "iam.roles.create",
        "iam.roles.update",
        "resourcemanager.projects.setIamPolicy",
        "resourcemanager.folders.setIamPolicy",
        "resourcemanager.organizations.setIamPolicy",
    }
)
SECRET_READ_PERMISSIONS = frozenset({"secretmanager.versions.access"})

# RhinoSecurityLabs/GCP-IAM-Privilege-Escalation check_for_privesc.py (BSD-3), via
# shared/reference/delegation.md section 4.2: a method fires when all its permissions are held.
PRIVESC_METHODS: Mapping[str, frozenset[str]] = {
    "UpdateIAMRole": frozenset({"iam.roles.update"}),
    "CreateServiceAccountKey": frozenset({"iam.serviceAccountKeys.create"}),
    "GetServiceAccountAccessToken": frozenset({"iam.serviceAccounts.getAccessToken"}),
    "ServiceAccountImplicitDelegation": frozenset({"iam.serviceAccounts.implicitDelegation"}),
    "ServiceAccountSignBlob": frozenset({"iam.serviceAccounts.signBlob"}),
    "ServiceAccountSignJwt": frozenset({"iam.serviceAccounts.signJwt"}),
    "SetOrgPolicyConstraints": frozenset({"orgpolicy.policy.set"}),
    "CreateServiceAccountHMACKey": frozenset({"storage.hmacKeys.create"}),
    "CreateDeploymentManagerDeployment": frozenset({"deploymentmanager.deployments.create"}),
    "RCECloudBuildBuildServer": frozenset({"cloudbuild.builds.create"}),
    "ExfilCloudFunctionCredsAuthCall": frozenset(
        {
            "cloudfunctions.functions.create",
            "cloudfunctions.functions.sourceCodeSet",
            "iam.serviceAccounts.actAs",
            "cloudfunctions.functions.call",
        }
    ),
    "ExfilCloudFunctionCredsUnauthCall": frozenset(
        {
            "cloudfunctions.functions.create",
            "cloudfunctions.functions.sourceCodeSet",
            "iam.serviceAccounts.actAs",
            "cloudfunctions.functions.setIamPolicy",
        }
    ),
    "UpdateCloudFunction": frozenset(
        {
            "cloudfunctions.functions.sourceCodeSet",
            "cloudfunctions.functions.update",
            "iam.serviceAccounts.actAs",
        }
    ),
    "CreateGCEInstanceWithSA": frozenset(
        {
            "compute.disks.create",
            "compute.instances.create",
            "compute.instances.setMetadata",
            "compute.instances.setServiceAccount",
            "compute.subnetworks.use",
            "compute.subnetworks.useExternalIp",
            "iam.serviceAccounts.actAs",
        }
    ),
    # The upstream tool spells these with a lower-case "serviceaccounts" (a bug there); the real
    # permission name is used here.
    "ExfilCloudRunServiceUnauthCall": frozenset(
        {"run.services.create", "iam.serviceAccounts.actAs", "run.services.setIamPolicy"}
    ),
    "ExfilCloudRunServiceAuthCall": frozenset(
        {"run.services.create", "iam.serviceAccounts.actAs", "run.routes.invoke"}
    ),
    "CreateAPIKey": frozenset({"serviceusage.apiKeys.create"}),
    "ViewExistingAPIKeys": frozenset({"serviceusage.apiKeys.list"}),
    "SetOrgIAMPolicy": frozenset({"resourcemanager.organizations.setIamPolicy"}),
    "SetFolderIAMPolicy": frozenset({"resourcemanager.folders.setIamPolicy"}),
    "SetProjectIAMPolicy": frozenset({"resourcemanager.projects.setIamPolicy"}),
    "SetServiceAccountIAMPolicy": frozenset({"iam.serviceAccounts.setIamPolicy"}),
    "CreateCloudSchedulerHTTPRequest": frozenset(
        {"cloudscheduler.jobs.create", "cloudscheduler.locations.list", "iam.serviceAccounts.actAs"}
    ),
}

_EDITOR = frozenset(
    {
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.update",
        "iam.serviceAccountKeys.create",
        "cloudbuild.builds.create",
        "deploymentmanager.deployments.create",
        "cloudfunctions.functions.create",
        "cloudfunctions.functions.sourceCodeSet",
        "cloudfunctions.functions.update",
        "cloudfunctions.functions.call",
        "compute.disks.create",
        "compute.instances.create",
        "compute.instances.setMetadata",
        "compute.instances.setServiceAccount",
        "compute.subnetworks.use",
        "compute.subnetworks.useExternalIp",
        "run.services.create",
        "run.routes.invoke",
        "cloudscheduler.jobs.create",
        "cloudscheduler.locations.list",
        "storage.hmacKeys.create",
        "serviceusage.apiKeys.create",
        "serviceusage.apiKeys.list",
    }
)
_SET_IAM = frozenset(
    {
        "resourcemanager.projects.setIamPolicy",
        "iam.serviceAccounts.setIamPolicy",
        "storage.buckets.setIamPolicy",
        "cloudfunctions.functions.setIamPolicy",
        "run.services.setIamPolicy",
        "secretmanager.secrets.setIamPolicy",
    }
)
_TOKEN_CREATOR = frozenset(
    {
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.implicitDelegation",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
    }
)
_FUNCTIONS_DEV = frozenset(
    {
        "cloudfunctions.functions.create",
        "cloudfunctions.functions.sourceCodeSet",
        "cloudfunctions.functions.update",
        "cloudfunctions.functions.call",
    }
)
_INSTANCE_ADMIN = frozenset(
    {
        "compute.disks.create",
        "compute.instances.create",
        "compute.instances.setMetadata",
        "compute.instances.setServiceAccount",
        "compute.subnetworks.use",
        "compute.subnetworks.useExternalIp",
    }
)

# Relevant-permission subsets of predefined roles (see the module docstring).
BUILTIN_ROLES: Mapping[str, frozenset[str]] = {
    "roles/owner": _EDITOR
    | _SET_IAM
    | {"secretmanager.versions.access", "iam.roles.create", "iam.roles.update"},
    "roles/editor": _EDITOR,
    "roles/viewer": frozenset(),
    "roles/iam.serviceAccountUser": frozenset(
        {"iam.serviceAccounts.actAs", "iam.serviceAccounts.get", "iam.serviceAccounts.list"}
    ),
    "roles/iam.serviceAccountTokenCreator": _TOKEN_CREATOR,
    "roles/iam.serviceAccountOpenIdTokenCreator": frozenset({"iam.serviceAccounts.getOpenIdToken"}),
    "roles/iam.workloadIdentityUser": frozenset(
        {"iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken"}
    ),
    "roles/iam.serviceAccountKeyAdmin": frozenset(
        {"iam.serviceAccountKeys.create", "iam.serviceAccountKeys.delete", "iam.serviceAccountKeys.list"}
    ),
    "roles/iam.serviceAccountAdmin": frozenset(
        {
            "iam.serviceAccounts.create",
            "iam.serviceAccounts.update",
            "iam.serviceAccounts.delete",
            "iam.serviceAccounts.getIamPolicy",
            "iam.serviceAccounts.setIamPolicy",
        }
    ),
    "roles/iam.securityAdmin": frozenset(
        {
            "resourcemanager.projects.setIamPolicy",
            "resourcemanager.folders.setIamPolicy",
            "resourcemanager.organizations.setIamPolicy",
            "iam.serviceAccounts.setIamPolicy",
            "iam.serviceAccountKeys.create",
        }
    ),
    "roles/iam.roleAdmin": frozenset({"iam.roles.create", "iam.roles.update", "iam.roles.delete"}),
    "roles/iam.organizationRoleAdmin": frozenset(
        {"iam.roles.create", "iam.roles.update", "iam.roles.delete"}
    ),
    "roles/resourcemanager.projectIamAdmin": frozenset(
        {"resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy"}
    ),
    "roles/resourcemanager.folderIamAdmin": frozenset({"resourcemanager.folders.setIamPolicy"}),
    "roles/resourcemanager.folderAdmin": frozenset(
        {"resourcemanager.folders.setIamPolicy", "resourcemanager.projects.setIamPolicy"}
    ),
    "roles/resourcemanager.organizationAdmin": frozenset(
        {
            "resourcemanager.organizations.setIamPolicy",
            "resourcemanager.folders.setIamPolicy",
            "resourcemanager.projects.setIamPolicy",
        }
    ),
    "roles/secretmanager.secretAccessor": frozenset({"secretmanager.versions.access"}),
    "roles/secretmanager.admin": frozenset(
        {"secretmanager.versions.access", "secretmanager.secrets.setIamPolicy"}
    ),
    "roles/cloudbuild.builds.editor": frozenset({"cloudbuild.builds.create"}),
    "roles/deploymentmanager.editor": frozenset({"deploymentmanager.deployments.create"}),
    "roles/cloudfunctions.developer": _FUNCTIONS_DEV,
    "roles/cloudfunctions.admin": _FUNCTIONS_DEV | {"cloudfunctions.functions.setIamPolicy"},
    "roles/run.developer": frozenset({"run.services.create", "run.routes.invoke"}),
    "roles/run.admin": frozenset({"run.services.create", "run.routes.invoke", "run.services.setIamPolicy"}),
    "roles/compute.instanceAdmin.v1": _INSTANCE_ADMIN,
    "roles/compute.admin": _INSTANCE_ADMIN | {"compute.instances.setIamPolicy"},
    "roles/storage.admin": frozenset({"storage.buckets.setIamPolicy"}),
    "roles/storage.hmacKeyAdmin": frozenset({"storage.hmacKeys.create"}),
    "roles/orgpolicy.policyAdmin": frozenset({"orgpolicy.policy.set"}),
    "roles/cloudscheduler.admin": frozenset({"cloudscheduler.jobs.create", "cloudscheduler.locations.list"}),
    "roles/serviceusage.apiKeysAdmin": frozenset(
        {"serviceusage.apiKeys.create", "serviceusage.apiKeys.list"}
    ),
    # Common data-plane roles that hold none of the permissions above; listed so offline scans do
    # not report them as unexpanded.
    **dict.fromkeys(
        (
            "roles/browser",
            "roles/iam.securityReviewer",
            "roles/storage.objectViewer",
            "roles/storage.objectCreator",
            "roles/logging.logWriter",
            "roles/logging.viewer",
            "roles/monitoring.metricWriter",
            "roles/monitoring.viewer",
            "roles/cloudtrace.agent",
            "roles/pubsub.publisher",
            "roles/pubsub.subscriber",
            "roles/bigquery.dataViewer",
            "roles/bigquery.jobUser",
            "roles/cloudsql.client",
            "roles/artifactregistry.reader",
        ),
        frozenset(),
    ),
}

RoleFetcher = Callable[[str], "frozenset[str] | None"]


@dataclass
class RoleBook:
    """Resolves a role name to its permissions: custom/exported roles first, then the live API
    (each role fetched once per scan), then the shipped table. ``unknown`` collects roles that no
    source could expand."""

    known: dict[str, frozenset[str]] = field(default_factory=dict)
    fetch: RoleFetcher | None = None
    unknown: set[str] = field(default_factory=set)
    _fetched: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def permissions(self, role: str) -> frozenset[str] | None:
        if role in self.known:
            return self.known[role]
        if self.fetch is not None:
            if role not in self._fetched:
                self._fetched[role] = self.fetch(role)
            fetched = self._fetched[role]
            if fetched is not None:
                # A live answer is complete, but basic roles are expanded from the table too: the
                # API lists thousands of permissions for them and nhiscan treats them specially.
                return fetched | BUILTIN_ROLES.get(role, frozenset())
        if role in BUILTIN_ROLES:
            return BUILTIN_ROLES[role]
        self.unknown.add(role)
        return None


def is_admin(role: str, permissions: Iterable[str]) -> bool:
    return role in ADMIN_BASIC_ROLES or any(p.endswith(".setIamPolicy") for p in permissions)


def escalation_methods(permissions: frozenset[str]) -> list[str]:
    return sorted(name for name, needed in PRIVESC_METHODS.items() if needed <= permissions)


def edge_kinds(permissions: frozenset[str]) -> list[str]:
    return [kind for kind, needed in EDGE_PERMISSIONS.items() if needed & permissions]
