"""Who a Vertex AI Agent Engine runs as (docs/providers/gcp.md, "AI agents").

An engine runs as one principal:

- ``spec.effectiveIdentity`` when the API reports it (output only): a service-account email, the
  Reasoning Engine service agent, or an agent identity ``agents.global.org-ORG.system.id.goog/...``
  (made into the IAM member form ``principal://...`` that bindings use);
- else ``spec.serviceAccount``;
- else, for ``spec.identityType: AGENT_IDENTITY``, the agent identity built from the organisation
  (when exactly one is known);
- else the project's Reasoning Engine service agent
  ``service-NUMBER@gcp-sa-aiplatform-re.iam.gserviceaccount.com``, shared by every such engine.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from nhiscan.providers.gcp.estate import ReasoningEngineRecord

SERVICE_ACCOUNT = "SERVICE_ACCOUNT"
AGENT_IDENTITY = "AGENT_IDENTITY"
DEFAULT_SERVICE_AGENT = "DEFAULT_SERVICE_AGENT"

RE_AGENT_DOMAIN = "gcp-sa-aiplatform-re.iam.gserviceaccount.com"
_RE_AGENT = re.compile(r"^service-(\d+)@gcp-sa-aiplatform-re\.(?:iam\.gserviceaccount|googleapis)\.com$")


@dataclass(frozen=True)
class Principal:
    """Who an engine runs as."""

    id: str | None
    """An SA email or a ``principal://agents...`` member; None when it cannot be told."""
    type: str
    """SERVICE_ACCOUNT, AGENT_IDENTITY or DEFAULT_SERVICE_AGENT."""


def project_number(rec: ReasoningEngineRecord, numbers: Mapping[str, str]) -> str | None:
    """The engine's project number: from its name (the API names projects by number), else from
    the project id."""
    ref = rec.name.split("/")[1]
    if ref.isdigit():
        return ref
    by_id = {v: k for k, v in numbers.items()}
    return by_id.get(ref) or by_id.get(rec.project)


def resolve_principal(rec: ReasoningEngineRecord, number: str | None, organization: str | None) -> Principal:
    """The principal ``rec`` runs as, in the order the module docstring gives."""
    eff = rec.effective_identity
    if eff and (eff.startswith("agents.") or eff.startswith("principal://")):
        return Principal(eff if eff.startswith("principal://") else f"principal://{eff}", AGENT_IDENTITY)
    if eff and "@" in eff:
        m = _RE_AGENT.match(eff)
        if m:
            # Documented as ...@gcp-sa-aiplatform-re.googleapis.com; IAM bindings name the agent by
            # its .iam.gserviceaccount.com email.
            return Principal(f"service-{m.group(1)}@{RE_AGENT_DOMAIN}", DEFAULT_SERVICE_AGENT)
        return Principal(eff, SERVICE_ACCOUNT)
    if rec.identity_type == AGENT_IDENTITY:
        return Principal(_agent_identity(rec, number, organization), AGENT_IDENTITY)
    if rec.service_account:
        return Principal(rec.service_account, SERVICE_ACCOUNT)
    return Principal(f"service-{number}@{RE_AGENT_DOMAIN}" if number else None, DEFAULT_SERVICE_AGENT)


def _agent_identity(rec: ReasoningEngineRecord, number: str | None, organization: str | None) -> str | None:
    """The agent identity member Google mints for an AGENT_IDENTITY engine; it names the
    organisation and project number, so it cannot be told without both."""
    if not (organization and number):
        return None
    engine_id = rec.name.rsplit("/", 1)[1]
    org = organization.split("/", 1)[-1]
    return (
        f"principal://agents.global.org-{org}.system.id.goog/resources/aiplatform/projects/"
        f"{number}/locations/{rec.location}/reasoningEngines/{engine_id}"
    )


def is_agent_principal(member: str) -> bool:
    """An IAM member that names a Vertex AI agent identity."""
    return member.startswith("principal://agents.")


def why(rec: ReasoningEngineRecord, p: Principal) -> str:
    """The engine field the principal was read from, for the runs-as edge's evidence."""
    if rec.effective_identity:
        return "spec.effectiveIdentity"
    if rec.service_account:
        return "spec.serviceAccount"
    if p.type == AGENT_IDENTITY:
        return "spec.identityType AGENT_IDENTITY"
    return "no spec.serviceAccount: the Reasoning Engine service agent"


def used_by(principals: Mapping[str, Principal]) -> dict[str, list[str]]:
    """Principal id -> the engines that run as it."""
    out: dict[str, list[str]] = defaultdict(list)
    for name, p in sorted(principals.items()):
        if p.id:
            out[p.id].append(name)
    return out
