"""The application factory: ``create_app()`` wires settings, the ledger, routes and errors."""

from __future__ import annotations

import logging
import threading
from functools import partial
from pathlib import Path

import swagger_ui
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Tag
from litestar.static_files import create_static_files_router
from tqdm import tqdm

from api.auth import AUTHENTICATION, SECURITY, SECURITY_COMPONENTS, registered_employer
from api.deps import provide_session
from api.errors import EXCEPTION_HANDLERS
from api.headers import allow_every_method, security_headers
from api.limits import check_request, refuse_control_characters
from api.logs import keep_query_strings_out_of_the_access_log
from api.routes import (
    agency,
    authorisations,
    employers,
    health,
    history,
    imports,
    matching,
    payments,
    persons,
    placements,
    postings,
    recognition,
    regions,
    reports,
    search,
    web,
)
from api.routes.search import provide_search
from api.schemas import InputSchemaPlugin
from indexer.follow import Follower
from indexer.reloadable import Reloadable
from jiuyuan import __version__
from jiuyuan.settings import Settings, get_settings
from ledger.db import make_engine, session_factory
from services.search import snapshots, warm_before_serving

OPENAPI_DESCRIPTION = """就援 (jiuyuan): job matching and subsidy-eligibility scoring for public employment
assistance (就业援助). Every error is an RFC 9457 problem-details body (`application/problem+json`)
with a Chinese `title` and `detail`; field errors are listed in `errors` as `{field, message}`.

Every route but `/health` and these docs needs `Authorization: Bearer <token>`, a key an
administrator issues with `jiuyuan keys issue` for one role: counter staff and officers (bound to
a jurisdiction), HR agencies and employers (bound to their organisation), administrators.
Employers see masked candidates only; every read of a person's record is audited."""


# Swagger UI's files come from the swagger-ui-py wheel, so the docs page works with no internet.
SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"
SWAGGER_ASSETS = "/schema-assets"


# Each module lists its handlers in ROUTES.
ROUTE_MODULES = (
    health,
    regions,
    postings,
    employers,
    search,
    placements,
    reports,
    persons,
    authorisations,
    recognition,
    matching,
    imports,
    history,
    payments,
    agency,
    web,
)


def create_app(
    settings: Settings | None = None, *, search: Reloadable | None = None, follow: bool | None = None
) -> Litestar:
    """The app over ``settings`` (default: the environment's). ``search`` replaces the search state
    the settings describe (tests give their own snapshot: ``Reloadable.fixed(SearchSnapshot(...))``).
    ``follow`` (default: when ``search`` is not given) runs the live-index follower
    (``indexer.follow``) while the app serves."""
    settings = settings or get_settings()
    keep_query_strings_out_of_the_access_log()
    # tqdm's default lock is a multiprocessing one, made even for a bar that is not shown (the
    # follower's writes): a worker leaves its semaphores to the resource tracker's warning at exit.
    tqdm.set_lock(threading.RLock())
    engine = make_engine(settings.db.url, echo=settings.db.echo)
    sessions = session_factory(engine)
    calendar_warning = health.calendar_health().warning
    if calendar_warning:  # due dates past the loaded arrangements are provisional (002 §2)
        logging.getLogger("jiuyuan").warning(calendar_warning)

    def dispose_engine() -> None:
        engine.dispose()

    # Writes become searchable within a second: each worker runs a follower, one writes at a time.
    follower = Follower(settings.search, sessions) if (search is None if follow is None else follow) else None
    holder = search or snapshots(settings.search, sessions)
    # A worker serving its settings' index loads it before it takes requests (services.search.warm).
    startup = ([partial(warm_before_serving, holder)] if search is None else []) + (
        [follower.start] if follower else []
    )

    return Litestar(
        route_handlers=[
            *(handler for module in ROUTE_MODULES for handler in module.ROUTES),
            create_static_files_router(path=SWAGGER_ASSETS, directories=[SWAGGER_STATIC], include_in_schema=False),
        ],
        dependencies={"db_session": Provide(provide_session), "search": Provide(provide_search, sync_to_thread=False)},
        # The search state (index or OpenSearch client, encoder, typeahead, profiles, ranker): one
        # snapshot at a time, loaded as the worker starts (``warm``) and again when its files change (services.search).
        state=State({"engine": engine, "sessions": sessions, "search": holder}),
        middleware=[refuse_control_characters, AUTHENTICATION],
        guards=[registered_employer],
        before_request=check_request,  # query dates in range, JSON bodies strict (api.limits)
        before_send=[security_headers, allow_every_method],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=startup,
        on_shutdown=[*([follower.stop] if follower else []), dispose_engine],
        # Litestar's default logging starts a queue-listener thread per app that nothing stops: one
        # process building many apps (the tests) piled up hundreds, printing tracebacks from behind.
        # Whoever runs the process sets up its logging (``jiuyuan serve`` does: cli.main.serve_log_config).
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="就援 jiuyuan API",
            version=__version__,
            description=OPENAPI_DESCRIPTION,
            path="/schema",
            components=SECURITY_COMPONENTS,
            security=SECURITY,
            tags=[
                Tag(name="system", description="运行状态"),
                Tag(name="reference", description="参考数据"),
                Tag(name="postings", description="岗位"),
                Tag(name="reports", description="报表"),
                Tag(name="search", description="检索"),
                Tag(name="matching", description="人岗匹配与岗位推送"),
                Tag(name="placements", description="就业安置与补贴决定"),
                Tag(name="claims", description="服务补贴申领与审核"),
                Tag(name="payments", description="按月发放：发放批次、明细审批、财务清单"),
                Tag(name="imports", description="表格导入"),
                Tag(name="history", description="社保缴费、离岗与在岗核实、人员事项、经办审批"),
                Tag(name="persons", description="求职人员登记、授权、服务记录与审计（窗口人员、经办人员）"),
                Tag(name="recognition", description="就业困难人员认定与帮扶分级（002 §1、§2、§4）"),
            ],
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                    css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                    standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                    path="/",
                ),
                JsonRenderPlugin(),
                YamlRenderPlugin(),
            ],
        ),
        plugins=[InputSchemaPlugin()],  # before Litestar's own Struct plugin: bodies refuse unnamed fields
        debug=settings.server.debug,
    )
