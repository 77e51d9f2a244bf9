"""Well-known Azure and Entra ID identifiers the builder needs when an export carries ids but no
names: Microsoft's own tenants, Microsoft Graph application-permission ids, Entra directory role
template ids and built-in Azure RBAC role ids. Facts from Microsoft's published permission and role
references; a live scan resolves names from the tenant itself and only falls back to these."""

from __future__ import annotations

# Tenants that publish Microsoft's first-party applications (appOwnerOrganizationId).
MICROSOFT_TENANTS = frozenset(
    {
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a",  # Microsoft Services
        "72f988bf-86f1-41af-91ab-2d7cd011db47",  # Microsoft (corp)
        "33e01921-4d64-4f8c-a055-5bdaffd5e33d",  # Microsoft (AME)
        "cdc5aeea-15c5-4db6-b079-fcadd2505dc2",  # Microsoft (PME)
    }
)

MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

# Microsoft Graph application permissions (appRole ids are identical in every tenant).
GRAPH_APP_ROLES: dict[str, str] = {
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
    "18a4783c-866b-4cc7-a460-3d5e5662c884": "Application.ReadWrite.OwnedBy",
    "06b708a9-e830-4db3-a914-8e69da51d44f": "AppRoleAssignment.ReadWrite.All",
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8": "RoleManagement.ReadWrite.Directory",
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7": "Directory.ReadWrite.All",
    "7ab1d382-f21e-4acd-a863-ba3e13f7da61": "Directory.Read.All",
    "741f803b-c850-494e-b5df-cde7c675a1ca": "User.ReadWrite.All",
    "df021288-bdef-4463-88db-98f22de89214": "User.Read.All",
    "62a82d76-70ea-41e2-9197-370581804d09": "Group.ReadWrite.All",
    "5b567255-7703-4780-807c-7be8301ae99b": "Group.Read.All",
    "dbaae8cf-10b5-4b86-a4a1-f871c94c6695": "GroupMember.ReadWrite.All",
    "89c8469c-83ad-45f7-8ff2-6e3d4285709e": "ServicePrincipalEndpoint.ReadWrite.All",
    "e2a3a72e-5f79-4c64-b1b1-878b674786c9": "Mail.ReadWrite",
    "810c84a8-4a9e-49e6-bf7d-12d183f40d01": "Mail.Read",
    "b633e1c5-b582-4048-a93e-9f11b44c7e96": "Mail.Send",
    "75359482-378d-4052-8f01-80520e7db3cd": "Files.ReadWrite.All",
    "01d4889c-1287-42c6-ac1f-5d1e02578ef6": "Files.Read.All",
    "9492366f-7969-46a4-8d15-ed1a20078fff": "Sites.ReadWrite.All",
    "a82116e5-55eb-4c41-a434-62fe8a61c773": "Sites.FullControl.All",
    "01c0a623-fc9b-48e9-b794-0756f8e8f067": "Policy.ReadWrite.ConditionalAccess",
    "246dd0d5-5bd0-4def-940b-0421030a5b68": "Policy.Read.All",
}

# Graph application permissions that let the holder become any other service principal (add a
# credential to it, or grant itself more) — the delegation edges of BloodHound's AZMG* family.
GRAPH_TAKEOVER_PERMISSIONS = frozenset(
    {
        "Application.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
        "RoleManagement.ReadWrite.Directory",
    }
)
GRAPH_ADMIN_PERMISSIONS = frozenset({"RoleManagement.ReadWrite.Directory"})
GRAPH_IAM_WRITE_PERMISSIONS = GRAPH_TAKEOVER_PERMISSIONS | {
    "Directory.ReadWrite.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "User.ReadWrite.All",
    "ServicePrincipalEndpoint.ReadWrite.All",
}
GRAPH_SECRET_READ_PERMISSIONS = frozenset(
    {"Mail.Read", "Mail.ReadWrite", "Files.Read.All", "Files.ReadWrite.All"}
)

# Entra directory role template ids -> display names.
DIRECTORY_ROLE_TEMPLATES: dict[str, str] = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": "Groups Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "d29b2b05-8046-44ba-8758-1e26182fcf32": "Directory Synchronization Accounts",
    "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8": "Partner Tier2 Support",
    "4ba39ca4-527c-499a-b93d-d9b492c50246": "Partner Tier1 Support",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
}
DIRECTORY_ADMIN_ROLES = frozenset(
    {"Global Administrator", "Privileged Role Administrator", "Privileged Authentication Administrator"}
)
# Roles that can add a credential to any application or service principal (BloodHound AZAddSecret).
DIRECTORY_ADD_SECRET_ROLES = frozenset(
    {"Global Administrator", "Application Administrator", "Cloud Application Administrator"}
)
DIRECTORY_ESCALATION_ROLES = (
    DIRECTORY_ADMIN_ROLES
    | DIRECTORY_ADD_SECRET_ROLES
    | {
        "Hybrid Identity Administrator",
        "Partner Tier2 Support",
        "User Administrator",
        "Directory Writers",
        "Groups Administrator",
    }
)

# Built-in Azure RBAC role definition ids (the same GUID in every subscription).
RBAC_BUILTIN_ROLES: dict[str, str] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "f25e0fa2-a7c8-4377-a976-54943a77a395": "Key Vault Contributor",
    "9980e02c-c2be-4d73-94e8-173b1dc7cf3c": "Virtual Machine Contributor",
    "f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
}
RBAC_ADMIN_ROLES = frozenset(
    {"Owner", "User Access Administrator", "Role Based Access Control Administrator"}
)
RBAC_PRIVILEGED_ROLES = RBAC_ADMIN_ROLES | {"Contributor"}
RBAC_SECRET_READ_ROLES = frozenset(
    {"Key Vault Administrator", "Key Vault Secrets Officer", "Key Vault Secrets User", "Owner", "Contributor"}
)
# Scope levels at which an admin role controls a whole subscription or more.
BROAD_SCOPE_LEVELS = frozenset({"root", "management_group", "subscription"})

# Entra diagnostic-setting categories that record what service principals and managed identities do.
ENTRA_NHI_LOG_CATEGORIES = ("ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs")
ACTIVITY_LOG_CATEGORIES = ("Administrative", "Security", "Policy", "Alert")
