"""Dispatch's pure rules: status mapping of every gateway code, the aanleverkenmerk, the request, retry timing."""

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.digipoort_mock.models import Aanlevering
from services.digipoort_mock.trails import STATUSES, Outcome
from services.dispatch import domain
from services.dispatch.domain import GatewayStatus
from shared.contracts.status import StatusCode

from .fakes import approved

EXPECTED = {
    105: StatusCode.SENT, 100: StatusCode.SENT, 110: StatusCode.SENT, 200: StatusCode.SENT, 301: StatusCode.SENT,
    405: StatusCode.SENT, 400: StatusCode.SENT,
    420: StatusCode.SEND_ERROR,
    500: StatusCode.ACCEPTED_BY_AUTHORITY,
    210: StatusCode.DECLINED_BY_AUTHORITY, 311: StatusCode.DECLINED_BY_AUTHORITY,
    410: StatusCode.DECLINED_BY_AUTHORITY, 510: StatusCode.DECLINED_BY_AUTHORITY,
}


def status(code: int, **fields) -> GatewayStatus:
    return GatewayStatus(code=code, description=f"status {code}", timestamp="2026-01-05T09:00:00Z", **fields)


@pytest.mark.parametrize(("code", "ours"), EXPECTED.items())
def test_every_gateway_code_maps_to_our_status(code, ours):
    assert domain.our_status(status(code)) is ours


def test_the_mapping_covers_every_code_the_gateway_speaks_and_agrees_on_finality():
    assert set(EXPECTED) == set(STATUSES)
    for code, gateway_status in STATUSES.items():
        ours = domain.our_status(status(code))
        assert ours.is_final == gateway_status.outcome.final, code
        assert (ours is StatusCode.ACCEPTED_BY_AUTHORITY) == (gateway_status.outcome is Outcome.ACCEPTED), code


def test_a_code_we_do_not_know_keeps_the_message_at_sent():
    assert domain.our_status(status(999)) is StatusCode.SENT


def test_the_latest_status_is_that_of_the_last_new_gateway_status():
    accepted = [status(405), status(400), status(500)]
    assert domain.latest_status(StatusCode.SENT, accepted) is StatusCode.ACCEPTED_BY_AUTHORITY
    assert domain.latest_status(StatusCode.SEND_ERROR, []) is StatusCode.SEND_ERROR
    assert domain.latest_status(StatusCode.SENT, [status(301), status(420)]) is StatusCode.SEND_ERROR


def test_the_detail_carries_the_authoritys_error():
    declined = status(510, error_code="ALS100001", error_text="niet verwerkt")
    assert domain.status_detail(declined) == "510 status 510 (ALS100001: niet verwerkt)"
    assert domain.status_detail(status(105)) == "105 status 105"


def test_a_status_happened_when_the_gateway_says_if_it_says_so_with_a_time_zone():
    assert domain.status_time(GatewayStatus(105, "", "2026-01-05T09:00:00.250000+00:00")) == datetime(
        2026, 1, 5, 9, 0, 0, 250000, tzinfo=UTC)
    assert domain.status_time(GatewayStatus(105, "", "2026-01-05T09:00:00")) is None
    assert domain.status_time(GatewayStatus(105, "", "gisteren")) is None


@given(st.uuids())
def test_the_aanleverkenmerk_is_the_dossier_item_id_in_at_most_40_characters(item_id: uuid.UUID):
    kenmerk = domain.aanleverkenmerk(str(item_id))
    assert len(kenmerk) <= domain.MAX_AANLEVERKENMERK == 40
    assert kenmerk == item_id.hex
    assert uuid.UUID(kenmerk) == item_id


@pytest.mark.parametrize("item_id", ["", "-", "x" * 41])
def test_an_id_that_cannot_be_an_aanleverkenmerk_is_refused(item_id):
    with pytest.raises(ValueError):
        domain.aanleverkenmerk(item_id)


def test_the_delivery_request_speaks_digipoorts_vocabulary():
    message = approved(7)

    request = domain.delivery_request(message, berichtsoort="Omzetbelasting", rol="Intermediair")

    assert request == {
        "berichtsoort": "Omzetbelasting",
        "aanleverkenmerk": "00000000000000000000000000000007",
        "identiteitBelanghebbende": {"nummer": "NL001234567B01", "type": "BTW"},
        "rolBelanghebbende": "Intermediair",
        "berichtInhoud": {"mimeType": "application/xml", "bestandsnaam": "ob-2025-01.xbrl",
                          "inhoud": "PGFhbmdpZnRlLz4="},
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
