"""What the import says to the person importing, in the language of their file: Dutch when its headers are Dutch
(as Profit's are), English when they are English, or as asked with ``--language``."""

from dataclasses import dataclass

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Phrase:
    """One text in both languages, written side by side where it is said."""

    nl: str
    en: str

    def read(self, language: str) -> str:
        return self.en if language == "en" else self.nl

    def __add__(self, other: "Phrase") -> "Phrase":
        return Phrase(self.nl + other.nl, self.en + other.en)


SAVE_AS_XLSX = Phrase(
    nl="sla het op als Excel-werkmap: in Excel Bestand > Opslaan als > 'Excel-werkmap (*.xlsx)', in LibreOffice"
    " Bestand > Opslaan als > 'Excel 2007-365 (*.xlsx)'",
    en="save it as an Excel workbook: in Excel File > Save As > 'Excel Workbook (*.xlsx)', in LibreOffice"
    " File > Save As > 'Excel 2007-365 (*.xlsx)'",
)
SAVE_AS_UTF8_CSV = Phrase(
    nl="kies in Excel Bestand > Opslaan als > 'CSV UTF-8 (door komma's gescheiden)', in LibreOffice 'Tekst CSV'"
    " met 'Filterinstellingen bewerken' en tekenset 'Unicode (UTF-8)'",
    en="in Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)', in LibreOffice 'Text CSV' with"
    " 'Edit filter settings' and character set 'Unicode (UTF-8)'",
)
DUTCH_DATES = Phrase(
    nl="geef dag-maand-jaar, bijvoorbeeld 03-02-2025 09:30 (of 2025-02-03 09:30); stel in LibreOffice Extra >"
    " Opties > Taalinstellingen > Talen > Landinstelling 'Nederlands (Nederland)' in, of kies in Excel voor de kolom"
    " Celeigenschappen > Datum met landinstelling 'Nederlands (Nederland)'",
    en="give day-month-year, e.g. 03-02-2025 09:30 (or 2025-02-03 09:30); in LibreOffice set Tools > Options >"
    " Language Settings > Languages > Locale setting to 'Dutch (Netherlands)', or in Excel format the column with"
    " Format Cells > Date and locale 'Dutch (Netherlands)'",
)
KEEP_AS_TEXT = Phrase(
    nl="zet de kolom op tekst voordat u het nummer typt (Excel en LibreOffice: Celeigenschappen > Getal > Tekst),"
    " of typ het nummer met een apostrof ervoor ('0012345678)",
    en="format the column as text before typing the number (Excel and LibreOffice: Format Cells > Number > Text),"
    " or type the number with an apostrophe in front ('0012345678)",
)
