"""The second factor's rules: a code is of now ± one step and works once (never again, nor one older than it),
a recovery code works once however it is typed, secrets are stored sealed and survive a key rotation, and the
settings that go with it (the key, the Secure cookie)."""

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from services.portal import totp
from services.portal.config import PortalSettings
from services.portal.second_factor import SecondFactors, required_for
from tests.unit.portal.fakes import KEY, Clock, MemoryFactorStore, second_factors, wrong_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_750_000_005.0
STEP = totp.step_at(NOW)


def test_a_code_of_the_step_before_at_or_after_now_fits_and_no_other():
    for offset in (-1, 0, 1):
        assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP + offset), NOW) == STEP + offset
    for offset in (-3, -2, 2, 3):
        assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP + offset), NOW) is None


def test_a_code_fits_only_after_the_last_step_used():
    code = totp.code_at(SECRET, STEP)
    assert totp.matching_step(SECRET, code, NOW, after=STEP - 1) == STEP
    assert totp.matching_step(SECRET, code, NOW, after=STEP) is None
    assert totp.matching_step(SECRET, totp.code_at(SECRET, STEP - 1), NOW, after=STEP) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x", "１２３４５６"])
def test_anything_but_six_digits_is_no_code(typed):
    assert totp.matching_step(SECRET, typed, NOW) is None


def test_a_code_may_be_typed_with_spaces():
    code = totp.code_at(SECRET, STEP)
    assert totp.matching_step(SECRET, f" {code[:3]} {code[3:]} ", NOW) == STEP


def test_the_secret_is_160_bits_in_base32_grouped_by_four_for_typing():
    secret = totp.new_secret()
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert totp.grouped("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"


def test_the_qr_code_is_an_svg_picture_with_a_name_and_the_app_address():
    uri = totp.provisioning_uri(SECRET, "medewerker")
    assert uri.startswith("otpauth://totp/Accordeer:medewerker?") and f"secret={SECRET}" in uri
    svg = str(totp.qr_svg(uri, "QR <code>"))
    assert svg.startswith('<svg role="img" ') and "<title>QR &lt;code&gt;</title>" in svg
    assert "<script" not in svg and "<?xml" not in svg


def test_ten_recovery_codes_of_80_bits_stored_as_digests_of_what_was_typed():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 19 and c.count("-") == 3 and not set(c) & set("01ilo") for c in codes)
    digest = totp.recovery_digest(codes[0])
    assert len(digest) == 64 and codes[0] not in digest
    assert totp.recovery_digest(f" {codes[0].upper().replace('-', ' ')} ") == digest


def test_staff_and_any_future_role_need_a_second_factor_clients_may_have_one():
    assert [required_for(r) for r in ("office", "task_manager", "operator", "administrator")] == [True] * 4
    assert not required_for("client")


# -- the use cases, on the in-memory store ------------------------------------------------------------------------


async def enrolled(factors: SecondFactors, user: str = "medewerker") -> tuple[str, list[str]]:
    sealed = factors.new_enrolment()
    secret = factors.unsealed(sealed)
    assert secret is not None
    codes = await factors.enrol(user, sealed, totp.code_at(secret, totp.step_at(factors.clock())))
    assert codes is not None
    return secret, codes


async def test_enrolment_needs_a_code_of_the_new_secret_and_happens_once():
    factors = second_factors()
    sealed = factors.new_enrolment()
    assert await factors.enrol("medewerker", sealed, wrong_code(factors.unsealed(sealed), NOW)) is None
    assert await factors.of("medewerker") is None
    _, codes = await enrolled(factors)
    assert len(codes) == 10 and (await factors.of("medewerker")).recovery_codes_left == 10
    again = factors.new_enrolment()
    assert await factors.enrol("medewerker", again, totp.code_at(factors.unsealed(again), STEP)) is None


async def test_the_store_never_holds_the_secret_nor_a_recovery_code():
    store = MemoryFactorStore()
    factors = SecondFactors(store, [KEY], Clock())
    secret, codes = await enrolled(factors)
    kept = repr(store.factors) + repr(store.recovery)
    assert secret not in kept and not any(code in kept for code in codes)


async def test_a_code_is_accepted_once_and_a_replay_is_refused():
    clock = Clock()
    factors = second_factors(clock)
    secret, _ = await enrolled(factors)
    # The enrolment used this step's code: it does not log in too.
    assert not await factors.verify("medewerker", totp.code_at(secret, totp.step_at(clock.now)))
    clock.now += 30
    code = totp.code_at(secret, totp.step_at(clock.now))
    assert await factors.verify("medewerker", code)
    assert not await factors.verify("medewerker", code)


