from .catalogue import CATALOGUE, EventType, event_type, new_event, validate_data
from .envelope import Event, InvalidEvent, banner_of, parse_envelope, utcnow

__all__ = ["CATALOGUE", "Event", "EventType", "InvalidEvent", "banner_of", "event_type",
           "new_event", "parse_envelope", "utcnow", "validate_data"]
