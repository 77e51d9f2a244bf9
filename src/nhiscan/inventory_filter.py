"""Narrow an inventory to some providers (``nhiscan scan aws --from folder-of-everything``).

The result should be what scanning only those providers' files gives. Identities, logging,
coverage and scopes carry their provider; credentials follow their identity. Edges carry no
provider, so an edge belongs to the provider that reported it: its source identity's provider;
when the source is no identity (an outside principal such as ``arn:aws:iam::…:root`` or
``user:alice@example.com``), its destination identity's provider; when neither end is an identity,
the provider its kind is prefixed with (``aws.assume_role``). So a Kubernetes service account's
``k8s.cloud_identity`` edge into an AWS role stays in a Kubernetes-only scan, where the role is a
plain node (as in a live ``scan k8s``), and leaves an AWS-only scan, where it would otherwise raise
Kubernetes findings. Endpoints are matched like the delegation graph matches them: by id or alias,
also lower-cased.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from nhiscan.model import Identity, Inventory


def only_providers(inventory: Inventory, providers: Iterable[str]) -> Inventory:
    """The part of ``inventory`` that belongs to ``providers``."""
    keep = set(providers)
    owner = _owners(inventory.identities)

    def provider_of(name: str) -> str | None:
        return owner.get(name, owner.get(name.lower()))

    def edge_owner(src: str, dst: str, kind: str) -> str:
        return provider_of(src) or provider_of(dst) or kind.partition(".")[0]

    return replace(
        inventory,
        identities=tuple(i for i in inventory.identities if i.provider in keep),
        credentials=tuple(c for c in inventory.credentials if provider_of(c.identity_id) in keep),
        edges=tuple(e for e in inventory.edges if edge_owner(e.src, e.dst, e.kind) in keep),
        logging=tuple(lg for lg in inventory.logging if lg.provider in keep),
        coverage=tuple(c for c in inventory.coverage if c.provider in keep),
        scopes=tuple(s for s in inventory.scopes if s.provider in keep),
        providers=tuple(p for p in inventory.providers if p in keep),
    )


def _owners(identities: Iterable[Identity]) -> dict[str, str]:
    """Identity id and every alias (as given and lower-cased) -> the identity's provider. The
    first identity to claim a name wins, as in the delegation graph."""
    owner: dict[str, str] = {}
    for ident in identities:
        owner.setdefault(ident.id, ident.provider)
    for ident in identities:
        aliases = ident.attributes.get("aliases")
        for a in aliases if isinstance(aliases, (list, tuple)) else ():
            if isinstance(a, str) and a:
                owner.setdefault(a, ident.provider)
                owner.setdefault(a.lower(), ident.provider)
        owner.setdefault(ident.id.lower(), ident.provider)
    return owner
