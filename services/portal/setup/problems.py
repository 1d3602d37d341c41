"""Workflow's problems with a configuration, in the reader's words and next to the field each concerns.

Workflow judges every publication with the same checks for the CLI and the portal and says what is wrong in an
integrator's words (English, naming files and keys). The problems a set-up page can cause are known; each is
said again here in the reader's language. One not foreseen is shown as workflow said it.
"""

import re
from collections.abc import Callable, Mapping, Sequence

from services.portal.i18n import N_

Problem = Mapping[str, str | None]
SUMMARY = ""
"""The field of a problem that belongs to no field: shown above the form."""

PATTERNS = [
    (r"assignee '@(?P<name>.+)' names an unknown group$", N_("Er is geen groep '%(name)s'.")),
    (r"the task has no assignees$", N_("Kies wie deze taak behandelt.")),
    (r"assignee '(?P<name>.*)' is not a user id or @group$", N_("'%(name)s' is geen gebruikersnaam.")),
    (
        r"task_manager must be one user, not the group '(?P<name>.+)'$",
        N_("De taakbeheerder is één gebruiker, geen groep (%(name)s)."),
    ),
    (
        r"a task is assigned to '@destination', so the workflow needs a task_manager",
        N_(
            "Een taak gaat naar de contactpersonen van de klant; kies daarom een taakbeheerder. Heeft de klant "
            "geen portaalgebruiker, dan krijgt de taakbeheerder de taak."
        ),
    ),
    (r"workflow name '(?P<name>.+)' is already used by", N_("Er is al een workflow met de naam %(name)s.")),
    (
        r"route for message type '(?P<type>.+)' names unknown workflow '(?P<name>.+)'$",
        N_("De regel voor %(type)s noemt een workflow die niet bestaat: %(name)s."),
    ),
    (
        r"rule (?P<number>\d+) \((?P<type>.+)\) never matches: rule (?P<first>\d+) matches the same messages first$",
        N_("Regel %(number)s (%(type)s) komt nooit aan de beurt: regel %(first)s vangt dezelfde berichten eerder af."),
    ),
    (
        r"no action '(?P<action>.+)' leading to '(?P<outcome>.+)'; every workflow needs one$",
        N_("De actie '%(action)s' ontbreekt; elke workflow heeft haar nodig."),
    ),
]
COMPILED = [(re.compile(pattern), text) for pattern, text in PATTERNS]


def in_words(problem: Problem, gettext: Callable[[str], str]) -> str:
    message = str(problem.get("message") or "")
    for pattern, text in COMPILED:
        if found := pattern.search(message):
            return gettext(text) % found.groupdict()
    return message


def placed(problems: Sequence[Problem], tasks: Sequence[str]) -> dict[str, list[Problem]]:
    """Field → its problems: ``taak-N`` for the form's Nth task, ``taakbeheerder``, ``SUMMARY`` for the rest."""
    fields: dict[str, list[Problem]] = {}
    for problem in problems:
        task, message = problem.get("task"), str(problem.get("message") or "")
        if isinstance(task, str) and task in tasks:
            field = f"taak-{list(tasks).index(task)}"
        elif "task_manager" in message:
            field = "taakbeheerder"
        else:
            field = SUMMARY
        fields.setdefault(field, []).append(problem)
    return fields
