"""What loading a directory file changes: the file is the whole directory, so a party it leaves out is removed;
or, for `directory set` and `remove`, what changes when some parties are set or removed and the rest stay."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shared.contracts.directory import Party

LISTED = 10
"""Ids named per kind of change in a summary; the rest are counted."""


@dataclass(frozen=True)
class Changed:
    party: Party
    fields: tuple[str, ...]
    """The top-level fields that differ, e.g. ``("name", "contacts")``."""


@dataclass(frozen=True)
class Changes:
    added: tuple[Party, ...] = ()
    changed: tuple[Changed, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    def records(self) -> list[tuple[str, bytes | None]]:
        """The records that make ``directory.parties`` equal to the file: key and value, None for a removal."""
        return (
            [(p.organisation_person_id, p.model_dump_json().encode()) for p in self.added]
            + [(c.party.organisation_person_id, c.party.model_dump_json().encode()) for c in self.changed]
            + [(party_id, None) for party_id in self.removed]
        )

    def summary(self) -> str:
        """E.g. ``added 1 (ORG-1), changed 1 (ORG-10045: contacts), removed 0, unchanged 40``."""
        changed = [f"{c.party.organisation_person_id}: {', '.join(c.fields)}" for c in self.changed]
        return ", ".join(
            [
                _count("added", [p.organisation_person_id for p in self.added]),
                _count("changed", changed, separator="; "),
                _count("removed", self.removed),
                f"unchanged {len(self.unchanged)}",
            ]
        )


def compare(current: Mapping[str, Party], parties: Iterable[Party], *, whole: bool = True) -> Changes:
    """``current``: the directory now, by id; ``parties``: the file's parties. ``whole`` False: the file sets
    these parties only, and every other party stays (`directory set`)."""
    wanted = {p.organisation_person_id: p for p in parties}
    before = {party_id: current[party_id] for party_id in wanted if party_id in current}
    changed = [Changed(p, _differing(before[i], p)) for i, p in wanted.items() if i in before and before[i] != p]
    return Changes(
        added=tuple(p for i, p in wanted.items() if i not in current),
        changed=tuple(changed),
        removed=tuple(sorted(set(current) - set(wanted))) if whole else (),
        unchanged=tuple(i for i, p in wanted.items() if before.get(i) == p),
    )


def removal(party_ids: Iterable[str]) -> Changes:
    """Removing ``party_ids``, every other party staying."""
    return Changes(removed=tuple(sorted(set(party_ids))))


def _differing(old: Party, new: Party) -> tuple[str, ...]:
    return tuple(name for name in Party.model_fields if getattr(old, name) != getattr(new, name))


def _count(what: str, ids: Sequence[str], *, separator: str = ", ") -> str:
    if not ids:
        return f"{what} 0"
    listed = separator.join(ids[:LISTED]) + (f"{separator}… {len(ids) - LISTED} more" if len(ids) > LISTED else "")
    return f"{what} {len(ids)} ({listed})"
