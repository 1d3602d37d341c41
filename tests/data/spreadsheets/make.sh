#!/usr/bin/env bash
# The import's test files as an office's own program writes them: LibreOffice Calc, in a Dutch locale, opens the
# shipped example (deploy/examples/import/aangiften.xlsx) and its CSV and saves them in every form the import reads.
# The tests read the files this leaves here and need no LibreOffice; run it again (from the checkout, after
# `make venv`) when the example changes. Needs Debian's libreoffice-calc-nogui.
#
#   aangiften.csv                 the example as LibreOffice's CSV (UTF-8); dates stay the text they were
#   aangiften.xlsx|.xls|.ods      that CSV opened in Calc and saved: the submit date is now a date cell
#   aangiften-windows-1252.csv    the .ods saved as CSV the way Excel NL saves it: Windows-1252, ';', dates as 03-02-25 09:30
#   aangiften-excel-datums.csv    the dates noted as Excel NL notes them (3-2-2025 9:30)
#   aangiften-apostrof.xlsx       the identity numbers typed with a leading apostrophe, which Calc keeps in the value
#   aangiften-fout.csv            the example with one wrong row (a contact of another client)
#   aangiften-fout.rapport.gecorrigeerd.xlsx
#                                 the import's report of that file, the wrong row corrected and saved by Calc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# LibreOffice takes its locale (date notations, CSV reading) from LANG; a fresh profile keeps a user's out.
calc() { LANG=nl_NL.UTF-8 soffice "-env:UserInstallation=file://$work/profile" --headless "$@" >/dev/null 2>&1; }
csv_out() { echo "csv:Text - txt - csv (StarCalc):59,34,$1,1"; }  # ';', '"', the character set, from row 1
dutch_csv_in="CSV:59,34,76,1,,1043"                                  # ';', '"', UTF-8, from row 1, Dutch locale

cp "$repo/deploy/examples/import/aangiften.xlsx" "$work/voorbeeld.xlsx"
calc --convert-to "$(csv_out 76)" --outdir "$work" "$work/voorbeeld.xlsx"
cp "$work/voorbeeld.csv" "$here/aangiften.csv"
for form in xlsx xls ods; do
  calc --infilter="$dutch_csv_in" --convert-to "$form" --outdir "$here" "$here/aangiften.csv"
done
calc --convert-to "$(csv_out 1)" --outdir "$work" "$here/aangiften.ods"
cp "$work/aangiften.csv" "$here/aangiften-windows-1252.csv"

"$python" - "$here" "$work" <<'PY'
"""The intermediate files Calc then saves: Excel's date notation as a cell format, apostrophes as typed, a wrong
row, and the import's own report of it with that row corrected."""
import csv
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from openpyxl import load_workbook

from accordeer.importing.checks import Rules
from accordeer.importing.columns import read_headers
from accordeer.importing.judging import judge_rows
from accordeer.importing.outcomes import write_report
from accordeer.importing.rows import Setup
from accordeer.importing.sheets import read_sheet
from services.intake.domain import Authorisations, DossierItemType
from shared.documents.loader import load_summary_config
from tests.support.parties import GOLDEN_PARTIES

here, work = Path(sys.argv[1]), Path(sys.argv[2])
repo = here.parents[2]
example = repo / "deploy" / "examples" / "import"

book = load_workbook(here / "aangiften.xlsx")
for (cell,) in book.active.iter_rows(min_row=2, min_col=8, max_col=8):
    if isinstance(cell.value, datetime):
        cell.number_format = "D-M-YYYY H:MM"
book.save(work / "excel-datums.xlsx")

rows = list(csv.reader((here / "aangiften.csv").open(encoding="utf-8", newline=""), delimiter=";"))
numbers = {"btw-aangifte": "BTW", "icp-aangifte": "BTW", "loonheffing": "LHnr", "kvk-stukken": "KvK"}
with (work / "apostrof.csv").open("w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out, delimiter=";")
    writer.writerow(rows[0] + ["Nummer belanghebbende"])
    for row in rows[1:]:
        party = GOLDEN_PARTIES[row[1]]
        writer.writerow(row + ["'" + party.numbers[numbers[row[4]]][0]])

wrong = [row[:] for row in rows]
wrong[4][2] = "CP-2231"  # ORG-10046's declaration addressed to a contact of ORG-10045
with (here / "aangiften-fout.csv").open("w", encoding="utf-8", newline="") as out:
    csv.writer(out, delimiter=";").writerows(wrong)

config = repo / "deploy" / "config"
rules = Rules(authorisations=Authorisations.from_dict(yaml.safe_load((config / "authorisations.yaml").read_text())),
              item_type=DossierItemType(), parties=GOLDEN_PARTIES,
              summaries=load_summary_config(config / "summaries.yaml"), now=datetime.now(UTC),
              clock_skew=timedelta(minutes=5), max_bytes=1024 * 1024)
sheet = read_sheet(here / "aangiften-fout.csv")
columns, _ = read_headers(sheet.headers)
outcomes, _ = judge_rows(sheet.rows, columns, Setup("import", example / "documenten", parties=GOLDEN_PARTIES), rules)
report = work / "aangiften-fout.rapport.csv"
write_report(report, sheet, sorted(outcomes.values(), key=lambda o: o.row), "nl")
corrected = [row for row in csv.reader(report.open(encoding="utf-8-sig", newline=""), delimiter=";")]
assert corrected[4][2] == "CP-2231" and corrected[4][10] == "geweigerd", corrected[4]
corrected[4][2] = ""
with (work / "aangiften-fout.rapport.gecorrigeerd.csv").open("w", encoding="utf-8", newline="") as out:
    csv.writer(out, delimiter=";").writerows(corrected)
PY

calc --convert-to "$(csv_out 76)" --outdir "$work/datums" "$work/excel-datums.xlsx"
cp "$work/datums/excel-datums.csv" "$here/aangiften-excel-datums.csv"
calc --infilter="$dutch_csv_in" --convert-to xlsx --outdir "$work/apostrof" "$work/apostrof.csv"
cp "$work/apostrof/apostrof.xlsx" "$here/aangiften-apostrof.xlsx"
calc --infilter="$dutch_csv_in" --convert-to xlsx --outdir "$here" "$work/aangiften-fout.rapport.gecorrigeerd.csv"
ls -l "$here"
