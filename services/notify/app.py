"""notify's wiring."""
from shared.runtime import ServiceSpec

from . import api, handlers, store

SPEC = ServiceSpec(
    name="notify", title="Daiban notify",
    description="Tells petitioners, agents and departments what happened, on the channels they use.",
    blueprints=(api.blp,), indexes=store.INDEXES, handlers=handlers.build,
)
