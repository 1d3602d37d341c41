"""`python -m services.intake`: run one intake process."""

from services.intake.app import build_app
from shared.main import run_service

if __name__ == "__main__":
    run_service("intake", build_app)
