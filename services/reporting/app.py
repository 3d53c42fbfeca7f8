"""reporting's wiring."""
from shared.runtime import ServiceSpec

from . import api, handlers, store

SPEC = ServiceSpec(
    name="reporting", title="Daiban reporting",
    description="Closure and on-time rates, hotline rates, rankings and exports, from events.",
    blueprints=(api.blp,), indexes=store.INDEXES, handlers=handlers.build,
)
