"""The document types the Azure provider understands: what :mod:`.documents` recognises a file
as, and the keys of :class:`~nhiscan.providers.azure.collected.Collected`. In a module of their
own so that recognising agent documents (:mod:`.agents.documents`) and the generic recogniser can
both name them without importing each other."""

from __future__ import annotations

SERVICE_PRINCIPALS = "azure.service_principals"
APPLICATIONS = "azure.applications"
ROLE_ASSIGNMENTS = "azure.role_assignments"
ROLE_DEFINITIONS = "azure.role_definitions"
ACTIVITY_LOG_SETTINGS = "azure.activity_log_diagnostic_settings"
ENTRA_SETTINGS = "azure.entra_diagnostic_settings"
APP_ROLE_ASSIGNMENTS = "azure.app_role_assignments"
DIRECTORY_ROLE_ASSIGNMENTS = "azure.directory_role_assignments"
SIGN_IN_ACTIVITY = "azure.sign_in_activity"
CREDENTIAL_SIGN_IN_ACTIVITY = "azure.credential_sign_in_activity"
MI_FEDERATED_CREDENTIALS = "azure.managed_identity_federated_credentials"
SUBSCRIPTIONS = "azure.subscriptions"
RESOURCES = "azure.resources"
# Entra Agent ID (see :mod:`.agents`).
AGENT_IDENTITIES = "azure.agent_identities"
AGENT_BLUEPRINTS = "azure.agent_blueprints"
INHERITABLE_PERMISSIONS = "azure.agent_blueprint_inheritable_permissions"
# Recognised only to be rejected with a clear message.
BARE_FEDERATED_CREDENTIALS = "azure.bare_federated_credentials"
VCR_CASSETTE = "azure.vcr_cassette"

DOC_TYPES = (
    SERVICE_PRINCIPALS,
    APPLICATIONS,
    ROLE_ASSIGNMENTS,
    ROLE_DEFINITIONS,
    ACTIVITY_LOG_SETTINGS,
    ENTRA_SETTINGS,
    APP_ROLE_ASSIGNMENTS,
    DIRECTORY_ROLE_ASSIGNMENTS,
    SIGN_IN_ACTIVITY,
    CREDENTIAL_SIGN_IN_ACTIVITY,
    MI_FEDERATED_CREDENTIALS,
    SUBSCRIPTIONS,
    RESOURCES,
    AGENT_IDENTITIES,
    AGENT_BLUEPRINTS,
    INHERITABLE_PERMISSIONS,
)
