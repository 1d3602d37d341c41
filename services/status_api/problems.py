"""Every error of the API as RFC 9457 problem details (``application/problem+json``): the API's own refusals, the
request validation, unknown paths and methods, and anything unexpected, which says only that it went wrong (what
went wrong is for the log, never for the client)."""

from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"
TYPES = "tag:accordeer.local,2025:status-api/"
UNAUTHORISED = TYPES + "unauthorised"
UNKNOWN_MESSAGE = TYPES + "unknown-message"
INVALID_REQUEST = TYPES + "invalid-request"
TOO_MANY_REQUESTS = TYPES + "too-many-requests"
INTERNAL_ERROR = TYPES + "internal-error"
GENERIC = "about:blank"
"""RFC 9457: no more to it than the HTTP status says."""


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": UNKNOWN_MESSAGE,
                    "title": "Unknown message",
                    "status": 404,
                    "detail": "No message with this id is known for your source.",
                    "instance": "/v1/messages/afas-2025-000999/statuses",
                }
            ]
        }
    )

    type: str = Field(description="What kind of problem: a URI that names it (about:blank: just the HTTP status).")
    title: str = Field(description="Short summary of the kind of problem; the same for every occurrence.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, for a person.")
    instance: str = Field(description="The path of the request it is about.")


class ApiProblem(Exception):
    """A request the API refuses, as the problem to answer with."""

    def __init__(self, status: HTTPStatus, type_: str, title: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.type, self.title, self.detail = status, type_, title, detail
        self.headers = headers or {}


def problem_response(
    request: Request, status: int, type_: str, title: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = Problem(type=type_, title=title, status=status, detail=detail, instance=request.url.path)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers, media_type=MEDIA_TYPE)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem details."""
    app.add_exception_handler(ApiProblem, _api_problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error)


async def _api_problem(request: Request, problem: ApiProblem) -> JSONResponse:
    return problem_response(request, problem.status, problem.type, problem.title, problem.detail, problem.headers)


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    # Where and what only: a rejected value is not echoed back.
    said = "; ".join(f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors())
    return problem_response(request, 422, INVALID_REQUEST, "Invalid request", said)


async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    status = HTTPStatus(error.status_code)
    detail = error.detail if error.detail != status.phrase else _GENERIC_DETAILS.get(status, status.description)
    return problem_response(request, status, GENERIC, status.phrase, detail, error.headers)


async def _internal_error(request: Request, error: Exception) -> JSONResponse:
    return problem_response(
        request, 500, INTERNAL_ERROR, "Internal error", "The request could not be answered; try again later."
    )


_GENERIC_DETAILS = {
    HTTPStatus.NOT_FOUND: "There is no such resource; the API is described at /v1/openapi.json.",
    HTTPStatus.METHOD_NOT_ALLOWED: "The resource does not take this method; the API only answers GET.",
}
