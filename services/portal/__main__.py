"""`python -m services.portal`: run one portal process (its pages and its read model)."""

import asyncio

from services.portal.app import build_app
from shared.settings import Settings

if __name__ == "__main__":
    asyncio.run(build_app(Settings()).run())
