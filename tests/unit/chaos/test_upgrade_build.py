"""The rolling-upgrade run's next version: this checkout with a new column and a new optional event field, or a
sentence naming the place that moved (never a run that tests nothing)."""

import pytest

from accordeer.chaos import upgrade
from shared.db.migrations import migrations_dir


def test_the_next_version_adds_a_migration_after_the_latest_and_writes_the_new_field(tmp_path):
    folder = upgrade.build_next(tmp_path / "next")

    latest = sorted(p.stem for p in migrations_dir().glob("[0-9]*.sql"))[-1]
    [added] = sorted(
        {p.name for p in (folder / "deploy" / "migrations").glob("*.sql")}
        - {p.name for p in migrations_dir().glob("*.sql")}
    )
    migration = (folder / "deploy" / "migrations" / added).read_text()
    assert f"-- depends: {latest}" in migration and "ADD COLUMN made_by text" in migration
    assert "made_by: str | None = None" in (folder / "shared/contracts/items.py").read_text()
    assert 'made_by="next"' in (folder / "services/intake/use_cases.py").read_text()
    assert "made_by" not in (upgrade.REPO_ROOT / "shared/contracts/items.py").read_text()


def test_a_place_that_no_longer_reads_as_expected_stops_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(upgrade, "NEXT_VERSION", [("services/intake/use_cases.py", "not in the file\n", "x")])
    with pytest.raises(upgrade.NextVersionOutdated, match=r"services/intake/use_cases\.py no longer holds"):
        upgrade.build_next(tmp_path / "next")
