"""Kind names every provider's AI agents share, whatever the platform: agent identities are
``agent.<platform thing>`` and the links between an agent and other identities are these edge
kinds. The neutral analysis (:mod:`nhiscan.analyse.agents`) reads them; providers write them."""

from __future__ import annotations

from typing import Final

AGENT_PREFIX: Final = "agent."
"""Every agent identity kind starts with it (``agent.bedrock_agent``, ``agent.mcp_server``...)."""
RUNS_AS: Final = "agent.runs_as"
"""Edge: the agent (or an AI resource) acts with the destination identity's permissions."""
DELEGATES_TO: Final = "agent.delegates_to"
"""Edge: the agent may invoke the destination agent (a sub-agent, collaborator or runtime)."""
INHERITS_FROM: Final = "agent.inherits_from"
"""Edge: the agent's identity derives from the destination (an Entra agent from its blueprint)."""
