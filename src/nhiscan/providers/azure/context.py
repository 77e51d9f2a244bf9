"""The indexed inputs of one tenant's build: service principals and applications by id and appId,
the tenant id, managed-identity resources and federated credentials, credential sign-ins. Built
once by :func:`index_tenant` and only read afterwards by the identity, grant, resource and
logging builders."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nhiscan.model import Provider, scope_key
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.activity import credential_sign_in
from nhiscan.providers.azure.agents.ai_resources import UAMI_TYPE, ai_resources_by_principal
from nhiscan.providers.azure.agents.index import AgentIndex, reclassify
from nhiscan.providers.azure.collected import Collected
from nhiscan.providers.azure.fields import Located, lower, merge_object, require

PROVIDER = Provider.AZURE.value
ANY_SP = "azure-tenant:{tenant}/any-sp"


@dataclass(frozen=True)
class TenantIndex:
    """One tenant's inputs, indexed for the builders."""

    c: Collected
    """The documents, with Entra agent objects sorted out (see :mod:`.agents.index`)."""
    agents: AgentIndex
    """Which objects are agents, blueprints and blueprint principals."""
    as_of: datetime
    """The time credential activity is judged at."""
    sps: dict[str, Located]
    """Service principals by lower-case object id, several exports merged."""
    apps: dict[str, Located]
    """Applications by lower-case object id, several exports merged."""
    sp_by_app: dict[str, dict[str, Any]]
    """Service principal by lower-case appId."""
    app_by_app: dict[str, dict[str, Any]]
    """Application by lower-case appId."""
    tenant: str
    """The tenant id ("unknown" when no input names it)."""
    mi_resources: dict[str, dict[str, Any]]
    """User-assigned identity ARM resource by principal id (it carries the Azure tags)."""
    ai_by_principal: dict[str, list[tuple[str, str]]]
    """Managed-identity principal id -> the AI resources that run as it."""
    mi_fics: dict[str, list[Located]]
    """User-assigned identity resource id -> its federated credentials."""
    credential_use: dict[str, datetime | None]
    """Last sign-in per credential key id."""

    @property
    def tenant_key(self) -> str:
        """The tenant's scope key."""
        return scope_key(PROVIDER, "tenant", self.tenant)

    @property
    def any_sp(self) -> str:
        """The tenant hub: every service principal that takes credentials (see :mod:`.delegation`)."""
        return ANY_SP.format(tenant=self.tenant)

    @property
    def credential_use_known(self) -> bool:
        """Whether credential sign-in activity was read."""
        return dt.CREDENTIAL_SIGN_IN_ACTIVITY in self.c.read

    @property
    def sp_listed(self) -> bool:
        """Whether the service-principal listing was read (a principal missing from it is gone)."""
        return dt.SERVICE_PRINCIPALS in self.c.read

    @property
    def sign_in_known(self) -> bool:
        """Whether service-principal sign-in activity was read."""
        return dt.SIGN_IN_ACTIVITY in self.c.read


def index_tenant(collected: Collected, tenant_hint: str | None, as_of: datetime) -> TenantIndex:
    """Index the documents; raises InputError for objects without the ids the index needs."""
    # Entra agent identities and blueprints are subtypes of SPs and applications: sort them out.
    c, agent_index = reclassify(collected)
    sps = merged(c, dt.SERVICE_PRINCIPALS, "service principal")
    apps = merged(c, dt.APPLICATIONS, "application")
    sp_by_app = {lower(sp["appId"]): sp for sp, _ in sps.values()}
    app_by_app = {lower(app["appId"]): app for app, _ in apps.values()}
    mi_fics: dict[str, list[Located]] = defaultdict(list)
    for index, (obj, where) in enumerate(c.items.get(dt.MI_FEDERATED_CREDENTIALS, [])):
        fid = lower(require(obj, "id", where, f"managed identity federated credential [{index}]"))
        mi_fics[fid.split("/federatedidentitycredentials/")[0]].append((obj, where))
    return TenantIndex(
        c=c,
        agents=agent_index,
        as_of=as_of,
        sps=sps,
        apps=apps,
        sp_by_app=sp_by_app,
        app_by_app=app_by_app,
        tenant=_tenant(c, tenant_hint, sp_by_app, app_by_app),
        mi_resources={
            lower(obj.get("principalId")): obj
            for obj, _ in c.items.get(dt.RESOURCES, [])
            if obj.get("principalId") and lower(obj.get("type")) == UAMI_TYPE
        },
        ai_by_principal=ai_resources_by_principal(c),
        mi_fics=mi_fics,
        credential_use=credential_sign_in(c),
    )


def merged(c: Collected, doc_type: str, what: str) -> dict[str, Located]:
    """Objects by lower-case id; several exports of the same object (one with owners
    expanded, one with federated credentials) are merged key by key."""
    out: dict[str, Located] = {}
    for index, (obj, where) in enumerate(c.items.get(doc_type, [])):
        oid = lower(require(obj, "id", where, f"{what} [{index}]"))
        require(obj, "appId", where, f"{what} {oid}")
        merge_object(out, oid, obj, where)
    return out


def _tenant(
    c: Collected,
    hint: str | None,
    sp_by_app: dict[str, dict[str, Any]],
    app_by_app: dict[str, dict[str, Any]],
) -> str:
    if hint:
        return hint.lower()
    if c.tenant_id:
        return c.tenant_id.lower()
    for obj, _ in c.items.get(dt.SUBSCRIPTIONS, []):
        if obj.get("tenantId"):
            return lower(obj["tenantId"])
    # An SP whose application is registered here was published by this tenant.
    for app_id, sp in sp_by_app.items():
        if app_id in app_by_app and sp.get("appOwnerOrganizationId"):
            return lower(sp["appOwnerOrganizationId"])
    return "unknown"


def subscription_of(text: str) -> str | None:
    """The subscription id an ARM id or scope names."""
    m = re.search(r"/subscriptions/([0-9a-fA-F-]{36})", text)
    return m.group(1).lower() if m else None


def subscriptions(c: Collected) -> dict[str, str | None]:
    """Every subscription the inputs name -> its display name if known."""
    subs = dict(c.subscriptions)
    for obj, _ in c.items.get(dt.SUBSCRIPTIONS, []):
        sid = lower(obj.get("subscriptionId") or obj.get("id", "")).rsplit("/", 1)[-1]
        if sid:
            name = obj.get("displayName") or obj.get("name") or subs.get(sid)
            subs[sid] = str(name) if name else None
    for doc_type in (dt.ROLE_ASSIGNMENTS, dt.ACTIVITY_LOG_SETTINGS):
        for obj, _ in c.items.get(doc_type, []):
            found = subscription_of(str(obj.get("scope") or obj.get("id") or ""))
            if found:
                subs.setdefault(found, None)
    return subs
