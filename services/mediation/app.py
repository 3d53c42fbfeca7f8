"""mediation's wiring."""
from shared.runtime import ServiceSpec

from . import api, handlers, store

SPEC = ServiceSpec(
    name="mediation", title="Daiban mediation",
    description="Convenes consultations and mediations, records minutes, outcomes and agreements.",
    blueprints=(api.blp,), indexes=store.INDEXES, outbox_collections=(store.CASES,),
    handlers=handlers.build,
)
