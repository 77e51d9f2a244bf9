"""Azure's contribution to the delegation graph.

The Azure importer and collector put their edges (ownership, app permissions, managed identities,
federated credentials) in ``inventory.edges``. Some of them end in a *tenant hub*
``azure-tenant:<tenant>/any-sp``: a permission that reaches every service principal of a tenant
(``Application.ReadWrite.All`` adds credentials to any of them). The hub stands for every service
principal of that tenant that takes credentials; managed identities do not (their credentials are
Azure's to issue), so they are not behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Final

from nhiscan.model import Edge, Evidence, Identity, Inventory
from nhiscan.providers.azure.facts import AzureIdentityFacts
from nhiscan.providers.interface import Delegation

HUB_PREFIX: Final = "azure-tenant:"
HUB_SUFFIX: Final = "/any-sp"
SP_KIND: Final = "azure.service_principal"


def tenant_hubs(inventory: Inventory) -> list[str]:
    """The tenant hubs the inventory's edges name, in first-seen order."""
    seen: dict[str, None] = {}
    for e in inventory.edges:
        for name in (e.src, e.dst):
            if name.startswith(HUB_PREFIX) and name.endswith(HUB_SUFFIX):
                seen.setdefault(name, None)
    return list(seen)


def _in_tenant(ident: Identity, tenant: str) -> bool:
    facts = ident.facts
    return ident.scope == f"azure:tenant:{tenant}" or (
        isinstance(facts, AzureIdentityFacts) and facts.tenant_id == tenant
    )


class AzureDelegation(Delegation):
    """Expands each tenant hub into one edge per service principal of the tenant."""

    expands_hubs: ClassVar[bool] = True

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    def edges(self) -> Iterable[Edge]:
        sps = [i for i in self.inventory.identities if i.kind == SP_KIND]
        for hub in tenant_hubs(self.inventory):
            tenant = hub.removeprefix(HUB_PREFIX).removesuffix(HUB_SUFFIX)
            for sp in sps:
                if _in_tenant(sp, tenant):
                    yield Edge(
                        src=hub,
                        dst=sp.id,
                        kind="azure.any_service_principal",
                        evidence=(Evidence(source=f"{hub} includes {sp.id}"),),
                    )
