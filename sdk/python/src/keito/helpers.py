"""Helpers for agent metadata (keito-docs §3.2)."""

from __future__ import annotations

from typing import Any


class AgentMetadata:
    @staticmethod
    def build(
        *,
        agent_id: str | None = None,
        framework: str | None = None,
        model_provider: str | None = None,
        model_name: str | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        cost_usd: float | None = None,
        run_id: str | None = None,
        parent_run_id: str | None = None,
        trigger: str | None = None,
        confidence: float | None = None,
        human_reviewed: bool | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """The nested metadata convention; empty sections are left out, extra keys kept at the top."""
        sections: dict[str, dict[str, Any]] = {
            "agent": {"id": agent_id, "framework": framework},
            "run": {"id": run_id, "parent_id": parent_run_id, "trigger": trigger},
            "model": {
                "provider": model_provider,
                "name": model_name,
                "tokens_in": tokens_in,
                "tokens_out": tokens_out,
                "cost_usd": cost_usd,
            },
            "quality": {"confidence": confidence, "human_reviewed": human_reviewed},
        }
        out: dict[str, Any] = {}
        for name, values in sections.items():
            kept = {k: v for k, v in values.items() if v is not None}
            if kept:
                out[name] = kept
        out.update({k: v for k, v in extra.items() if v is not None})
        return out
