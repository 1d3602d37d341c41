"""`python -m services.status_api`: run one status API process."""

from services.status_api.app import build_app
from shared.main import run_service

if __name__ == "__main__":
    run_service("status_api", build_app)
