"""Reading a directory file (YAML, JSON or CSV): every party in it, or every error in it with its line.

Pure: it judges the text it is given. A file is the whole directory, so the
whole file is judged before anything is used; one error and no party is.
"""

from dataclasses import dataclass, field
from pathlib import PurePath

from accordeer.directory.csv_form import entries_from_csv
from accordeer.directory.validation import validate
from accordeer.directory.yaml_form import entries_from_yaml
from shared.contracts.directory import Party

READERS = {".yaml": entries_from_yaml, ".yml": entries_from_yaml, ".json": entries_from_yaml, ".csv": entries_from_csv}
"""By suffix. JSON is read as the YAML it also is: what `directory show --json` writes."""


@dataclass(frozen=True)
class DirectoryFile:
    parties: list[Party] = field(default_factory=list)
    """Empty when there are errors."""
    errors: list[str] = field(default_factory=list)
    """``"<file> line <n>: <party id> <field>: <what is wrong>"``, in the order of the file."""

    @property
    def ok(self) -> bool:
        return not self.errors


def read_directory_file(file_name: str, text: str, *, whole: bool = True) -> DirectoryFile:
    """The parties of ``text``; ``file_name`` chooses the form by its suffix and names the file in errors.
    ``whole`` False: the file sets some parties (`directory set`), not the whole directory."""
    reader = READERS.get(PurePath(file_name).suffix.lower())
    if reader is None:
        return DirectoryFile(errors=[f"{file_name}: a directory file is .yaml, .yml, .json or .csv"])
    entries, problems = reader(text)
    parties, more = validate(entries)
    problems += more
    if not problems and not parties:
        why = "a directory file is the whole directory, so loading it would remove every party"
        return DirectoryFile(errors=[f"{file_name}: holds no party; " + (why if whole else "nothing to set")])
    if problems:
        return DirectoryFile(
            errors=[f"{file_name} line {p.line}: {p.message}" for p in sorted(problems, key=lambda p: p.line)]
        )
    return DirectoryFile(parties=parties)
