"""Offline import: recognised ``az`` / Graph / ARM export files -> inventory."""

from __future__ import annotations

from collections.abc import Sequence

from nhiscan.model import CoverageEntry, CoverageStatus, Inventory
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure import documents as d
from nhiscan.providers.azure.build import build_inventory
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.context import PROVIDER
from nhiscan.providers.azure.settings import AzureSettings
from nhiscan.providers.interface import CollectOptions, RecognisedFile

# What a scan misses when an export is absent, so the gap is reported instead of looking clean.
_OPTIONAL = {
    dt.SIGN_IN_ACTIVITY: "service-principal sign-in activity (last used) unknown",
    dt.CREDENTIAL_SIGN_IN_ACTIVITY: "credential sign-in activity (secret/certificate last used) unknown",
    dt.APP_ROLE_ASSIGNMENTS: "Microsoft Graph application permissions unknown",
    dt.DIRECTORY_ROLE_ASSIGNMENTS: "Entra directory role assignments unknown",
    dt.ROLE_ASSIGNMENTS: "Azure RBAC role assignments unknown",
    dt.AGENT_IDENTITIES: "Entra Agent ID agent identities unknown (those in the service-principal export are "
    "inventoried without sponsors; export servicePrincipals/microsoft.graph.agentIdentity)",
}


def build_from_files(files: Sequence[RecognisedFile], options: CollectOptions) -> Inventory:
    collected = Collected()
    for rf in files:
        where = str(rf.file.path)
        doc = d.load_json(rf.file.path, rf.file.data)
        objects, truncated = d.normalise(doc, rf.doc_type, where)
        collected.add(rf.doc_type, objects, where)
        collected.read.add(rf.doc_type)
        if truncated:
            collected.coverage.append(
                CoverageEntry(
                    PROVIDER,
                    "azure",
                    where,
                    CoverageStatus.ERROR.value,
                    "the export has @odata.nextLink: later pages were not exported",
                )
            )
    owners_seen = any(
        "owners" in obj
        for t in (dt.APPLICATIONS, dt.SERVICE_PRINCIPALS)
        for obj, _ in collected.items.get(t, [])
    )
    tenant = options.settings_for(AzureSettings).tenant
    inv = build_inventory(collected, tenant or None, options.as_of)
    tenant_key = next((s.key for s in inv.scopes if s.type == "tenant"), "azure")
    gaps = [
        CoverageEntry(
            PROVIDER,
            tenant_key,
            doc_type,
            CoverageStatus.UNKNOWN.value,
            f"not among the exported files: {what}",
        )
        for doc_type, what in _OPTIONAL.items()
        if doc_type not in collected.read
        and (collected.items.get(dt.SERVICE_PRINCIPALS) or collected.items.get(dt.APPLICATIONS))
    ]
    if not owners_seen and (
        collected.items.get(dt.SERVICE_PRINCIPALS) or collected.items.get(dt.APPLICATIONS)
    ):
        gaps.append(
            CoverageEntry(
                PROVIDER,
                tenant_key,
                "owners",
                CoverageStatus.UNKNOWN.value,
                "not among the exported files: application and service-principal owners unknown (export with $expand=owners)",
            )
        )
    return Inventory(
        identities=inv.identities,
        credentials=inv.credentials,
        edges=inv.edges,
        logging=inv.logging,
        coverage=inv.coverage + tuple(gaps),
        scopes=inv.scopes,
        providers=inv.providers,
        generated_at=inv.generated_at,
    )
