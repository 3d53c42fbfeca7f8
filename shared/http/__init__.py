from .app import create_service_app
from .auth import Principal, public, require_scope, requires
from .problems import Problem, field_error

__all__ = ["Principal", "Problem", "create_service_app", "field_error", "public", "require_scope", "requires"]
