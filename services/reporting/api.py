"""reporting's HTTP API: figures for a division and everything below it."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates, validates_schema

from shared import divisions
from shared.http import requires, require_scope

from . import store
from .domain import COUNTERS, RATES, all_rates

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Aggregate figures, never personal data")


class SummaryQuery(Schema):
    division = fields.String(required=True, metadata={"description": "league, banner, township or village code"})
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)

    @validates("division")
    def known(self, value, **_):
        if divisions.get(value) is None:
            raise ValidationError("unknown division code")

    @validates_schema
    def ordered(self, data, **_):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("from is after to", field_name="from")


RatesOut = Schema.from_dict({
    name: fields.Float(allow_none=True, metadata={"description": description})
    for name, description in RATES.items()
}, name="Rates")

SummaryOut = Schema.from_dict({
    "division": fields.String(), "name": fields.String(), "level": fields.String(),
    "from": fields.String(allow_none=True), "to": fields.String(allow_none=True),
    **{name: fields.Integer(metadata={"description": description}) for name, description in COUNTERS.items()},
    "rates": fields.Nested(RatesOut, metadata={"description": "ratios rounded to 4 decimal places"}),
}, name="Summary")


@blp.route("/summary", methods=["GET"])
@requires("reporter", "coordinator", "admin")
@blp.arguments(SummaryQuery, location="query")
@blp.response(200, SummaryOut)
def summary(query):
    """Counts for a division, rolled up from its villages (division=152500: the whole league), and the
    rates the league measures: closure (办结率), on time (及时办结率), settled at the grassroots
    (化解在基层率) and pushed up to the banner (矛盾上交); and the hotline evaluation (接诉即办) over the
    petitioners' ratings: response, resolution and satisfaction rates and their combined score."""
    require_scope(g.principal, query["division"])
    day_from = query["date_from"].isoformat() if query["date_from"] else None
    day_to = query["date_to"].isoformat() if query["date_to"] else None
    division = divisions.get(query["division"])
    ctx = current_app.extensions["daiban"]
    totals = store.summary(ctx.db, division.code, day_from, day_to)
    return {"division": division.code, "name": division.name, "level": division.level,
            "from": day_from, "to": day_to, **totals, "rates": all_rates(totals, ctx.settings)}
