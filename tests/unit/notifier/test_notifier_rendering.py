"""Task mails in Dutch: per kind, with Dutch amounts and dates, nothing of a confidential item, fallback templates,
and data that stay data."""

import pytest

from services.notifier.templates import TemplateProblem
from shared import dutch
from shared.contracts.tasks import TaskEventKind
from tests.unit.notifier.events import SANNE, composer, summary, task_event


@pytest.mark.parametrize(
    ("kind", "subject_start", "sentence"),
    [
        (TaskEventKind.CREATED, "Nieuwe taak: Beoordelen aangifte klant", "bij de Belastingdienst willen indienen"),
        (TaskEventKind.REASSIGNED, "Taak aan u toegewezen: Beoordelen aangifte klant", "is aan u toegewezen"),
        (TaskEventKind.ESCALATED, "Geëscaleerd: Beoordelen aangifte klant", "is geëscaleerd"),
    ],
)
def test_each_kind_says_what_happened_with_the_link_to_the_task(kind, subject_start, sentence):
    mail = composer().compose(task_event(kind), SANNE)

    assert mail.subject == f"{subject_start} – Btw-aangifte Q1 2025 Bakkerij Van Dijk"
    assert mail.body.startswith("Beste Sanne van Dijk,\n")
    assert sentence in mail.body
    assert "http://portal.example/taken/6f1c0a52-3b0e-4a55-9d4e-2f5b1c7a9e10" in mail.body
    assert (mail.address, mail.recipient, mail.recipient_name) == (SANNE.email, "sanne.vandijk", "Sanne van Dijk")


def test_the_summary_reads_as_a_dutch_reader_expects():
    body = composer().compose(task_event(), SANNE).body

    assert "Periode:          1 januari 2025 t/m 31 maart 2025" in body
    assert "Bedrag:           € 1.523,45 te betalen" in body
    assert "Uiterste betaaldatum: 31 maart 2025" in body
    assert "Graag afhandelen vóór 4 april 2025 om 10:00." in body  # 08:00 UTC is 10:00 in Amsterdam (CEST)


@pytest.mark.parametrize(
    ("amount", "text"),
    [("1523.45", "€ 1.523,45"), ("0", "€ 0,00"), ("1234567.005", "€ 1.234.567,01"), ("12.5", "€ 12,50")],
)
def test_amounts_have_dots_for_thousands_and_a_comma_for_cents(amount, text):
    from decimal import Decimal

    assert dutch.amount(Decimal(amount), "EUR") == text


def test_money_coming_back_says_so():
    event = task_event(summary=summary(amount="310", direction="receivable"))

    assert "Bedrag:           € 310,00 terug te ontvangen" in composer().compose(event, SANNE).body


def test_a_confidential_item_shows_only_that_there_is_a_task_and_where():
    mail = composer().compose(task_event(confidential=True), SANNE)

    assert mail.subject == "Nieuwe taak: Beoordelen aangifte klant"
    for secret in ("Bakkerij", "Btw-aangifte", "btw-aangifte", "1.523", "€", "maart 2025", "NL001234567B01"):
        assert secret not in mail.subject + mail.body
    assert "vertrouwelijk" in mail.body
    assert "http://portal.example/taken/6f1c0a52-3b0e-4a55-9d4e-2f5b1c7a9e10" in mail.body


def test_a_task_without_a_template_of_its_own_gets_the_default(tmp_path):
    (tmp_path / "default.txt.j2").write_text("Onderwerp: standaard {{ task }}\n\nStandaard voor {{ recipient_name }}\n")
    (tmp_path / "Belastingdienst").mkdir()
    (tmp_path / "Belastingdienst" / "Beoordelen aangifte klant.txt.j2").write_text("Onderwerp: eigen\n\nEigen\n")

    own = composer(tmp_path).compose(task_event(), SANNE)
    other = composer(tmp_path).compose(task_event(task="Beoordelen reactie van klant"), SANNE)
    escaping = composer(tmp_path).compose(task_event(workflow="../Belastingdienst"), SANNE)

    assert (own.subject, own.body) == ("eigen", "Eigen\n")
    assert (other.subject, other.body) == ("standaard Beoordelen reactie van klant", "Standaard voor Sanne van Dijk\n")
    assert escaping.subject.startswith("standaard")


def test_data_are_printed_never_run_nor_allowed_to_add_lines():
    event = task_event(subject="{{ 7*7 }} {% if true %}x{% endif %}\nBcc: iemand@example.org")

    mail = composer().compose(event, SANNE)

    assert mail.subject.endswith("– {{ 7*7 }} {% if true %}x{% endif %} Bcc: iemand@example.org")
    assert "49" not in mail.body


def test_the_message_id_follows_from_event_and_recipient():
    event = task_event()
    first, again = composer().compose(event, SANNE), composer().compose(event, SANNE)
    other = composer().compose(task_event(TaskEventKind.REASSIGNED), SANNE)

    assert first.message_id == again.message_id != other.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@test.local>")


def test_a_template_without_a_subject_line_stops_the_start(tmp_path):
    (tmp_path / "default.txt.j2").write_text("Beste {{ recipient_name }},\n")

    with pytest.raises(TemplateProblem, match="Onderwerp"):
        composer(tmp_path).check()


def test_the_shipped_templates_render():
    composer().check()
