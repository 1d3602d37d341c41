"""The import document's rules for files: names start with the organisation/person number, no two documents of
one destination share a name, and an attachment is a UNC path that a configured local folder stands for."""

import re
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from services.intake.domain.locations import is_local_drive_path

XML_SUFFIXES = (".xml", ".xbrl")


class FileProblem(ValueError):
    """A row's file cannot be used; the message says why and what to give instead."""


def document_path(name: str, organisation: str, folder: Path) -> Path:
    if not name:
        raise FileProblem("give the file name of the declaration's document")
    if any(ch in name for ch in "\\/:"):
        raise FileProblem(f"{name!r}: give only the file name; the folder is the one given with --documents")
    if not starts_with_number(name, organisation):
        raise FileProblem(f"{name!r} does not start with the organisation/person number {organisation} of this row;"
                          f" documents are named after it, not after an employee or debtor number"
                          f" (e.g. {organisation}_{name})")
    path = folder / name
    if not path.is_file():
        raise FileProblem(f"{name!r} is not in the documents folder {folder}")
    return path


def starts_with_number(name: str, organisation: str) -> bool:
    """'ORG-10045_ob.xbrl' starts with ORG-10045; 'ORG-100451_ob.xbrl' does not."""
    return bool(organisation) and re.match(re.escape(organisation) + r"(?![A-Za-z0-9])", name, re.IGNORECASE) is not None


def mime_type(name: str) -> str:
    return "application/xml" if name.lower().endswith(XML_SUFFIXES) else "application/octet-stream"


def attachment_of(location: str, shares: dict[str, Path]) -> dict:
    """The attachment as the contract has it. A local drive path is passed on as it is, so that intake's own rule
    refuses it with its UNC form; a UNC path must be under a share that a local folder stands for."""
    name = PureWindowsPath(location).name
    if is_local_drive_path(location):
        return {"file_name": name or location, "location": location}
    if not location.startswith("\\\\"):
        raise FileProblem(f"{location!r} is not a UNC path; give e.g. \\\\client\\C$\\Import\\{name or 'bijlage.pdf'}")
    local = local_path(location, shares)
    if not local.is_file():
        raise FileProblem(f"{location!r} is not there (looked in {local})")
    return {"file_name": name, "location": location}


def local_path(location: str, shares: dict[str, Path]) -> Path:
    for share, folder in shares.items():
        prefix = share.rstrip("\\") + "\\"
        if location.lower().startswith(prefix.lower()):
            parts = PureWindowsPath(location[len(prefix):]).parts
            local = folder.joinpath(*parts)
            if ".." in parts or not local.resolve().is_relative_to(folder.resolve()):
                raise FileProblem(f"{location!r} points outside its share {share}; give a file in the share itself")
            return local
    raise FileProblem(f"{location!r} is under no share with a local folder; set ACCORDEER_IMPORT_SHARES"
                      " (or --shares), e.g. '\\\\client\\C$\\Import=/srv/import'")


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
            raise FileProblem(f"{name!r} is already used for {organisation} in row {earlier}; two documents of one"
                              " destination may not share a name")
