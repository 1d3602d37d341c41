"""Inrichting: the functional administrator's pages for the item type Accorderingsbericht, as the source document
walks them: its setting and workflows (new, based on another; who handles the client's tasks, the task manager,
deadlines), the mapping of message types to workflows with a preview, its reaction templates in both languages,
and the versions published, each of which can be published again.

Nothing here writes workflow's tables: every change is a set-up command on the portal's own set-up topic, which
workflow judges with the same checks as `accordeer workflows publish` and answers on workflow.setup.outcomes
(the projection keeps the answers and every version in ``portal.setup_outcomes`` and ``portal.setup_versions``).
A page waits a moment for the answer, then shows "De workflow is succesvol gepubliceerd." or each problem next to
its field (``desk``). A form carries its command's id, so sending it twice publishes once.
"""

from typing import TYPE_CHECKING

from services.portal.guards import GuardedRoute
from services.portal.setup.desk import SetupDesk
from services.portal.setup.mapping import mapping_routes
from services.portal.setup.templates import template_routes
from services.portal.setup.versions import version_routes
from services.portal.setup.workflows import workflow_routes

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal


def setup_routes(portal: "Portal") -> list[GuardedRoute]:
    desk = SetupDesk(portal)
    return [*workflow_routes(desk), *mapping_routes(desk), *template_routes(desk), *version_routes(desk)]
