"""Workflow's use cases on a real database, as its app builds them (tests call them without Kafka)."""

from services.workflow.escalation import Escalations
from services.workflow.publications import PublicationCache
from services.workflow.repository import WorkflowRepository
from services.workflow.use_cases import Workflow
from shared.db.unit_of_work import PostgresUnitOfWork
from shared.topics import Topics

CONSUMER = "test-workflow"


def units_of_work(pool):
    return lambda: PostgresUnitOfWork(pool, "workflow", CONSUMER, WorkflowRepository)


def workflow_on(pool, topics: Topics, **options) -> Workflow:
    return Workflow(units_of_work(pool), topics, CONSUMER, **options)


def escalations_on(pool, topics: Topics, **options) -> Escalations:
    return Escalations(units_of_work(pool), topics, PublicationCache(), **options)
