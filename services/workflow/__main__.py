"""`python -m services.workflow`: run one workflow process."""

from services.workflow.app import build_app
from shared.main import run_service

if __name__ == "__main__":
    run_service("workflow", build_app)
