"""Pages in Dutch and in English, rendered with Jinja directly: texts, amounts and dates per language, the
language of the page, and the approve/reject form that works without JavaScript."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.portal.access import ItemView, OpenTask, Viewer, refuse_action
from services.portal.dashboard.figures import Gateway
from services.portal.i18n import negotiate, translations
from services.portal.inbox import filtered
from services.portal.reactions import load_reactions
from services.portal.rendering import amount, day, environment, moment
from shared.settings import Settings

SUMMARY = {
    "period_from": "2025-01-01",
    "period_to": "2025-01-31",
    "amount": "1523.45",
    "currency": "EUR",
    "direction": "payable",
    "payment_deadline": "2025-03-31",
    "identity_type": "BTW",
    "identity_number": "NL001234567B01",
}
TASK = OpenTask(
    "Beoordelen aangifte klant",
    "belastingdienst",
    ("sanne.vandijk",),
    ("Goedkeuren bericht", "Afkeuren bericht", "Reageren"),
    datetime(2025, 2, 20, 8, tzinfo=UTC),
)
ITEM = ItemView(
    "0b1c2d3e-0000-4000-8000-000000000001",
    "m-1",
    "btw-aangifte",
    "ORG-1",
    "Btw-aangifte januari 2025",
    False,
    30,
    "",
    SUMMARY,
    TASK,
)
SHIPPED_REACTIONS = load_reactions(Settings().config_dir / "reaction_templates.yaml")
PAGE = {"user": "sanne.vandijk", "role": "client", "csrf": "token"}


def render(language: str, name: str, **context) -> str:
    return environment(language).get_template(name).render({**PAGE, **context})


def task_page(language: str) -> str:
    return render(
        language,
        "task.html",
        item=ITEM,
        history=[],
        actions=TASK.actions,
        facts=[],
        attachment=None,
        reactions=SHIPPED_REACTIONS.offered(language),
    )


def test_amounts_and_dates_as_each_language_writes_them():
    assert amount("nl", Decimal("1523.45")) == "€ 1.523,45" and amount("en", Decimal("1523.45")) == "€1,523.45"
    assert day("nl", date(2025, 3, 31)) == "31 maart 2025" and day("en", "2025-03-31") == "31 March 2025"
    at = datetime(2025, 4, 3, 7, tzinfo=UTC)
    assert moment("nl", at) == "3 april 2025 om 09:00" and moment("en", at) == "3 April 2025 at 09:00"


def test_the_task_page_in_dutch_is_as_it_always_was():
    page = task_page("nl")
    assert '<html lang="nl">' in page and "Wat u goedkeurt" in page and "Uw beslissing" in page
    assert "1 januari 2025 t/m 31 januari 2025" in page and "€ 1.523,45 te betalen" in page
    assert "31 maart 2025" in page and ">Goedkeuren bericht</button>" in page and ">English</button>" in page


def test_the_task_page_in_english_shows_english_and_sends_the_action_as_workflow_names_it():
    page = task_page("en")
    assert '<html lang="en">' in page and "What you approve" in page and "Your decision" in page
    assert "1 January 2025 to 31 January 2025" in page and "€1,523.45 payable" in page and "31 March 2025" in page
    assert 'value="Goedkeuren bericht"' in page and ">Approve</button>" in page and ">Nederlands</button>" in page
    assert "Beoordelen" not in page.replace('value="', "") and "Wat u" not in page


@pytest.mark.parametrize("language", ["nl", "en"])
def test_acting_is_a_plain_form_with_labels_and_submit_buttons(language):
    page = task_page(language)
    assert '<form method="post" action="/taken/0b1c2d3e-0000-4000-8000-000000000001/actie">' in page
    assert '<label for="comment">' in page and '<label for="template">' in page
    # The one script only spares a reload (live updates); acting needs none: no inline script, no handlers.
    assert page.count("<script") == 1 and '<script src="/static/live.js" defer></script>' in page
    assert "onclick" not in page and "onsubmit" not in page
    assert page.count('<button type="submit" name="action"') == 3


def test_inbox_and_login_in_both_languages():
    inbox = filtered([ITEM], {})
    now = datetime(2025, 2, 21, tzinfo=UTC)
    assert "Mijn taken" in render("nl", "inbox.html", inbox=inbox, now=now)
    english = render("en", "inbox.html", inbox=inbox, now=now)
    assert "My tasks" in english and "(overdue)" in english and "VAT return" in english and "€1,523.45" in english
    assert "Gebruikersnaam" in render("nl", "login.html", error="") and "User name" in render("en", "login.html")


def test_refusals_speak_the_viewer_language():
    sanne = Viewer("sanne.vandijk", "client", frozenset({"ORG-1"}))
    english = translations("en").gettext
    assert refuse_action(sanne, ITEM, "Afkeuren bericht", " ", _=english) == "Please give a reason with 'Reject'."
    assert refuse_action(sanne, ITEM, "Afkeuren bericht", " ") == "Geef bij 'Afkeuren bericht' een toelichting."


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "nl"),
        ("en-GB,en;q=0.9", "en"),
        ("de, en;q=0.5", "en"),
        ("en;q=0.4, nl;q=0.8", "nl"),
        ("fr", "nl"),
        ("en;q=x", "nl"),
    ],
)
def test_before_login_the_browser_language_counts_dutch_by_default(header, language):
    assert negotiate(header) == language


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            (
                "Gemeten nog niet",
                "Dode brieven",
                "2 verzendingen staan klaar voor een nieuwe poging; dispatch verstuurt ze zelf.",
                "Stroomonderbreker",
                "bereikbaar (http://gateway)",
            ),
        ),
        (
            "en",
            (
                "Not measured yet",
                "Dead letters",
                "2 deliveries are ready for another attempt; dispatch sends them itself.",
                "Circuit breaker",
                "reachable (http://gateway)",
            ),
        ),
    ],
)
def test_the_operator_dashboard_in_both_languages(language, texts):
    gateway = Gateway("http://gateway", 200, None, 2, None, None)
    page = render(
        language,
        "dashboard.html",
        sampled_at=None,
        now=0,
        interval="5",
        panels=[],
        letters=[],
        items={},
        backlog={"intake": 0},
        gateway=gateway,
        breakers=[],
        role="operator",
    )
    assert all(text in page for text in texts)
