"""Agent environment detection (keito-docs §3.5): when a coding agent runs the CLI, entries are
marked source=agent with its agent_type and session id. Explicit flags always win."""

from __future__ import annotations

import os
from dataclasses import dataclass

# (environment variable, agent_type, what the variable's value is)
DETECTORS = (
    ("CLAUDE_SESSION_ID", "claude-code", "session_id"),
    ("CODEX_SESSION_ID", "codex", "session_id"),
    ("OPENCLAW_AGENT_ID", "openclaw", "agent_id"),
    ("CURSOR_AGENT", "cursor", None),
)


@dataclass(frozen=True)
class Detected:
    agent_type: str | None = None
    session_id: str | None = None
    agent_id: str | None = None

    @property
    def is_agent(self) -> bool:
        return self.agent_type is not None


def detect(env: dict[str, str] | None = None) -> Detected:
    env = dict(os.environ) if env is None else env
    agent_id = env.get("KEITO_AGENT_ID") or None
    for var, agent_type, meaning in DETECTORS:
        value = env.get(var)
        if value:
            return Detected(
                agent_type=env.get("KEITO_AGENT_TYPE") or agent_type,
                session_id=value if meaning == "session_id" else None,
                agent_id=value if meaning == "agent_id" else agent_id,
            )
    if env.get("KEITO_AGENT_TYPE"):
        return Detected(agent_type=env["KEITO_AGENT_TYPE"], agent_id=agent_id)
    return Detected(agent_id=agent_id)
