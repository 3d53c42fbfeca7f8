"""assignment's wiring."""
from shared.runtime import ServiceSpec

from . import (agents_api, agents_store, api, demo_data, departments_api, departments_store, handlers, scheduler,
               store, workbench_api)


def _start(ctx):
    demo_data.load_if_empty(ctx)
    agents_store.publish_profiles(ctx)


SPEC = ServiceSpec(
    name="assignment", title="Daiban assignment",
    description="Matches petitions to agents, escalates, runs the clocks; the agent's workbench; "
                "the agent registry and the responsible departments.",
    blueprints=(api.blp, workbench_api.blp, agents_api.blp, departments_api.blp),
    indexes={**store.INDEXES, **agents_store.INDEXES, **departments_store.INDEXES},
    outbox_collections=(store.ASSIGNMENTS, agents_store.AGENTS),
    handlers=handlers.build, on_start=_start,
    background=lambda ctx: [scheduler.Scheduler(ctx)],
)