async def test_the_next_steps_code_is_taken_early_and_then_the_current_one_is_refused():
    clock = Clock()
    factors = second_factors(clock)
    secret, _ = await enrolled(factors)
    clock.now += 60
    now = totp.step_at(clock.now)
    assert await factors.verify("medewerker", totp.code_at(secret, now + 1))  # a phone whose clock runs ahead
    assert not await factors.verify("medewerker", totp.code_at(secret, now))
    clock.now += 30
    assert not await factors.verify("medewerker", totp.code_at(secret, now + 1))
    assert await factors.verify("medewerker", totp.code_at(secret, now + 2))


async def test_a_recovery_code_works_once_and_only_for_its_user():
    factors = second_factors()
    _, codes = await enrolled(factors)
    await enrolled(factors, "operator")
    assert not await factors.recover("operator", codes[0])
    assert await factors.recover("medewerker", codes[0].upper())
    assert not await factors.recover("medewerker", codes[0])
    assert (await factors.of("medewerker")).recovery_codes_left == 9
    assert not await factors.recover("medewerker", "") and not await factors.recover("niemand", codes[1])


async def test_no_code_works_for_a_user_without_a_factor_or_after_a_reset():
    clock = Clock()
    factors = second_factors(clock)
    assert not await factors.verify("medewerker", "123456")
    secret, codes = await enrolled(factors)
    assert await factors.reset("medewerker") and not await factors.reset("medewerker")
    clock.now += 30
    assert not await factors.verify("medewerker", totp.code_at(secret, totp.step_at(clock.now)))
    assert not await factors.recover("medewerker", codes[0])


async def test_a_rotated_key_still_opens_old_secrets_which_are_sealed_again_with_the_new_one():
    clock, store, new_key = Clock(), MemoryFactorStore(), Fernet.generate_key().decode()
    secret, _ = await enrolled(SecondFactors(store, [KEY], clock))
    rotated = SecondFactors(store, [new_key, KEY], clock)
    clock.now += 30
    assert await rotated.verify("medewerker", totp.code_at(secret, totp.step_at(clock.now)))
    assert Fernet(new_key.encode()).decrypt(store.factors["medewerker"].sealed_secret.encode()).decode() == secret
    clock.now += 30
    assert await SecondFactors(store, [new_key], clock).verify(
        "medewerker", totp.code_at(secret, totp.step_at(clock.now))
    )


async def test_a_secret_no_key_opens_is_refused_not_an_error():
    clock, store = Clock(), MemoryFactorStore()
    secret, _ = await enrolled(SecondFactors(store, [KEY], clock))
    clock.now += 30
    lost = SecondFactors(store, [Fernet.generate_key().decode()], clock)
    assert not await lost.verify("medewerker", totp.code_at(secret, totp.step_at(clock.now)))


# -- settings -----------------------------------------------------------------------------------------------------


def test_the_portal_does_not_start_without_a_valid_key():
    with pytest.raises(ValidationError, match="ACCORDEER_PORTAL_SECOND_FACTOR_KEY is not set"):
        PortalSettings(second_factor_key=None).second_factor_keys()
    with pytest.raises(ValidationError, match="Fernet key"):
        PortalSettings(second_factor_key="not-a-key")
    other = Fernet.generate_key().decode()
    assert PortalSettings(second_factor_key=f"{KEY}, {other}").second_factor_keys() == [KEY, other]
    assert KEY not in repr(PortalSettings(second_factor_key=KEY))


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({}, False),
        ({"host": "localhost"}, False),
        ({"host": "::1"}, False),
        ({"host": "0.0.0.0"}, True),
        ({"public_url": "http://127.0.0.1:8480"}, False),
        ({"public_url": "https://127.0.0.1:8480"}, True),
        ({"public_url": "https://portaal.kantoor.example"}, True),
        ({"public_url": "http://portaal.kantoor.example"}, True),
        ({"host": "0.0.0.0", "public_url": "http://localhost:8480"}, False),
    ],
)
def test_the_cookie_is_secure_unless_the_portal_is_plain_http_on_this_machine(settings, secure):
    assert PortalSettings(**settings).secure_cookies is secure


def test_a_public_url_is_an_http_address():
    with pytest.raises(ValidationError, match="http"):
        PortalSettings(public_url="portaal.kantoor.example")
