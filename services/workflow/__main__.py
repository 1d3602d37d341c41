"""`python -m services.workflow`: run one workflow process."""

import asyncio

from services.workflow.app import build_app
from shared.settings import Settings

if __name__ == "__main__":
    asyncio.run(build_app(Settings()).run())
