"""`python -m services.notifier`: run one notifier process."""

from services.notifier.app import build_app
from shared.main import run_service

if __name__ == "__main__":
    run_service("notifier", build_app)
