"""The status API over HTTP (FastAPI), versioned under /v1, and its OpenAPI document.

The app is built without anything it serves from, so ``openapi_document()`` needs no settings or database; the
composition root hands it a ``Serving`` (the queries and the gate) that the routes take by dependency.
"""

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.telemetry import TelemetryConfig
from pydantic import AwareDatetime

from services.status_api import problems
from services.status_api.access import Gate
from services.status_api.cursors import START, BadCursor
from services.status_api.models import MessageStatuses, MessageTypes, Status, StatusPage
from services.status_api.problems import INVALID_REQUEST, UNKNOWN_MESSAGE, ApiProblem, Problem
from services.status_api.use_cases import StatusQueries

TITLE = "Accordeer statusinformatie"
DESCRIPTION = """\
The statuses of an external package's (a source's) own messages, for reconciliation, modelled on Digipoort's
StatusinformatieService:

- `GET /v1/messages/{message_id}/statuses` is **getStatussenProces**: every status of one message, optionally only
  those that occurred from `from` up to (not including) `to`.
- `GET /v1/statuses?after=<cursor>` is **getNieuweStatussen**: what is new for the source since the cursor of its
  last call. Unlike Digipoort's, it does not forget what it gave: keep the `next` cursor once you have processed a
  page, and after a crash ask again with the cursor you kept (at least once, never a line skipped).
- `GET /v1/message-types` says which message types the source may submit.

The same statuses are published on Kafka (`messages.status`, refusals on `declarations.refused`; see
docs/asyncapi.yaml). Each request carries the source's API key (`Authorization: Bearer <key>`), issued by an
operator with `accordeer status-api key SOURCE`; a source sees only its own messages. Every error is
`application/problem+json` (RFC 9457).
"""
MAX_PAGE = 500
# FastAPI's own OpenTelemetry hooks: this service reports through its logs and Prometheus metrics, like the others.
NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


@dataclass(frozen=True)
class Serving:
    """What the routes answer from."""

    queries: StatusQueries
    gate: Gate


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    bearerFormat="<source>.<43 characters>",
    description="The source's API key, from `accordeer status-api key SOURCE`.",
)


def _serving(request: Request) -> Serving:
    serving: Serving | None = request.app.state.serving
    if serving is None:
        raise RuntimeError("this app was built for its OpenAPI document only")
    return serving


async def _caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    return await _serving(request).gate.source_of(credentials)


def _queries(request: Request) -> StatusQueries:
    return _serving(request).queries


Caller = Annotated[str, Depends(_caller)]
Queries = Annotated[StatusQueries, Depends(_queries)]


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ALWAYS: dict[int | str, dict[str, Any]] = {
    401: _problem("No API key, or not a valid one (with `WWW-Authenticate: Bearer`)."),
    429: _problem("The source asked too often; `Retry-After` says in how many seconds it may ask again."),
    500: _problem("Something went wrong on the API's side; ask again later."),
}
INVALID: dict[int | str, dict[str, Any]] = {422: _problem("A parameter is not valid; `detail` names it.")}
router = APIRouter(responses=ALWAYS)


@router.get(
    "/messages/{message_id:path}/statuses",
    operation_id="statusesOfMessage",
    summary="The statuses of one message (getStatussenProces)",
    response_description="The message's statuses.",
    responses={
        404: _problem("The source has no message with this id (whether another source has one is not said)."),
        **INVALID,
    },
)
async def statuses_of_message(
    message_id: Annotated[
        str,
        Path(min_length=1, max_length=1000, description="The message's id as submitted, URL-encoded (a '/' as %2F)."),
    ],
    source: Caller,
    queries: Queries,
    since: Annotated[
        AwareDatetime | None,
        Query(
            alias="from",
            description="Only statuses from this instant on (RFC 3339 with its offset, e.g. 2025-02-03T09:00:00Z;"
            " a '+' in the offset URL-encoded as %2B).",
        ),
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(alias="to", description="Only statuses before this instant (RFC 3339).")
    ] = None,
) -> MessageStatuses:
    """Every status of the message, oldest first, optionally within [from, to); a submission refused under its id
    is included as kind 'refused'."""
    if since is not None and until is not None and since >= until:
        raise ApiProblem(HTTPStatus.UNPROCESSABLE_ENTITY, INVALID_REQUEST, "Invalid request", "from: must be before to")
    lines = await queries.of_message(source, message_id, since, until)
    if lines is None:
        raise ApiProblem(
            HTTPStatus.NOT_FOUND,
            UNKNOWN_MESSAGE,
            "Unknown message",
            "No message with this id is known for your source.",
        )
    return MessageStatuses(message_id=message_id, statuses=[Status.of(line) for line in lines])


@router.get(
    "/statuses",
    operation_id="newStatuses",
    summary="What is new since a cursor (getNieuweStatussen)",
    response_description="The lines after the cursor, and the cursor to ask with next.",
    responses=INVALID,
)
async def new_statuses(
    source: Caller,
    queries: Queries,
    after: Annotated[
        str, Query(description="The `next` of the page before; 0 (the default) for the start.", examples=["57"])
    ] = START,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Most lines in this page.")] = 100,
) -> StatusPage:
    """The source's statuses and refusals after the cursor, oldest first, with the cursor to ask with next."""
    try:
        page = await queries.after(source, after, limit)
    except BadCursor as error:
        raise ApiProblem(HTTPStatus.UNPROCESSABLE_ENTITY, INVALID_REQUEST, "Invalid request", str(error)) from None
    return StatusPage(statuses=[Status.of(line) for line in page.lines], next=page.next)


@router.get(
    "/message-types",
    operation_id="messageTypes",
    summary="The message types the source may submit",
    response_description="The source's service user and its message types.",
)
async def message_types(source: Caller, queries: Queries) -> MessageTypes:
    """Its service user's message types in the authorisations (as intake judges submissions without a submitter)."""
    return MessageTypes.of(queries.submit_rights(source))


class _StatusApi(FastAPI):
    def openapi(self) -> dict[str, Any]:
        document = super().openapi()  # FastAPI keeps it once made; what follows changes it once
        for operation in (o for path in document["paths"].values() for o in path.values()):
            operation["responses"] = {
                code: _as_problem(answer) if int(code) >= 400 else answer
                for code, answer in sorted(operation["responses"].items())
            }
        return document


def _as_problem(answer: dict[str, Any]) -> dict[str, Any]:
    """An error's answer as it is sent: problem details are application/problem+json, not application/json."""
    content = answer.get("content", {})
    if "application/json" in content:
        answer["content"] = {problems.MEDIA_TYPE: content["application/json"]}
    return answer


def status_api(serving: Serving | None = None) -> FastAPI:
    """The API; without ``serving`` it can only describe itself."""
    app = _StatusApi(
        title=TITLE,
        description=DESCRIPTION,
        version="1",
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        telemetry=NO_TELEMETRY,
    )
    app.state.serving = serving
    problems.install(app)
    app.include_router(router, prefix="/v1")
    return app


def openapi_document() -> dict[str, Any]:
    return status_api().openapi()


def openapi_text() -> str:
    """The document as committed in docs/openapi.json."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
