"""The `/api/v1/` application: every app's router, one authentication, one error format."""

from __future__ import annotations

from ninja import NinjaAPI

from atiende import __version__
from atiende.api import errors
from atiende.api.auth import api_auth
from atiende.core.api import router as core_router

api = NinjaAPI(
    title="Atiende API",
    version=__version__,
    description=(
        "ITIL 4 service desk. Authenticate with `Authorization: Bearer <token>` "
        "(create tokens under Profile → API tokens or with `atiende token create`) or with "
        "the browser session and its CSRF token. Errors are `application/problem+json`."
    ),
    auth=api_auth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", core_router)
api.add_router("", "atiende.tickets.attachments_api.router")
api.add_router("", "atiende.tickets.api.router")
api.add_router("", "atiende.tickets.search_api.router")
api.add_router("", "atiende.tickets.saved_views_api.router")
api.add_router("", "atiende.sla.api.router")
api.add_router("", "atiende.sla.compliance_api.router")
api.add_router("", "atiende.knowledge.api.router")
api.add_router("", "atiende.catalog.api.router")
api.add_router("", "atiende.catalog.approvals_api.router")
api.add_router("", "atiende.satisfaction.api.router")
