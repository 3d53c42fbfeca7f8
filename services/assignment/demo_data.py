"""The league's demo agents (all synthetic), loaded at start when the agents collection is empty."""
from __future__ import annotations

import json
import logging
from importlib import resources

from . import agents_store

log = logging.getLogger(__name__)


def demo_agents() -> list[dict]:
    text = resources.files("services.assignment.demo").joinpath("agents.json").read_text(encoding="utf-8")
    return json.loads(text)["agents"]


def load_if_empty(ctx) -> None:
    if ctx.settings.demo_data and agents_store.count_agents(ctx.db) == 0:
        added = agents_store.load_agents(ctx.db, demo_agents())
        log.info("loaded %d synthetic demo agents", added)
