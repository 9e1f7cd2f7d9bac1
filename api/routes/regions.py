"""Reference data: administrative region codes (GB/T 2260)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from api.errors import problem_responses
from api.schemas import RegionOut
from jiuyuan import regions, validation
from jiuyuan.errors import FieldError, NotFound


class RegionsController(Controller):
    path = "/"
    tags = ["reference"]

    @get(
        "/regions/{code:str}",
        operation_id="getRegion",
        sync_to_thread=False,
        responses=problem_responses(400, 401, 404, 500),
        summary="行政区划代码查询 (GB/T 2260)",
    )
    def get_region(
        self, code: Annotated[str, Parameter(schema_extra={"pattern": r"^[0-9]{6}$"}, description="六位行政区划代码")]
    ) -> RegionOut:
        """Look up a six-digit administrative region code in use today.

        Args:
            code: GB/T 2260 code, e.g. 430102.

        Returns:
            Its name, full name, level and ancestors (province → city → county).
        """
        try:
            code = validation.region_code(code)
        except ValueError as exc:
            raise NotFound(str(exc), [FieldError("code", str(exc))]) from None
        region = regions.lookup(code)
        return RegionOut(
            code=code,
            name=region.name,
            full_name=regions.full_name(code),
            level=region.level,
            ancestors=regions.ancestors(code),
        )


ROUTES = [RegionsController]
