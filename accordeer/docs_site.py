"""`accordeer docs --serve`: the AsyncAPI document as a web page (FastStream's viewer) and as YAML."""

import uvicorn
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.site import get_asyncapi_html
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from accordeer.contract_docs import asyncapi_yaml, contract_broker


def serve_document(port: int) -> None:
    specification = AsyncAPI(contract_broker(), title="Accordeer", version="1").to_specification()

    async def page(_):
        return HTMLResponse(get_asyncapi_html(specification))

    async def document(_):
        return PlainTextResponse(asyncapi_yaml(), media_type="application/yaml")

    app = Starlette(routes=[Route("/", page), Route("/asyncapi.yaml", document)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
