"""A role's URL: the same server and database, another login; and what of it may be printed."""

from urllib.parse import urlsplit

from shared.db.roles import ROLES, SERVICE_ROLES, as_role, role_of, without_password
from shared.topology import SERVICES

SOCKET = "postgresql://postgres:@/postgres?host=/tmp/pg"
TCP = "postgresql://postgres:old@db.example:5433/accordeer"


def test_a_role_url_keeps_the_server_and_database_and_quotes_the_password():
    url = as_role(SOCKET, "accordeer_intake", "p@ss:w/rd%")
    parts = urlsplit(url)
    assert (parts.path, parts.query, parts.hostname) == ("/postgres", "host=/tmp/pg", None)
    assert role_of(url) == "accordeer_intake"
    assert "p%40ss%3Aw%2Frd%25" in url
    assert urlsplit(as_role(TCP, "accordeer_owner", "x")).netloc == "accordeer_owner:x@db.example:5433"


def test_a_printed_url_never_shows_the_password():
    assert without_password(as_role(TCP, "accordeer_reader", "s3cret")) == (
        "postgresql://accordeer_reader:***@db.example:5433/accordeer"
    )
    assert without_password("postgresql:///accordeer?host=/tmp/pg") == "postgresql:///accordeer?host=/tmp/pg"


def test_every_service_has_a_role_of_its_own():
    assert set(SERVICE_ROLES) == {service.name for service in SERVICES}
    assert len(set(ROLES)) == len(ROLES) == len(SERVICES) + 2
