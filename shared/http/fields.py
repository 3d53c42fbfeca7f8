"""Schema fields shared by the services' APIs."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from marshmallow import fields


class LocalDateTime(fields.AwareDateTime):
    """ISO 8601 with the platform's offset (Asia/Shanghai by default: +08:00) on the way out."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and has_app_context():
            value = value.astimezone(ZoneInfo(current_app.extensions["daiban"].settings.timezone))
        return super()._serialize(value, attr, obj, **kwargs)
