"""Run the mock gateway: `python -m services.digipoort_mock` (settings from DIGIPOORT_MOCK_* variables)."""

import signal
import sys
from types import FrameType

import uvicorn

from services.digipoort_mock.app import create_app
from services.digipoort_mock.settings import DigipoortMockSettings
from shared.ops_http import QuietServer


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main() -> None:
    settings = DigipoortMockSettings()
    # uvicorn shuts down gracefully on SIGTERM and then re-raises the signal to the handler that was
    # installed before it started; with this one the process exits 0 instead of dying by the signal.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        reload=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    QuietServer(config).run()


if __name__ == "__main__":
    main()
