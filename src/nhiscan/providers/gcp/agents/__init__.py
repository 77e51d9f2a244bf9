"""AI-agent identities on Google Cloud: Vertex AI Agent Engine (reasoning engines).

- :mod:`.documents` recognises and reads exported engine documents (and the API's answers);
- :mod:`.principal` decides who an engine runs as;
- :mod:`.build` turns engines into ``agent.vertex_agent_engine`` identities and ``agent.runs_as``
  edges;
- :mod:`.live` makes the read-only Vertex AI calls.

The names below are the ones the GCP plugin and its tests use.
"""

from __future__ import annotations

from nhiscan.providers.gcp.agents.build import ENGINE_KIND, RUNS_AS, build_engines, reach_of, secret_like
from nhiscan.providers.gcp.agents.documents import (
    REASONING_ENGINES,
    read_engines,
    reasoning_engine,
    recognise,
)
from nhiscan.providers.gcp.agents.live import (
    DEFAULT_LOCATIONS,
    AiPlatformError,
    AiPlatformRest,
    EngineCollector,
    error_status,
    make_client,
)
from nhiscan.providers.gcp.agents.principal import (
    AGENT_IDENTITY,
    DEFAULT_SERVICE_AGENT,
    SERVICE_ACCOUNT,
    Principal,
    resolve_principal,
)

__all__ = [
    "AGENT_IDENTITY",
    "DEFAULT_LOCATIONS",
    "DEFAULT_SERVICE_AGENT",
    "ENGINE_KIND",
    "REASONING_ENGINES",
    "RUNS_AS",
    "SERVICE_ACCOUNT",
    "AiPlatformError",
    "AiPlatformRest",
    "EngineCollector",
    "Principal",
    "build_engines",
    "error_status",
    "make_client",
    "reach_of",
    "read_engines",
    "reasoning_engine",
    "recognise",
    "resolve_principal",
    "secret_like",
]
