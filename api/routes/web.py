"""The counter page (``/ui``): static files of a thin client of this API (see api/web/app.js).
The files are public; everything they show comes through the API with the user's token."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

WEB = Path(__file__).resolve().parent.parent / "web"


@get("/", include_in_schema=False, security=[])
async def home() -> Redirect:
    return Redirect("/ui/")


ROUTES = [home, create_static_files_router(path="/ui", directories=[WEB], html_mode=True, include_in_schema=False)]
