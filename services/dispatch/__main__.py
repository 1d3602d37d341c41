"""`python -m services.dispatch`: run one dispatch process."""

from services.dispatch.app import build_app
from shared.main import run_service

if __name__ == "__main__":
    run_service("dispatch", build_app)
