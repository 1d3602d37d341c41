"""`python -m services.notifier`: run one notifier process."""

import asyncio

from services.notifier.app import build_app
from shared.settings import Settings

if __name__ == "__main__":
    asyncio.run(build_app(Settings()).run())
