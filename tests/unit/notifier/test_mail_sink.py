"""The local mail sink keeps one file per Message-ID and counts every reception, repeats included."""

from email.message import EmailMessage

import aiosmtplib

from accordeer.localstack.kafka import free_port
from services.mail_sink.mailbox import MailStore, read_mailbox, receptions
from services.mail_sink.server import start_server
from services.mail_sink.settings import MailSinkSettings


def mail(message_id: str, subject: str = "Nieuwe taak: Beoordelen aangifte klant") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Accordeer <accordeer@kantoor.example>"
    message["To"] = "Sanne van Dijk <sanne@bakkerij.example>"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content("Beste Sanne van Dijk,\n\nBedrag: € 1.523,45 te betalen\n")
    return message


async def test_a_repeated_message_id_is_counted_but_kept_once(tmp_path):
    port = free_port()
    server = await start_server(MailSinkSettings(port=port, folder=tmp_path))
    try:
        for _ in range(2):
            await aiosmtplib.send(mail("<same@test.local>"), hostname="127.0.0.1", port=port)
        await aiosmtplib.send(mail("<other@test.local>", subject="Geëscaleerd"), hostname="127.0.0.1", port=port)
    finally:
        server.close()
        await server.wait_closed()

    stored = read_mailbox(tmp_path)
    assert [m.message_id for m in stored] == ["<other@test.local>", "<same@test.local>"]  # newest first
    assert receptions(tmp_path) == 3
    assert stored[0].subject == "Geëscaleerd" and stored[0].to == "Sanne van Dijk <sanne@bakkerij.example>"
    assert "€ 1.523,45" in stored[1].message().get_content()
    assert all(m.path.name.endswith(".eml") and m.path.name.count("-") == 1 for m in stored)


def test_a_missing_folder_holds_no_mail(tmp_path):
    assert read_mailbox(tmp_path / "nothing") == [] and receptions(tmp_path / "nothing") == 0


def test_a_sink_started_again_on_its_folder_still_keeps_a_message_id_once(tmp_path):
    assert MailStore(tmp_path).keep(mail("<same@test.local>").as_bytes())
    again = MailStore(tmp_path)
    assert not again.keep(mail("<same@test.local>").as_bytes())
    assert again.keep(mail("<other@test.local>").as_bytes())
    assert len(read_mailbox(tmp_path)) == 2 and receptions(tmp_path) == 3
