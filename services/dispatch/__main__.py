"""`python -m services.dispatch`: run one dispatch process."""

import asyncio

from services.dispatch.app import build_app
from shared.settings import Settings

if __name__ == "__main__":
    asyncio.run(build_app(Settings()).run())
