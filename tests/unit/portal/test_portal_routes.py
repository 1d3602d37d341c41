"""Deny by default: every route of the portal with who may use it, and each rule kept. Someone not signed in is sent
to the login page from everything but the login itself; a client gets a 404 from the task manager's and the
operator's pages; a route without a rule stops the portal from starting."""

import re

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from services.portal.guards import GuardedRoute, Who, rules
from tests.unit.portal.test_portal_headers import _portal

ROUTES = {
    ("GET", "/"): Who.ANYONE,
    ("GET", "/login"): Who.ANYONE,
    ("POST", "/login"): Who.ANYONE,
    ("POST", "/logout"): Who.ANYONE,
    ("POST", "/taal"): Who.ANYONE,
    ("GET", "/static"): Who.ANYONE,
    ("GET", "/tweede-stap"): Who.AFTER_PASSWORD,
    ("POST", "/tweede-stap"): Who.AFTER_PASSWORD,
    ("GET", "/tweede-stap/herstelcode"): Who.AFTER_PASSWORD,
    ("POST", "/tweede-stap/herstelcode"): Who.AFTER_PASSWORD,
    ("GET", "/tweede-stap/instellen"): Who.AFTER_PASSWORD,
    ("POST", "/tweede-stap/instellen"): Who.AFTER_PASSWORD,
    ("GET", "/beveiliging"): Who.SIGNED_IN,
    ("GET", "/taken"): Who.SIGNED_IN,
    ("GET", "/taken/live"): Who.SIGNED_IN,
    ("GET", "/taken/{item_id}"): Who.SIGNED_IN,
    ("GET", "/afgehandeld"): Who.SIGNED_IN,
    ("GET", "/taken/{item_id}/live"): Who.SIGNED_IN,
    ("GET", "/taken/{item_id}/document"): Who.SIGNED_IN,
    ("GET", "/taken/{item_id}/bijlage"): Who.SIGNED_IN,
    ("POST", "/taken/{item_id}/actie"): Who.SIGNED_IN,
    ("GET", "/beheer"): Who.TASK_MANAGER,
    ("POST", "/beheer/toewijzen"): Who.TASK_MANAGER,
    ("POST", "/beheer/herstellen"): Who.TASK_MANAGER,
    ("GET", "/operator"): Who.OPERATOR,
    ("GET", "/operator/dlq/{topic}/{ref}"): Who.OPERATOR,
    ("POST", "/operator/dlq/{topic}/{ref}/opnieuw"): Who.OPERATOR,
    ("POST", "/operator/opnieuw-verzenden/{item}"): Who.OPERATOR,
    ("GET", "/inrichting"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/nieuw"): Who.FUNCTIONAL_ADMIN,
    ("POST", "/inrichting/workflow"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/workflow/{name}"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/koppelingen"): Who.FUNCTIONAL_ADMIN,
    ("POST", "/inrichting/koppelingen"): Who.FUNCTIONAL_ADMIN,
    ("POST", "/inrichting/instellingen"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/reactiesjablonen"): Who.FUNCTIONAL_ADMIN,
    ("POST", "/inrichting/reactiesjablonen"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/versies"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/versies/{version}"): Who.FUNCTIONAL_ADMIN,
    ("POST", "/inrichting/versies/{version}/publiceren"): Who.FUNCTIONAL_ADMIN,
    ("GET", "/inrichting/uitkomst/{command_id}"): Who.FUNCTIONAL_ADMIN,
}
ITEM = "00000000-0000-0000-0000-000000000000"
ROLE_PAGES = (Who.TASK_MANAGER, Who.OPERATOR)


def _address(path: str) -> str:
    return re.sub(r"\{\w+\}", "x", path.replace("{item_id}", ITEM))


def test_every_route_says_who_may_use_it_and_the_list_is_this_one():
    found = {(methods, path): who for methods, path, who in rules(_portal().app().routes)}
    assert found == ROUTES


@pytest.mark.parametrize(("method", "path"), [key for key, who in ROUTES.items() if who is not Who.ANYONE])
def test_someone_not_signed_in_is_sent_to_the_login_page(method, path):
    answer = TestClient(_portal().app(), follow_redirects=False).request(method, _address(path))
    assert (answer.status_code, answer.headers.get("location")) == (303, "/login")


@pytest.mark.parametrize(("method", "path"), [key for key, who in ROUTES.items() if who in ROLE_PAGES])
def test_a_client_gets_a_404_from_the_pages_of_a_role(method, path):
    client = TestClient(_portal().app(), follow_redirects=False)
    login = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert csrf is not None
    signed_in = client.post("/login", data={"csrf": csrf.group(1), "user": "sanne", "password": "demo"})
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/taken")
    assert client.request(method, _address(path)).status_code == 404


def test_a_route_without_a_rule_stops_the_start():
    async def open_to_all(request):
        return PlainTextResponse("")

    with pytest.raises(TypeError, match="'/vergeten' does not say who may use it"):
        rules([GuardedRoute("/login", open_to_all, Who.ANYONE), Route("/vergeten", open_to_all)])


def test_a_forms_address_opened_as_a_page_leads_to_the_page_above_it_and_another_method_is_refused_in_words():
    client = TestClient(_portal().app(), follow_redirects=False)
    item = "6f1c0a52-3b0e-4a55-9d4e-2f5b1c7a9e10"
    for form, page in ((f"/taken/{item}/actie", f"/taken/{item}"), ("/beheer/toewijzen", "/beheer"), ("/taal", "/")):
        answer = client.get(form)
        assert (answer.status_code, answer.headers["location"]) == (303, page), form
    refused = client.request("PUT", "/taal")
    assert refused.status_code == 405 and "Dit adres neemt dit verzoek niet aan." in refused.text
