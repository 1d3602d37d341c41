"""A rolling upgrade under the chaos run: the next version's migration applied while the old processes run, then
each service process replaced by the next version's one by one, old and new side by side meanwhile.

The next version is this checkout with what a real next release typically adds: a column (intake's
``dossier_items.made_by``, written by the new intake; a migration the old processes tolerate, expand before
contract) and a new optional field in an event (``DossierItemCreated.made_by``, which the old workflow, portal
and notifier must read past). It is made by copying the code and changing it in a few exact places; a place that
no longer reads as expected stops the run with a sentence naming it (update ``NEXT_VERSION``), never a run that
silently tests nothing.
"""

import shutil
from pathlib import Path

import asyncpg

from accordeer.chaos.faults import Faults, Schedule
from accordeer.paths import REPO_ROOT
from shared.db.migrations import migrations_dir

NEXT_VERSION = [
    (
        "shared/contracts/items.py",
        "    summary: DeclarationSummary | None = None\n",
        "    summary: DeclarationSummary | None = None\n    made_by: str | None = None\n",
    ),
    (
        "services/intake/use_cases.py",
        "        summary=item.summary,\n    )\n",
        '        summary=item.summary,\n        made_by="next",\n    )\n',
    ),
    (
        "services/intake/repository.py",
        '    "summary": "jsonb",\n}\n',
        '    "summary": "jsonb",\n    "made_by": "text",\n}\n',
    ),
    (
        "services/intake/repository.py",
        '        item.summary.model_dump(mode="json") if item.summary else None,\n    )\n',
        '        item.summary.model_dump(mode="json") if item.summary else None,\n        "next",\n    )\n',
    ),
]
"""(file, text as it reads now, text in the next version): each must occur exactly once."""

NEXT_MIGRATION = "ALTER TABLE intake.dossier_items ADD COLUMN made_by text;\n"
COPIED = ("accordeer", "services", "shared", "deploy", "pyproject.toml")


class NextVersionOutdated(RuntimeError):
    """The code no longer reads as NEXT_VERSION expects: the upgrade run would test nothing."""


def build_next(folder: Path) -> Path:
    """The next version's checkout in ``folder``: this one's code with NEXT_VERSION's changes and its migration."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=ignored)
        else:
            shutil.copy2(source, folder / name)
    for relative, now, then in NEXT_VERSION:
        path = folder / relative
        text = path.read_text()
        if text.count(now) != 1:
            raise NextVersionOutdated(
                f"{relative} no longer holds exactly one {now.strip()!r}: update NEXT_VERSION in {__file__}"
            )
        path.write_text(text.replace(now, then))
    latest = sorted(p.stem for p in migrations_dir().glob("[0-9]*.sql"))[-1]
    number = int(latest.split("_", 1)[0]) + 1
    (folder / "deploy" / "migrations" / f"{number:04d}_next_version_made_by.sql").write_text(
        f"-- The rolling-upgrade run's next version (accordeer/chaos/upgrade.py).\n-- depends: {latest}\n"
        + NEXT_MIGRATION
    )
    return folder


async def expand(faults: Faults) -> str:
    applied = await faults.stack.apply_next_migrations()
    return f"applied {', '.join(applied)} while every process ran the old version"


async def replace(faults: Faults, service: str, instance: str) -> str:
    old, new = await faults.stack.replace_with_next(service, instance)
    return f"pid {old} stopped (SIGTERM), the next version started as pid {new}"


async def made_by_both(faults: Faults) -> str:
    """What the versions wrote: the run proves nothing unless the next version made items while the old one ran."""
    conn = await asyncpg.connect(faults.stack.started_settings.database_url)
    try:
        rows = await conn.fetch("SELECT made_by, count(*) AS n FROM intake.dossier_items GROUP BY made_by")
    finally:
        await conn.close()
    counts = {r["made_by"] or "old": r["n"] for r in rows}
    if not counts.get("next") or not counts.get("old"):
        raise RuntimeError(f"items per version {counts}: both versions must have made items")
    return f"items made by the old version {counts['old']}, by the next {counts['next']}"


UPGRADE: Schedule = [
    (0.08, "expand: the next version's migration", expand),
    (0.15, "intake-a → next version", lambda f: replace(f, "intake", "a")),
    (0.22, "SIGKILL workflow-b (old, restarted old)", lambda f: f.kill_service("workflow", "b", pause=2)),
    (0.30, "intake-b → next version", lambda f: replace(f, "intake", "b")),
    (0.40, "workflow-a → next version", lambda f: replace(f, "workflow", "a")),
    (0.47, "SIGKILL intake-a (next, restarted next)", lambda f: f.kill_service("intake", "a", pause=2)),
    (0.55, "workflow-b → next version", lambda f: replace(f, "workflow", "b")),
    (0.65, "dispatch-a → next version", lambda f: replace(f, "dispatch", "a")),
    (0.75, "dispatch-b → next version", lambda f: replace(f, "dispatch", "b")),
    (0.95, "items made by each version", made_by_both),
]
"""Each process replaced in turn, a kill of an old and of a new one among them, and a last look at what each
version wrote."""
