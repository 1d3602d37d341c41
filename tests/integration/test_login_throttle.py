"""Failed logins in PostgreSQL (services/portal/login_throttle.py): every portal process counts the same failures,
per user name and per address, and a right password forgives the user's alone."""

import pytest

from services.portal.login_throttle import PER_ADDRESS, PER_USER, PostgresLoginThrottle
from shared.db.pool import create_pool


@pytest.fixture
async def two_portals(system):
    """Two portal processes' throttles on one database, connected as the portal's role."""
    pool = await create_pool(
        system.services.database_urls("portal") if system.services.database_urls else system.settings.database_url
    )
    try:
        yield PostgresLoginThrottle(lambda: pool), PostgresLoginThrottle(lambda: pool)
    finally:
        await pool.close()


async def test_failures_on_one_process_throttle_the_user_on_another(two_portals):
    one, other = two_portals
    for _ in range(PER_USER):
        assert await other.wait_seconds("eva.jansen", "10.0.0.1") == 0
        await one.failed("eva.jansen", "10.0.0.1")
    wait = await other.wait_seconds("eva.jansen", "10.0.0.9")  # another address does not help
    assert 14 * 60 < wait <= 15 * 60
    await one.succeeded("eva.jansen", "10.0.0.1")
    assert await other.wait_seconds("eva.jansen", "10.0.0.1") == 0


async def test_one_address_is_throttled_across_user_names_and_a_right_password_does_not_lift_it(two_portals):
    one, other = two_portals
    for n in range(PER_ADDRESS):
        await (one if n % 2 else other).failed(f"guess{n}", "192.0.2.7")
    assert await one.wait_seconds("someone.else", "192.0.2.7") > 0
    await other.succeeded("guess0", "192.0.2.7")
    assert await one.wait_seconds("someone.else", "192.0.2.7") > 0
    assert await one.wait_seconds("someone.else", "192.0.2.8") == 0


async def test_wrong_codes_count_apart_from_wrong_passwords_and_a_right_password_forgives_no_code(system):
    urls = system.services.database_urls
    pool = await create_pool(urls("portal") if urls is not None else system.settings.database_url)
    try:
        passwords, codes = PostgresLoginThrottle(lambda: pool), PostgresLoginThrottle(lambda: pool, kind="code")
        for _ in range(PER_USER):
            await codes.failed("medewerker", "10.0.0.3")
        assert await passwords.wait_seconds("medewerker", "10.0.0.3") == 0, "wrong codes are no wrong passwords"
        await passwords.succeeded("medewerker", "10.0.0.3")
        assert await codes.wait_seconds("medewerker", "10.0.0.4") > 0, "a right password forgives no wrong code"
    finally:
        await pool.close()
