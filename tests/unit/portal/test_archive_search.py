"""Afgehandeld's search as read from the address: what cannot be read is left out, never an error."""

from datetime import date

from services.portal.archive import PAGE_SIZE, Decided, Page, Search


def test_a_search_reads_its_period_type_client_and_page_and_writes_them_back():
    asked = Search.of(
        {"van": "2025-01-01", "tot": "2025-03-31", "soort": "btw-aangifte", "klant": "ORG-1", "pagina": "2"}
    )
    assert asked == Search(date(2025, 1, 1), date(2025, 3, 31), "btw-aangifte", "ORG-1", 2)
    assert Search.of(dict(pair.split("=") for pair in asked.address(3).split("&"))) == Search(
        date(2025, 1, 1), date(2025, 3, 31), "btw-aangifte", "ORG-1", 3
    )


def test_what_cannot_be_read_is_left_out():
    asked = Search.of({"van": "gisteren", "tot": "2025-02-30", "pagina": "-4", "soort": " "})
    assert asked == Search(not_dates=("gisteren", "2025-02-30"))
    assert Search.of({"pagina": "x"}).page == 1 and Search.of({"pagina": "99999999999"}).page == 100_000
    assert Search().address(1) == "pagina=1"


def test_pages_and_the_gateways_answer():
    assert Page([], 0, Search(), [], {}).pages == 1
    assert Page([], PAGE_SIZE + 1, Search(), [], {}).pages == 2
    item = Decided("id", "s", False, "btw-aangifte", "ORG-1", 80, None, 500, True)
    assert item.gateway_answer == "500 verwerking door uitvragende partij gelukt"
    assert Decided("id", "s", False, None, None, 50, None, None, False).gateway_answer == ""
    assert Decided("id", "s", False, None, None, 90, None, 999, False).gateway_answer == "999"


def test_what_is_no_date_is_named_and_left_out_and_a_period_that_ends_before_it_starts_is_noticed():
    search = Search.of({"van": "notadate", "tot": "2026-13-45"})
    assert (search.since, search.until, search.not_dates) == (None, None, ("notadate", "2026-13-45"))
    assert Search.of({"van": "2026-12-31", "tot": "2026-01-01"}).backwards
    assert not Search.of({"van": "2026-01-01", "tot": "2026-01-01"}).backwards and not Search.of({}).not_dates
