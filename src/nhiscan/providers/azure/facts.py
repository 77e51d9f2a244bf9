"""The typed facts the Azure / Entra ID provider records, and rules read as
``identity.azure.<field>``, ``credential.azure.<field>``, ``edge.azure.<field>`` and
``logging.azure.<field>``.

Who manages an identity (Microsoft first-party app, another tenant's app) is not here but in the
neutral ``identity.managed_by``; the appId and application object id an identity is also named by
are in ``identity.aliases``; what an Entra agent identity runs as is in ``identity.agent``.
A list fact that could not be read has a ``*_known`` companion that is false, so "no owners" and
"owners not exported" stay different.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RbacRole:
    """One Azure RBAC role assignment of an identity."""

    role: str = ""
    """Role name (``Owner``, ``Contributor``, a custom role's name, or its GUID when unresolved)."""
    scope: str = ""
    """The ARM scope it is assigned at (``/subscriptions/<id>``, ``/`` for the root)."""
    scope_level: str = ""
    """``root``, ``management_group``, ``subscription``, ``resource_group`` or ``resource``."""


@dataclass(frozen=True)
class InheritableScopes:
    """Delegated scopes of one resource API that a blueprint's agent identities inherit without
    additional consent (``inheritablePermissions``)."""

    resource_app_id: str = ""
    """appId of the resource API (Microsoft Graph is ``00000003-0000-0000-c000-000000000000``)."""
    resource: str = ""
    """The resource API's name (its service principal's display name when known)."""
    kind: str = ""
    """``allAllowedScopes`` (every scope), ``enumeratedScopes`` (those in ``scopes``) or
    ``noScopes``."""
    scopes: tuple[str, ...] = ()
    """The scopes, for ``enumeratedScopes``."""


@dataclass(frozen=True)
class AzureIdentityFacts:
    """Facts of an Entra service principal, managed identity, application, agent identity or
    agent identity blueprint (``identity.azure.*``)."""

    tenant_id: str | None = None
    """The Entra tenant the identity is in."""
    app_id: str | None = None
    """Its application (client) id, lower-case; null for a principal known only from a role
    assignment."""
    app_object_id: str | None = None
    """Object id of the application registration in this tenant (null when the app is registered
    elsewhere or not exported)."""
    sp_type: str | None = None
    """``servicePrincipalType``: ``Application``, ``ManagedIdentity``, ``Legacy``,
    ``SocialIdp``, ``ServiceIdentity`` (agent identities); null when unknown."""
    multi_tenant: bool | None = None
    """The application's sign-in audience admits other organisations."""
    app_owner_organization_id: str | None = None
    """Tenant that publishes the application (``appOwnerOrganizationId``)."""
    verified_publisher: bool | None = None
    """The publisher is verified by Microsoft (null when unknown)."""
    publisher: str | None = None
    """The publisher's name."""
    owners: tuple[str, ...] = ()
    """Owners of the application and service principal (UPNs or display names)."""
    owner_ids: tuple[str, ...] = ()
    """Object ids of those owners."""
    owners_known: bool = False
    """Owners were exported or read (``$expand=owners``); false means unknown, not none."""
    account_enabled: bool | None = True
    """The service principal can sign in (null for a blueprint without a principal here)."""
    sign_in_known: bool = False
    """Service-principal sign-in activity was read, so ``identity.last_used`` is meaningful."""
    graph_app_permissions: tuple[str, ...] = ()
    """Microsoft Graph application permissions it holds (``Application.ReadWrite.All``...)."""
    directory_roles: tuple[str, ...] = ()
    """Entra directory roles it holds (``Global Administrator``...)."""
    rbac_roles: tuple[RbacRole, ...] = ()
    """Its Azure RBAC role assignments."""
    rbac_roles_at_broad_scope: tuple[str, ...] = ()
    """Role names it holds at root, management-group or subscription scope."""
    privileged: bool = False
    """Its grants give admin, escalation or IAM-write classes, or a privileged RBAC role at broad
    scope."""
    mi_type: str | None = None
    """Managed identities: ``system`` or ``user`` (assigned)."""
    mi_resource_id: str | None = None
    """Managed identities: the ARM id of the resource (system-assigned) or of the user-assigned
    identity."""
    ai_resource: str | None = None
    """Managed identities: the first AI resource (Foundry / Cognitive Services account or
    project, Machine Learning workspace) that runs as it."""
    ai_resources: tuple[str, ...] = ()
    """Managed identities: every AI resource that runs as it."""
    ai_resource_types: tuple[str, ...] = ()
    """Managed identities: the ARM types of those AI resources."""
    in_directory_export: bool = True
    """False for a service principal known only from a role assignment."""
    orphaned_role_assignment: bool = False
    """Known only from a role assignment although the service-principal listing was read: the
    principal was deleted and its role assignment left behind."""
    sponsors: tuple[str, ...] = ()
    """Entra agent objects: sponsors (the people accountable for the agent)."""
    sponsor_ids: tuple[str, ...] = ()
    """Entra agent objects: object ids of the sponsors."""
    sponsors_known: bool = False
    """Entra agent objects: sponsors were exported or read; false means unknown, not none."""
    blueprint_id: str | None = None
    """Agent identities: the blueprint's identity id (its appId when the blueprint is not in the
    inventory)."""
    blueprint_app_id: str | None = None
    """Agent identities: appId of the blueprint (``agentIdentityBlueprintId``)."""
    blueprint_name: str | None = None
    """Agent identities: the blueprint's display name."""
    blueprint_principal_id: str | None = None
    """Blueprints: object id of the blueprint's service principal in this tenant."""
    agent_ids: tuple[str, ...] = ()
    """Blueprints: the agent identities created from it."""
    sign_in_audience: str | None = None
    """Blueprints: the application's ``signInAudience``."""
    created_by_app_id: str | None = None
    """Agent identities: appId of the application that created it."""
    disabled_by_microsoft: bool = False
    """Agent identities: Microsoft disabled it (``disabledByMicrosoftStatus``)."""
    lifecycle_expires: str | None = None
    """Agent identities: when its lifecycle policy expires it (ISO 8601)."""
    inherited_graph_app_permissions: tuple[str, ...] = ()
    """Agent identities: Microsoft Graph application permissions inherited from the blueprint's
    principal."""
    inheritable_scopes: tuple[InheritableScopes, ...] = ()
    """Entra agent objects: the blueprint's inheritable delegated scopes, per resource API."""
    inheritable_scopes_known: bool = False
    """Entra agent objects: the inheritable permissions were exported or read."""
    inheritable_all_scopes: bool = False
    """Entra agent objects: some resource API's scopes are all inheritable (``allAllowedScopes``)."""
    inheritable_all_scopes_resources: tuple[str, ...] = ()
    """Entra agent objects: names of those resource APIs."""
    inheritable_high_privilege_scopes: tuple[str, ...] = ()
    """Entra agent objects: high-privilege Microsoft Graph scopes among the enumerated inheritable
    ones (directory, mail, all files...)."""


@dataclass(frozen=True)
class AzureCredentialFacts:
    """Facts of a client secret, certificate or federated identity credential
    (``credential.azure.*``). Secret values are never read."""

    source: str = ""
    """Where it is registered: ``application``, ``service_principal`` or ``managed_identity``."""
    display_name: str | None = None
    """Its display name (federated credentials: its name)."""
    key_type: str | None = None
    """keyCredentials: ``AsymmetricX509Cert`` or ``Symmetric``."""
    key_usage: str | None = None
    """keyCredentials: ``Verify`` (sign-in) or ``Sign`` (token signing, not a sign-in credential)."""
    sign_in_known: bool = False
    """Credential sign-in activity was read, so ``credential.last_used`` is meaningful."""
    issuer: str | None = None
    """Federated credentials: the trusted token issuer."""
    subject: str | None = None
    """Federated credentials: the trusted subject."""
    claims_matching_expression: str | None = None
    """Federated credentials: the flexible claims-matching expression that replaces ``subject``."""
    audiences: tuple[str, ...] = ()
    """Federated credentials: the accepted audiences."""


@dataclass(frozen=True)
class AzureEdgeFacts:
    """Facts of an Azure delegation edge (``edge.azure.*``)."""

    owner: str | None = None
    """``azure.owner_add_credential``: the owner's name."""
    permissions: tuple[str, ...] = ()
    """``azure.app_permission``: the Microsoft Graph permissions that reach every service
    principal."""
    role: str | None = None
    """``azure.directory_role_add_credential``: the directory role."""
    directory_scope: str | None = None
    """``azure.directory_role_add_credential``: its directory scope (``/`` = the tenant)."""
    mi_type: str | None = None
    """``azure.managed_identity``: ``system`` or ``user``."""
    blueprint_app_id: str | None = None
    """``azure.blueprint_impersonation``: appId of the blueprint."""


@dataclass(frozen=True)
class AzureLoggingFacts:
    """Facts of an Activity Log or Entra diagnostic-settings state (``logging.azure.*``)."""

    kind: str = ""
    """``activity_log`` (a subscription) or ``entra_diagnostic_settings`` (the tenant)."""
    settings: tuple[str, ...] = ()
    """Names of the diagnostic settings read."""
    categories: tuple[str, ...] = ()
    """Log categories exported to some destination."""
    missing_categories: tuple[str, ...] = ()
    """Categories that matter for non-human identities and are not exported."""
