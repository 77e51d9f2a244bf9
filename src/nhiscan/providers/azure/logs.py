"""Logging state: whether each subscription's Activity Log and the tenant's Entra sign-in logs of
service principals and managed identities are exported by a diagnostic setting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from nhiscan.model import CoverageEntry, CoverageStatus, Evidence, LoggingState, LoggingStatus, scope_key
from nhiscan.providers.azure import catalog as cat
from nhiscan.providers.azure import doctypes as dt
from nhiscan.providers.azure.context import PROVIDER, TenantIndex, subscription_of, subscriptions
from nhiscan.providers.azure.facts import AzureLoggingFacts
from nhiscan.providers.azure.fields import Located


def logging_states(t: TenantIndex) -> tuple[list[LoggingState], list[CoverageEntry]]:
    """One state per subscription and one for the tenant, and the gap when Entra diagnostic
    settings were not read."""
    states = activity_log_states(t)
    entra, coverage = entra_state(t)
    return [*states, entra], coverage


def enabled_categories(settings: list[Located], all_categories: tuple[str, ...] | None) -> set[str]:
    """Log categories some setting with a destination exports; ``allLogs`` / ``audit`` groups
    stand for ``all_categories`` (the Entra NHI categories when None and the group is allLogs)."""
    found: set[str] = set()
    for obj, _ in settings:
        if not (
            obj.get("workspaceId")
            or obj.get("storageAccountId")
            or obj.get("eventHubAuthorizationRuleId")
            or obj.get("eventHubName")
            or obj.get("marketplacePartnerId")
        ):
            continue  # a setting with no destination exports nothing
        for log in obj.get("logs") or []:
            if not isinstance(log, Mapping) or log.get("enabled") is False:
                continue
            if log.get("category"):
                found.add(str(log["category"]))
            elif str(log.get("categoryGroup", "")).lower() in ("alllogs", "audit") and all_categories:
                found.update(all_categories)
            elif str(log.get("categoryGroup", "")).lower() == "alllogs":
                found.update(cat.ENTRA_NHI_LOG_CATEGORIES)
    return found


def _facts(kind: str, settings: list[Located], categories: set[str], missing: list[str]) -> AzureLoggingFacts:
    return AzureLoggingFacts(
        kind=kind,
        settings=tuple(str(o.get("name") or o.get("id")) for o, _ in settings),
        categories=tuple(sorted(categories)),
        missing_categories=tuple(missing),
    )


def _evidence(settings: list[Located]) -> tuple[Evidence, ...]:
    return tuple(Evidence(w, str(o.get("name") or o.get("id"))) for o, w in settings)


def activity_log_states(t: TenantIndex) -> list[LoggingState]:
    """Each subscription's Activity Log export: unknown when its settings were not read."""
    states: list[LoggingState] = []
    per_sub: dict[str, list[Located]] = defaultdict(list)
    for obj, where in t.c.items.get(dt.ACTIVITY_LOG_SETTINGS, []):
        sid = subscription_of(str(obj.get("id") or ""))
        if sid:
            per_sub[sid].append((obj, where))
    read = t.c.activity_log_read | set(per_sub)
    for sid in sorted(subscriptions(t.c)):
        key = scope_key(PROVIDER, "subscription", sid)
        if sid not in read:
            states.append(
                LoggingState(
                    key,
                    PROVIDER,
                    LoggingStatus.UNKNOWN.value,
                    "Activity Log diagnostic settings were not read",
                )
            )
            continue
        settings = per_sub.get(sid, [])
        categories = enabled_categories(settings, cat.ACTIVITY_LOG_CATEGORIES)
        missing = [c for c in cat.ACTIVITY_LOG_CATEGORIES if c not in categories]
        if not settings or not categories:
            status, summary = (
                LoggingStatus.DISABLED.value,
                "no Activity Log diagnostic setting exports the subscription's activity",
            )
        elif missing:
            status, summary = (
                LoggingStatus.PARTIAL.value,
                f"Activity Log diagnostic setting lacks {', '.join(missing)}",
            )
        else:
            status, summary = LoggingStatus.ENABLED.value, "Activity Log exported by a diagnostic setting"
        states.append(
            LoggingState(
                key,
                PROVIDER,
                status,
                summary,
                evidence=_evidence(settings),
                facts=_facts("activity_log", settings, categories, missing),
            )
        )
    return states


def entra_state(t: TenantIndex) -> tuple[LoggingState, list[CoverageEntry]]:
    """The tenant's Entra sign-in log export, and a coverage gap when it is unknown."""
    entra = t.c.items.get(dt.ENTRA_SETTINGS, [])
    if not (dt.ENTRA_SETTINGS in t.c.read or entra):
        coverage: list[CoverageEntry] = []
        if not any(c.source.endswith("aadiam/diagnosticSettings") for c in t.c.coverage):
            coverage.append(
                CoverageEntry(
                    PROVIDER,
                    t.tenant_key,
                    "microsoft.aadiam/diagnosticSettings",
                    CoverageStatus.UNKNOWN.value,
                    "Entra diagnostic settings not among the inputs; sign-in log export is unknown",
                )
            )
        state = LoggingState(
            t.tenant_key, PROVIDER, LoggingStatus.UNKNOWN.value, "Entra diagnostic settings were not read"
        )
        return state, coverage
    categories = enabled_categories(entra, None)
    missing = [c for c in cat.ENTRA_NHI_LOG_CATEGORIES if c not in categories]
    if len(missing) == len(cat.ENTRA_NHI_LOG_CATEGORIES):
        status, summary = (
            LoggingStatus.DISABLED.value,
            "no Entra diagnostic setting exports service-principal or managed-identity sign-in logs",
        )
    elif missing:
        status, summary = LoggingStatus.PARTIAL.value, f"Entra diagnostic settings lack {', '.join(missing)}"
    else:
        status, summary = (
            LoggingStatus.ENABLED.value,
            "Entra sign-in logs of service principals and managed identities are exported",
        )
    state = LoggingState(
        t.tenant_key,
        PROVIDER,
        status,
        summary,
        evidence=_evidence(entra),
        facts=_facts("entra_diagnostic_settings", entra, categories, missing),
    )
    return state, []
