"""intake's wiring: the public gateway for the mini-program and the web portal."""
from shared.runtime import ServiceSpec

from . import api, directory_store, handlers, store

SPEC = ServiceSpec(
    name="intake", title="Daiban intake",
    description="The public gateway: petitions from the mini-program, the web portal and agents.",
    blueprints=(api.blp,), indexes={**store.INDEXES, **directory_store.INDEXES}, outbox_collections=(store.PETITIONS,),
    handlers=handlers.build,
)
