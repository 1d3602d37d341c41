"""The operator dashboard (issue 10, point 5): consumer lag over the last hour with its status, throughput, dead
letters, items per status, outbox backlog and the gateway, from the same code as ``accordeer lag`` and
``accordeer status``."""

from services.portal.dashboard.routes import Dashboard, dashboard_routes

__all__ = ["Dashboard", "dashboard_routes"]
