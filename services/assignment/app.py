"""assignment's wiring."""
from shared.runtime import ServiceSpec

from . import api, demo_data, handlers, store

SPEC = ServiceSpec(
    name="assignment", title="Daiban assignment",
    description="Matches petitions to agents, escalates, runs the clocks; the agent's workbench.",
    blueprints=(api.blp,), indexes=store.INDEXES, outbox_collections=(store.ASSIGNMENTS,),
    handlers=handlers.build, on_start=demo_data.load_if_empty,
)
