"""`python -m services.portal`: run one portal process (its pages and its read model)."""

from services.portal.app import build_app
from shared.main import run_service

if __name__ == "__main__":
    run_service("portal", build_app)
