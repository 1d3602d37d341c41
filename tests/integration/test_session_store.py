"""The portal's sessions in PostgreSQL (services/portal/session_store.py): an ended session is never written back,
not by a request still in flight at logout; a login page's anonymous session goes on under a new id."""

import json

import pytest

from services.portal.session_store import PostgresSessions, end_sessions_of
from shared.db.pool import create_pool


@pytest.fixture
async def sessions(system):
    urls = system.services.database_urls
    pool = await create_pool(urls("portal") if urls is not None else system.settings.database_url)
    try:
        yield PostgresSessions(lambda: pool)
    finally:
        await pool.close()


async def test_a_request_in_flight_at_logout_does_not_log_the_person_in_again(sessions):
    logged_in = json.dumps({"user": "sanne.vandijk", "role": "client", "csrf": "t"}).encode()
    assert await sessions.write("id-1", logged_in, 0, 0) == "id-1"
    assert await sessions.read("id-1", 0) == logged_in
    await sessions.remove("id-1")  # logout
    assert await sessions.write("id-1", logged_in, 0, 0) == "id-1"  # the in-flight request answers
    assert await sessions.read("id-1", 0) == b""


async def test_an_ended_login_page_goes_on_under_a_new_id_and_ending_a_persons_sessions_counts_them(system, sessions):
    anonymous = json.dumps({"csrf": "t", "language": "nl"}).encode()
    await sessions.write("id-2", anonymous, 0, 0)
    await sessions.remove("id-2")
    fresh = await sessions.write("id-2", anonymous, 0, 0)
    assert fresh != "id-2" and await sessions.read(fresh, 0) == anonymous

    for n in range(2):
        await sessions.write(f"eva-{n}", json.dumps({"user": "eva.jansen"}).encode(), 0, 0)
    assert await end_sessions_of(system.db, "eva.jansen") == 2
    assert await end_sessions_of(system.db, "eva.jansen") == 0
    assert await sessions.read("eva-0", 0) == b""
