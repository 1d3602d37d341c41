"""Published configurations, read from PostgreSQL once per process: a publication never changes once stored."""

from services.workflow.repository import PublishedConfig, WorkflowRepository


class PublicationCache:
    """Shared by a process's use cases. The latest id is asked every time, so a new publication needs no restart."""

    def __init__(self) -> None:
        self._by_id: dict[int, PublishedConfig] = {}

    async def get(self, repository: WorkflowRepository, publication_id: int) -> PublishedConfig:
        if publication_id not in self._by_id:
            self._by_id[publication_id] = await repository.publication(publication_id)
        return self._by_id[publication_id]

    async def latest(self, repository: WorkflowRepository) -> PublishedConfig | None:
        latest = await repository.latest_publication_id()
        return None if latest is None else await self.get(repository, latest)
