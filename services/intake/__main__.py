"""`python -m services.intake`: run one intake process."""

import asyncio

from services.intake.app import build_app
from shared.settings import Settings

if __name__ == "__main__":
    asyncio.run(build_app(Settings()).run())
