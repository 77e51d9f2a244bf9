"""AI-agent identities in Microsoft Entra and Azure: Entra Agent ID agent identities and agent
identity blueprints (Microsoft Graph), and managed identities that AI resources run as (Azure AI
Foundry / Cognitive Services accounts and projects, Azure Machine Learning workspaces).

Graph model (docs ``resources/agentidentity.md``, ``agentidentityblueprint.md``): a blueprint is
an application subtype and holds the credentials (client secret, certificate, federated
credential); its service principal in the tenant (``agentIdentityBlueprintPrincipal``) holds the
app role assignments every child agent inherits (``inheritedAppRoleAssignments``); an agent
identity is a service principal subtype with ``agentIdentityBlueprintId`` = the blueprint's
appId and no credentials of its own. The blueprint's ``inheritablePermissions`` name the delegated
scopes children get "without additional consent".

Agent types are subtypes of servicePrincipal / application, so the plain ``/servicePrincipals``
and ``/applications`` listings (and ``az ad sp list``) contain them too:
:func:`.index.reclassify` sorts every object by ``@odata.type`` (and ``agentIdentityBlueprintId``
/ the blueprint's appId) so nothing is counted twice.

Modules, one job each:
    :mod:`.documents` recognises agent exports; :mod:`.index` sorts objects into agents,
    blueprints and blueprint principals; :mod:`.scopes` reads inheritable permissions;
    :mod:`.ai_resources` links AI resources to the managed identities they run as;
    :mod:`.build` turns the sorted objects into identities and edges; :mod:`.live` makes the
    read-only Graph calls.

Inventory
    ``agent.entra_agent_identity`` (id = object id, lower-case) and ``agent.entra_agent_blueprint``
    (id = the blueprint application's object id; its credentials are ``azure.client_secret`` /
    ``azure.certificate`` / ``azure.federated_credential`` with ``source: application``).

Edges
    ``agent.inherits_from`` agent -> blueprint; ``azure.blueprint_impersonation`` blueprint -> agent
    (whoever holds a blueprint credential obtains tokens as each of its agents);
    ``agent.runs_as`` AI resource id -> its managed identity (beside ``azure.managed_identity``).

This package's ``__init__`` imports nothing: the generic document recogniser imports
:mod:`.documents`, and the builder imports :mod:`.build`, without loading each other.
"""
