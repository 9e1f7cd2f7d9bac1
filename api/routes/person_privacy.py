"""PIPL routes over persons: the vocabulary of purposes, lookup by ID number, and the export of a
person's whole audit trail for an access request (PIPL art. 45). Their encoders of the masked card
and of audit entries are shared with ``api.routes.persons``.

The ID number is looked up with a POST: in a URL it would reach access logs and browser history.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, QueryParameter
from msgspec import Meta
from openpyxl import Workbook

from api.auth import BEFORE_REGISTRATION, allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import (
    WRITERS,
    AuditOut,
    PersonCard,
    PersonId,
    Purpose,
    PurposeField,
    masked_id,
    purpose_of,
)
from api.schemas import Input
from jiuyuan import clock, purposes, regions
from jiuyuan.vocab import Role
from ledger.base import utcnow
from ledger.models import AuditEntry, Person
from matcher.people import age_band, mask_name
from scoring.retirement import age_on
from services.persons import Persons

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRAIL_COLUMNS = ("时间（UTC）", "操作人", "角色", "操作", "涉及字段", "目的")


class LookupIn(Input):
    id_number: Annotated[str, Meta(pattern=r"^[0-9]{17}[0-9Xx]$", description="公民身份号码，18位")]
    purpose: PurposeField


class PurposesOut(msgspec.Struct):
    purposes: list[str]
    note: str


def card_out(p: Person, as_of: date) -> PersonCard:
    return PersonCard(
        p.id,
        mask_name(p.name),
        masked_id(p.id_number),
        p.sex,
        age_band(age_on(p.birth_date, as_of)),
        p.hukou_region_code,
        p.residence_region_code,
        regions.full_name(p.residence_region_code),
    )


def audit_out(e: AuditEntry) -> AuditOut:
    return AuditOut(e.id, e.at, e.actor, e.actor_role, e.action, e.fields, e.purpose)


def trail_xlsx(person_id: int, entries: list[AuditEntry]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "个人信息处理记录"
    ws.append([f"人员编号 {person_id} 的个人信息处理记录（导出于 {utcnow():%Y-%m-%d %H:%M} UTC）"])
    ws.append(list(TRAIL_COLUMNS))
    for e in entries:
        ws.append([e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.actor_role, e.action, "、".join(e.fields), e.purpose])
    for row in ws.iter_rows():
        for cell in row:
            cell.data_type = "s"  # text as typed: a key name "=HYPERLINK(…)" must never become a formula
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class PersonPrivacyController(Controller):
    path = "/"
    tags = ["persons"]
    dependencies = {"persons": service(Persons)}

    @get(
        "/purposes",
        operation_id="listPurposes",
        sync_to_thread=True,
        responses=problem_responses(401, 503),
        summary="查阅目的清单（读取个人信息时从中选择）",
        opt=BEFORE_REGISTRATION,
    )
    def list_purposes(self, request: Request) -> PurposesOut:
        """The purposes the office allows the caller for reading a person's data (``JIUYUAN_PURPOSES``).

        Returns:
            The entries (an employer's or agency's may be fewer), and how to add a note.
        """
        role = request.user.role
        return PurposesOut(list(purposes.vocabulary(role)), f"可选其一，{purposes.HINT}，如“{purposes.example(role)}”")

    @post(
        "/persons/lookup",
        operation_id="lookupPerson",
        sync_to_thread=True,
        status_code=200,
        guards=[WRITERS],
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="按身份证号码查找人员（号码放在请求体中；写入审计日志）",
    )
    def lookup_person(
        self,
        persons: NamedDependency[Persons],
        data: Annotated[
            LookupIn,
            Body(examples=[Example(value={"id_number": "430102199003071242", "purpose": "窗口求职登记"})]),
        ],
    ) -> PersonCard:
        """The person with this ID number, as a masked card; the read is audited.

        Returns:
            The card, or 404 when the number is unknown or the person is outside the caller's jurisdiction.
        """
        return card_out(persons.lookup(data.id_number, purpose_of(data.purpose)), clock.today())

    @get(
        "/persons/{person_id:int}/audit/export",
        operation_id="exportPersonAuditTrail",
        sync_to_thread=True,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="导出个人信息处理记录（个人查阅申请，经办人员；本次导出亦记入）",
    )
    def export_trail(
        self,
        persons: NamedDependency[Persons],
        person_id: PersonId,
        purpose: Purpose,
        format: Annotated[Literal["json", "xlsx"], QueryParameter(description="json 或 xlsx")] = "json",
    ) -> Response:
        """The person's whole audit trail, oldest first, this export last.

        Returns:
            A JSON or xlsx attachment.
        """
        person, entries = persons.audit_export(person_id, purpose_of(purpose))
        name = f"audit-trail-{person.id}.{format}"
        headers = {"Content-Disposition": f"attachment; filename={name}"}
        if format == "xlsx":
            return Response(trail_xlsx(person.id, entries), media_type=XLSX, headers=headers)
        body = {"person_id": person.id, "total": len(entries), "items": [audit_out(e) for e in entries]}
        return Response(body, headers=headers)


ROUTES = [PersonPrivacyController]
