"""The workflow domain: definitions as data, their validation, route matching and the state machine.

Pure Python (pydantic and PyYAML only); reading files is confined to ``loading``.
"""

from .assignment import Assignment, Destination, assign
from .deadlines import Escalation, deadline, escalate, escalation_due, overdue
from .definition import (
    APPROVE_ACTION,
    REASSIGN_ACTION,
    REJECT_ACTION,
    RESTORE_ACTION,
    ActionDefinition,
    Outcome,
    TaskDefinition,
    WorkflowDefinition,
)
from .directory import Directory, parse_directory
from .loading import ConfigFolder, load_config_folder
from .problems import ValidationProblem
from .publication import Publication, check_config
from .routing import RouteRule, choose_workflow, parse_routes
from .state_machine import (
    ActionRefusal,
    ActionRequest,
    InstanceState,
    RefusalCode,
    Transition,
    assignees_of,
    decide,
    may_act,
    start,
)
from .validation import PUBLISHED, publish_report, validate, validate_routes

__all__ = [
    "APPROVE_ACTION",
    "PUBLISHED",
    "REASSIGN_ACTION",
    "REJECT_ACTION",
    "RESTORE_ACTION",
    "ActionDefinition",
    "ActionRefusal",
    "ActionRequest",
    "Assignment",
    "ConfigFolder",
    "Destination",
    "Directory",
    "Escalation",
    "InstanceState",
    "Outcome",
    "Publication",
    "RefusalCode",
    "RouteRule",
    "TaskDefinition",
    "Transition",
    "ValidationProblem",
    "WorkflowDefinition",
    "assign",
    "assignees_of",
    "check_config",
    "choose_workflow",
    "deadline",
    "decide",
    "escalate",
    "escalation_due",
    "load_config_folder",
    "may_act",
    "overdue",
    "parse_directory",
    "parse_routes",
    "publish_report",
    "start",
    "validate",
    "validate_routes",
]
