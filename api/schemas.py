"""Wire schemas, separate from the ORM models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition

from jiuyuan import gazetteer


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """A request body: a field it does not name is refused (400 naming it), not dropped — a
    misspelt optional field (``chanel``, ``aplied_on``) would otherwise lose what was typed."""


class InputSchemaPlugin(StructSchemaPlugin):
    """``Input`` bodies in the OpenAPI document say so (``additionalProperties: false``): a client
    generated from the schema, or a fuzzer, knows an unnamed field is refused."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and field_definition.is_subclass_of(Input)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema


class CalendarHealth(msgspec.Struct):
    official_through: str
    """The last day whose State Council holiday arrangement is loaded (002 §2 working days)."""
    warning: str | None = None
    """Set when that is less than 90 days away: later due dates are provisional estimates."""


class Health(msgspec.Struct):
    status: str
    database: str
    version: str
    calendar: CalendarHealth


class RegionOut(msgspec.Struct):
    code: str
    name: str
    full_name: str
    level: str
    ancestors: list[str]


class LocationOut(msgspec.Struct):
    """The point distances are measured from, and how exact it is."""

    latitude: float
    longitude: float
    precision: str
    """entered (a point a clerk or import gave), county_centre or city_centre (estimated)."""
    precision_label: str


def location_out(latitude: float | None, longitude: float | None, region_code: str) -> LocationOut | None:
    found = gazetteer.point(latitude, longitude, region_code)
    return (
        None if found is None else LocationOut(found.latitude, found.longitude, found.precision, found.precision.label)
    )


class PostingOut(msgspec.Struct):
    id: int
    ref: str
    title: str
    description: str
    kind: str
    kind_label: str
    schedule: str
    schedule_label: str
    wage_min: Decimal
    wage_max: Decimal
    wage_unit: str
    wage_unit_label: str
    region_code: str
    region_name: str
    address: str | None
    age_min: int | None
    age_max: int | None
    skills_required: list[str]
    disabled_suitable: bool
    headcount: int
    valid_from: date
    valid_until: date
    status: str
    employer_name: str | None
    contact_phone: str | None = None
    """The posting's public contact (on the job slip a counter prints)."""
    location: LocationOut | None = None


class PostingPage(msgspec.Struct):
    total: int
    limit: int
    offset: int
    items: list[PostingOut]


class FieldProblem(msgspec.Struct):
    field: str
    message: str


class ProblemDetails(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details; ``errors`` lists the fields at fault."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] = []


class ChangeOut(msgspec.Struct):
    cursor: int
    posting_id: int
    change: str
    at: datetime


class ChangePage(msgspec.Struct):
    changes: list[ChangeOut]
    next_cursor: int
