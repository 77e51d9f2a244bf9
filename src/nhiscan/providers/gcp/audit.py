"""A project's effective Cloud Audit Logs configuration, from the ``auditConfigs`` of its IAM
policy and its ancestors' (Admin Activity logs are always on and cannot be configured)."""

from __future__ import annotations

from collections import defaultdict

from nhiscan.model import Evidence, LoggingState, LoggingStatus, Provider
from nhiscan.providers.gcp.estate import AuditConfig, PolicyRecord
from nhiscan.providers.gcp.facts import GcpLoggingFacts

PROVIDER = Provider.GCP.value
AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def audit_state(key_: str, chain: list[PolicyRecord], unread: list[str]) -> LoggingState:
    """Audit configs are inherited: a project's effective config is the union of its own and its
    ancestors' (https://cloud.google.com/logging/docs/audit/configure-data-access)."""
    services: dict[str, set[str]] = defaultdict(set)
    exempted: set[str] = set()
    for p in chain:
        for ac in p.audit_configs or ():
            _merge(services, exempted, ac)
    all_types = services.get("allServices", set())
    missing = [t for t in AUDIT_LOG_TYPES if t not in all_types]
    if not missing and not exempted:
        status = LoggingStatus.ENABLED
        summary = "Cloud Audit Logs record ADMIN_READ, DATA_READ and DATA_WRITE for allServices."
    elif services:
        status = LoggingStatus.PARTIAL
        parts = []
        if missing:
            parts.append("allServices lacks " + ", ".join(missing))
        if exempted:
            parts.append("exempted members: " + ", ".join(sorted(exempted)))
        summary = "Cloud Audit Logs partly configured: " + "; ".join(parts) + "."
    else:
        status = LoggingStatus.DISABLED
        summary = "No Data Access audit logs configured (only Admin Activity, which is always on)."
    return LoggingState(
        scope=key_,
        provider=PROVIDER,
        status=status.value,
        summary=summary,
        evidence=tuple(Evidence(p.source, f"{p.resource} auditConfigs") for p in chain),
        facts=GcpLoggingFacts(
            all_services_log_types=tuple(sorted(all_types)),
            missing_log_types=tuple(missing),
            services=tuple(sorted(services)),
            exempted_members=tuple(sorted(exempted)),
            inherited_from=tuple(p.resource for p in chain[1:]),
            # Ancestors whose audit configs were not read could only add logging, never remove it.
            unread_ancestors=tuple(unread),
        ),
    )


def _merge(services: dict[str, set[str]], exempted: set[str], ac: AuditConfig) -> None:
    for log_type, members in ac.log_types:
        services[ac.service].add(log_type)
        if ac.service == "allServices":
            exempted.update(members)
    services.setdefault(ac.service, set())
