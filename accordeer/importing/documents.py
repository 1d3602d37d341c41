"""The import document's rules for files: names start with the organisation/person number, no two documents of
one destination share a name, and an attachment is a UNC path that a configured local folder stands for."""

import re
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from accordeer.importing.phrases import Phrase
from services.intake.domain.locations import is_local_drive_path

XML_SUFFIXES = (".xml", ".xbrl")


class FileProblem(ValueError):
    """A row's file cannot be used; the phrase says why and what to give instead."""

    def __init__(self, phrase: Phrase):
        super().__init__(phrase.en)
        self.phrase = phrase


def document_path(name: str, organisation: str, folder: Path) -> Path:
    if not name:
        raise FileProblem(
            Phrase(
                "geef de bestandsnaam van het document van de aangifte",
                "give the file name of the declaration's document",
            )
        )
    if any(ch in name for ch in "\\/:"):
        raise FileProblem(
            Phrase(
                f"{name!r}: geef alleen de bestandsnaam; de map is die van --documents",
                f"{name!r}: give only the file name; the folder is the one given with --documents",
            )
        )
    if not starts_with_number(name, organisation):
        raise FileProblem(
            Phrase(
                f"{name!r} begint niet met het organisatie/persoonnummer {organisation} van deze rij; documenten heten"
                f" naar dat nummer, niet naar een medewerker- of debiteurnummer (bijvoorbeeld {organisation}_{name})",
                f"{name!r} does not start with the organisation/person number {organisation} of this row; documents are"
                f" named after it, not after an employee or debtor number (e.g. {organisation}_{name})",
            )
        )
    path = folder / name
    if not _is_file(path):
        raise FileProblem(
            Phrase(
                f"{name!r} staat niet in de map met documenten {folder}",
                f"{name!r} is not in the documents folder {folder}",
            )
        )
    return path


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name no file system holds (too long: a number cell read as 1e255) is none."""
    try:
        return path.is_file()
    except OSError:
        return False


def starts_with_number(name: str, organisation: str) -> bool:
    """'ORG-10045_ob.xbrl' starts with ORG-10045; 'ORG-100451_ob.xbrl' does not."""
    return (
        bool(organisation) and re.match(re.escape(organisation) + r"(?![A-Za-z0-9])", name, re.IGNORECASE) is not None
    )


def mime_type(name: str) -> str:
    return "application/xml" if name.lower().endswith(XML_SUFFIXES) else "application/octet-stream"


def attachment_of(location: str, shares: dict[str, Path]) -> dict:
    """The attachment as the contract has it. A local drive path is passed on as it is, so that intake's own rule
    refuses it with its UNC form; a UNC path must be under a share that a local folder stands for."""
    name = PureWindowsPath(location).name
    if is_local_drive_path(location):
        return {"file_name": name or location, "location": location}
    if not location.startswith("\\\\"):
        example = f"\\\\client\\C$\\Import\\{name or 'bijlage.pdf'}"
        raise FileProblem(
            Phrase(
                f"{location!r} is geen UNC-pad; geef bijvoorbeeld {example}",
                f"{location!r} is not a UNC path; give e.g. {example}",
            )
        )
    local = local_path(location, shares)
    if not _is_file(local):
        raise FileProblem(
            Phrase(f"{location!r} bestaat niet (gezocht in {local})", f"{location!r} is not there (looked in {local})")
        )
    return {"file_name": name, "location": location}


def local_path(location: str, shares: dict[str, Path]) -> Path:
    for share, folder in shares.items():
        prefix = share.rstrip("\\") + "\\"
        if location.lower().startswith(prefix.lower()):
            parts = PureWindowsPath(location[len(prefix) :]).parts
            local = folder.joinpath(*parts)
            if ".." in parts or not local.resolve().is_relative_to(folder.resolve()):
                raise FileProblem(
                    Phrase(
                        f"{location!r} wijst buiten de share {share}; geef een bestand in de share zelf",
                        f"{location!r} points outside its share {share}; give a file in the share itself",
                    )
                )
            return local
    raise FileProblem(
        Phrase(
            f"{location!r} ligt onder geen share met een lokale map; geef ACCORDEER_IMPORT_SHARES"
            " (of --shares), bijvoorbeeld '\\\\client\\C$\\Import=/srv/import'",
            f"{location!r} is under no share with a local folder; set ACCORDEER_IMPORT_SHARES"
            " (or --shares), e.g. '\\\\client\\C$\\Import=/srv/import'",
        )
    )


def parse_shares(setting: str) -> dict[str, Path]:
    """``\\\\client\\C$\\Import=/srv/import;\\\\nas\\docs=/mnt/docs`` → share → local folder."""
    shares = {}
    for entry in filter(None, (part.strip() for part in setting.split(";"))):
        share, sep, folder = entry.partition("=")
        if not sep or not share.startswith("\\\\") or not folder:
            raise ValueError(f"shares: {entry!r} is not UNC=FOLDER, e.g. '\\\\client\\C$\\Import=/srv/import'")
        shares[share] = Path(folder)
    return shares


@dataclass
class NamesPerDestination:
    """Which row first used a file name for a destination: two documents of one destination may not share one."""

    first: dict[tuple[str, str], int] = field(default_factory=dict)

    def claim(self, organisation: str, name: str, row: int) -> None:
        key = (organisation.upper(), name.lower())
        earlier = self.first.setdefault(key, row)
        if earlier != row:
            raise FileProblem(
                Phrase(
                    f"{name!r} is al gebruikt voor {organisation} in rij {earlier}; twee documenten"
                    " van één bestemming mogen niet dezelfde naam hebben",
                    f"{name!r} is already used for {organisation} in row {earlier}; two documents"
                    " of one destination may not share a name",
                )
            )
