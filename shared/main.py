"""How every service process starts (`python -m services.<name>`): settings, the app, and until it is stopped.

A start that cannot succeed (settings that do not validate, Kafka refusing the login or out of reach, PostgreSQL
away) ends with one line saying so and exit code 1, not a traceback: `accordeer run` shows that line and tries
again. A bug still shows its traceback.
"""

import asyncio
import sys
from collections.abc import Callable

import asyncpg
from aiokafka.errors import KafkaError
from faststream import FastStream
from pydantic import ValidationError

from shared.db.positions import ForeignPositions
from shared.settings import Settings

CANNOT_START = (ValidationError, KafkaError, asyncpg.PostgresError, OSError, ForeignPositions)


def run_service(name: str, build_app: Callable[[Settings], FastStream]) -> None:
    try:
        settings = Settings()
        if not settings.database_url:
            sys.exit(
                f"{name} stopped: DATABASE_URL is not set; a service connects to PostgreSQL as its own role "
                f"(SECURITY.md). Beside `make run`, `accordeer stack add {name}` starts one more {name} with the "
                "stack's settings."
            )
        asyncio.run(build_app(settings).run())
    except KeyboardInterrupt:
        pass
    except CANNOT_START as error:
        sys.exit(f"{name} stopped: {_sentence(error)}")


def _sentence(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors())
        return f"its settings are not valid ({problems})"
    if isinstance(error, KafkaError):
        return f"Kafka refused or could not be reached ({type(error).__name__}: {error})"
    if isinstance(error, ForeignPositions):
        return str(error)
    return f"{type(error).__name__}: {error}"
