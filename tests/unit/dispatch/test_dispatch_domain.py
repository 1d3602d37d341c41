"""Dispatch's pure rules: status mapping of every gateway code, the aanleverkenmerk per attempt, the request,
retry timing and the polling schedule."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.digipoort_mock.models import Aanlevering
from services.digipoort_mock.trails import STATUSES
from services.dispatch import domain
from services.dispatch.domain import GatewayStatus
from shared.contracts.status import StatusCode
from shared.gateway_codes import CODES, Meaning, described

from .fakes import approved

EXPECTED = {
    105: StatusCode.SENT,
    100: StatusCode.SENT,
    110: StatusCode.SENT,
    200: StatusCode.SENT,
    301: StatusCode.SENT,
    405: StatusCode.SENT,
    400: StatusCode.SENT,
    420: StatusCode.SENT,  # the gateway retries by itself; the trail goes on
    500: StatusCode.ACCEPTED_BY_AUTHORITY,
    # 90 only for the message itself rejected: Digipoort's validation and the authority's verdict
    311: StatusCode.DECLINED_BY_AUTHORITY,
    321: StatusCode.DECLINED_BY_AUTHORITY,
    510: StatusCode.DECLINED_BY_AUTHORITY,
    # failed on the way: 70, to be sent again once the cause is fixed
    210: StatusCode.SEND_ERROR,
    230: StatusCode.SEND_ERROR,
    410: StatusCode.SEND_ERROR,
}


def status(code: int, **fields) -> GatewayStatus:
    return GatewayStatus(code=code, description=f"status {code}", timestamp="2026-01-05T09:00:00Z", **fields)


@pytest.mark.parametrize(("code", "ours"), EXPECTED.items())
def test_every_gateway_code_maps_to_our_status(code, ours):
    assert domain.our_status(status(code)) is ours


def test_the_mapping_covers_every_code_of_the_shared_table_and_the_mock_speaks_them_all():
    assert set(EXPECTED) == set(CODES) == set(STATUSES)
    for code, known in CODES.items():
        ours = domain.our_status(status(code))
        assert domain.ends_trail(ours) == known.meaning.final, code
        assert (ours is StatusCode.ACCEPTED_BY_AUTHORITY) == (known.meaning is Meaning.ACCEPTED), code


def test_a_code_we_do_not_know_keeps_the_message_at_sent():
    assert domain.our_status(status(999)) is StatusCode.SENT


def test_the_latest_status_is_that_of_the_last_new_gateway_status():
    accepted = [status(405), status(400), status(500)]
    assert domain.latest_status(StatusCode.SENT, accepted) is StatusCode.ACCEPTED_BY_AUTHORITY
    assert domain.latest_status(StatusCode.SEND_ERROR, []) is StatusCode.SEND_ERROR
    assert domain.latest_status(StatusCode.SENT, [status(301), status(420)]) is StatusCode.SENT
    assert domain.latest_status(StatusCode.SENT, [status(301), status(410)]) is StatusCode.SEND_ERROR


def test_the_detail_carries_the_authoritys_error():
    declined = status(510, error_code="ALS100001", error_text="niet verwerkt")
    assert domain.status_detail(declined) == "510 status 510 (ALS100001: niet verwerkt)"
    assert domain.status_detail(status(105)) == "105 status 105"


def test_a_status_happened_when_the_gateway_says_if_it_says_so_with_a_time_zone():
    assert domain.status_time(GatewayStatus(105, "", "2026-01-05T09:00:00.250000+00:00")) == datetime(
        2026, 1, 5, 9, 0, 0, 250000, tzinfo=UTC
    )
    assert domain.status_time(GatewayStatus(105, "", "2026-01-05T09:00:00")) is None
    assert domain.status_time(GatewayStatus(105, "", "gisteren")) is None


@given(st.uuids())
def test_the_aanleverkenmerk_is_the_dossier_item_id_in_at_most_40_characters(item_id: uuid.UUID):
    kenmerk = domain.aanleverkenmerk(str(item_id))
    assert len(kenmerk) <= domain.MAX_AANLEVERKENMERK == 40
    assert kenmerk == item_id.hex
    assert uuid.UUID(kenmerk) == item_id


@given(st.uuids(), st.integers(min_value=2, max_value=10**6))
def test_each_resend_has_an_aanleverkenmerk_of_its_own_the_same_every_time(item_id: uuid.UUID, attempt: int):
    kenmerk = domain.aanleverkenmerk(str(item_id), attempt)
    assert len(kenmerk) <= 40
    assert kenmerk == domain.aanleverkenmerk(str(item_id), attempt) == f"{item_id.hex}-{attempt}"
    assert kenmerk != domain.aanleverkenmerk(str(item_id), attempt - 1)


@pytest.mark.parametrize(("item_id", "attempt"), [("", 1), ("-", 1), ("x" * 41, 1), ("x" * 32, 0), ("x" * 32, 10**8)])
def test_an_id_that_cannot_be_an_aanleverkenmerk_is_refused(item_id, attempt):
    with pytest.raises(ValueError):
        domain.aanleverkenmerk(item_id, attempt)


def test_the_delivery_request_speaks_digipoorts_vocabulary():
    message = approved(7)

    request = domain.delivery_request(
        message,
        berichtsoort="Omzetbelasting",
        rol="Intermediair",
        aanleverkenmerk=domain.aanleverkenmerk(message.dossier_item_id),
    )

    assert request == {
        "berichtsoort": "Omzetbelasting",
        "aanleverkenmerk": "00000000000000000000000000000007",
        "identiteitBelanghebbende": {"nummer": "NL001234567B01", "type": "BTW"},
        "rolBelanghebbende": "Intermediair",
        "berichtInhoud": {
            "mimeType": "application/xml",
            "bestandsnaam": "ob-2025-01.xbrl",
            "inhoud": "PGFhbmdpZnRlLz4=",
        },
    }
    Aanlevering.model_validate(request)  # and the gateway (mock) accepts it as is


def test_retry_delays_double_from_half_a_second_with_at_most_half_a_second_of_jitter():
    for attempt in range(1, 8):
        base = 0.5 * 2 ** (attempt - 1)
        delays = [domain.retry_delay(attempt) for _ in range(50)]
        assert all(base <= d <= base + 0.5 for d in delays), (attempt, delays)
        assert len(set(delays)) > 1, "jitter spreads the retries"


@pytest.mark.parametrize("attempt", [8, 9, 20, 1000, 10**6])
def test_retry_delays_stop_growing_at_a_minute(attempt):
    assert domain.retry_delay(attempt) == 60


def test_attempt_zero_waits_like_the_first():
    assert 0.5 <= domain.retry_delay(0) <= 1


def test_a_failure_of_the_delivery_itself_counts_and_backs_off():
    retry = domain.retry_after_failure(3, gateway_down=False, cooldown_left=4.0)
    assert retry.counts_as_attempt
    assert 4 <= retry.delay <= 4.5


def test_a_failure_while_the_gateway_is_down_waits_out_the_cool_down_and_does_not_count():
    retry = domain.retry_after_failure(3, gateway_down=True, cooldown_left=4.0)
    assert retry == domain.Retry(delay=4.0, counts_as_attempt=False)


def test_a_resend_names_the_aanleverkenmerk_before_it_and_the_gateway_takes_that():
    message = approved(7)
    request = domain.delivery_request(
        message,
        berichtsoort="Omzetbelasting",
        rol="Intermediair",
        aanleverkenmerk="00000000000000000000000000000007-2",
        eerder_aanleverkenmerk="00000000000000000000000000000007",
    )
    assert request["eerderAanleverkenmerk"] == "00000000000000000000000000000007"
    assert Aanlevering.model_validate(request).eerder_aanleverkenmerk == "00000000000000000000000000000007"


def test_polls_start_quickly_grow_by_the_factor_and_stop_growing_at_the_cap():
    polling = domain.Polling(first=timedelta(seconds=0.1), factor=2, cap=timedelta(seconds=1))
    assert [polling.delay(n).total_seconds() for n in range(6)] == [0.1, 0.2, 0.4, 0.8, 1, 1]
    assert polling.delay(10**6) == timedelta(seconds=1)


def test_polling_gives_up_after_the_configured_time_with_a_reason():
    polling = domain.Polling(give_up_after=timedelta(hours=2))
    sent = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert not polling.gave_up(sent, sent + timedelta(hours=1, minutes=59))
    assert polling.gave_up(sent, sent + timedelta(hours=2))
    assert polling.give_up_reason("420") == "no final answer from Digipoort after 2 h; the last status was 420"


def test_a_gateway_code_is_described_in_digipoorts_own_words():
    assert described(500) == described("500") == "500 verwerking door uitvragende partij gelukt"
    assert described("999") == "999" and described("x") == "x"
