"""An import's surroundings without any infrastructure: the shipped authorisations and summaries, the golden
parties, and a documents folder with golden documents named after their organisation/person number."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from accordeer.importing.checks import Rules
from accordeer.importing.columns import read_headers
from accordeer.importing.judging import judge_rows
from accordeer.importing.rows import Setup
from accordeer.importing.sheets import read_sheet
from accordeer.paths import REPO_ROOT
from services.intake.domain import Authorisations, DossierItemType
from shared.documents.loader import load_summary_config
from tests.support.documents import DOCUMENTS_DIR
from tests.support.parties import GOLDEN_PARTIES

CONFIG = REPO_ROOT / "deploy" / "config"
EXAMPLE = REPO_ROOT / "deploy" / "examples" / "import"
SPREADSHEETS = REPO_ROOT / "tests" / "data" / "spreadsheets"
"""The shipped example as LibreOffice saves it in every form (make.sh there made them)."""
HEADERS = ["Type dossieritem", "Organisatie/persoon", "Contactpersoon", "Onderwerp", "Berichttype", "Document"]
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def documents(tmp_path):
    folder = tmp_path / "documenten"
    folder.mkdir()
    for name, golden in [
        ("ORG-10045_ob-2025-01.xbrl", "btw-aangifte-2025-01.xbrl"),
        ("ORG-10045_lh-2025-02.xml", "loonheffing-2025-02.xml"),
        ("ORG-10046_ob-2025-01.xbrl", "btw-aangifte-2025-01.xbrl"),
        ("ORG-20311_ob-2025-01.xbrl", "btw-aangifte-2025-01.xbrl"),
        ("ORG-99999_ob-2025-01.xbrl", "btw-aangifte-2025-01.xbrl"),
        ("4711_ob-2025-01.xbrl", "btw-aangifte-2025-01.xbrl"),
    ]:
        shutil.copy(DOCUMENTS_DIR / golden, folder / name)
    return folder


@pytest.fixture
def rules():
    authorisations = Authorisations.from_dict(yaml.safe_load((CONFIG / "authorisations.yaml").read_text()))
    return Rules(
        authorisations=authorisations,
        item_type=DossierItemType(),
        parties=GOLDEN_PARTIES,
        summaries=load_summary_config(CONFIG / "summaries.yaml"),
        now=NOW,
        clock_skew=timedelta(minutes=5),
        max_bytes=1024 * 1024,
    )


@pytest.fixture
def judge(documents, rules):
    """judge(rows, headers=HEADERS, **setup) → (outcomes by row number, rows ready to publish)."""

    def run(rows, headers=HEADERS, **setup):
        columns, problems = read_headers(headers)
        assert not problems, problems
        numbered = list(enumerate(rows, start=2))
        return judge_rows(numbered, columns, Setup("import", documents, parties=GOLDEN_PARTIES, **setup), rules)

    return run


@pytest.fixture
def judge_file(rules):
    """judge_file(path, **setup) → (outcomes, ready) for a file whose documents are the shipped example's."""

    def run(path, **setup):
        sheet = read_sheet(path)
        columns, problems = read_headers(sheet.headers)
        assert not problems, problems
        return judge_rows(
            sheet.rows, columns, Setup("import", EXAMPLE / "documenten", parties=GOLDEN_PARTIES, **setup), rules
        )

    return run
