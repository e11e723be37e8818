"""The pages' scripts while the portal is briefly unavailable [issue 25], in Chromium; nothing
typed is lost:

- the auto-save: a save answered with the portal's 503 (or cut off) is announced as "not saved
  yet, trying again" and sent again, with what the fields hold by then, until it is saved; a new
  contact whose answer was lost after it was added (a 502 from a node that died) is added once;
- the idle warning: its question answered 503 never reloads the page; it asks again later.

Here Playwright answers as the portal does while its database is down (the same JSON, status and
``Retry-After``); tests/outages/ stops a real PostgreSQL under the portal.
"""

import json
import re
import time

from playwright.sync_api import expect

from contacts.models import Contact
from qpp_registration.views import UNAVAILABLE_MESSAGE
from tests.factories import ContactFactory, RegistrationFactory

UNAVAILABLE = json.dumps({"status": "unavailable", "database": "down", "message": UNAVAILABLE_MESSAGE})


def test_a_save_refused_while_the_portal_is_unavailable_is_sent_again_until_saved(
    signed_in_page, security_official, practice, cahps_year_open_now, csp_violations
):
    registration = RegistrationFactory(organization=practice, performance_year=cahps_year_open_now, size="")
    page = signed_in_page(security_official)
    page.goto(f"/cahps/{cahps_year_open_now.year}/{practice.pk}/")
    live = page.locator("[data-autosave-status]")
    sent = []

    def briefly_unavailable(route):
        last_name = re.search(r'name="last_name"\r\n\r\n(.*)\r\n', route.request.post_data)
        sent.append(last_name.group(1))
        if len(sent) == 1:
            route.fulfill(
                status=503, headers={"Retry-After": "60"}, content_type="application/json", body=UNAVAILABLE
            )
        elif len(sent) == 2:
            route.abort("connectionrefused")  # a load balancer with no node left
        else:
            route.continue_()

    page.route(re.compile(r"/contacts/new/$"), briefly_unavailable)
    contact = page.get_by_role("group", name="Contact 1")
    contact.get_by_label("First Name").fill("Dana")
    contact.get_by_label("First Name").press("Tab")
    expect(live).to_have_text(re.compile(r"^Contact 1 not saved yet, trying again in 5 seconds"))
    # Typed while the retry waits: sent at once, and the retry with it.
    contact.get_by_label("Last Name").fill("Reyes")
    contact.get_by_label("Last Name").press("Tab")
    expect(live).to_have_text(
        re.compile(r"^Contact 1 not saved yet, trying again in 10 seconds: the connection")
    )

    expect(live).to_have_text(re.compile(r"^Contact 1 saved"), timeout=15_000)
    assert sent == ["Official", "Reyes", "Reyes"]  # the first contact starts with the user's name
    saved = Contact.objects.get(registration=registration)
    assert (saved.first_name, saved.last_name) == ("Dana", "Reyes")


def answer_lost_once(answered):
    """A route handler: the request reaches the portal, which saves it, but the first answer is a
    load balancer's 502 (its node died after the commit [docs/decisions/0012]); later ones arrive."""

    def handle(route):
        response = route.fetch()
        answered.append((route.request.post_data, response.status))
        if len(answered) == 1:
            route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
        else:
            route.fulfill(response=response)

    return handle


def submission_key_of(post_data):
    return re.search(r'name="submission_key"\r\n\r\n([0-9a-f]{32})\r\n', post_data).group(1)


def test_a_new_contact_whose_answer_was_lost_is_added_once_with_what_was_typed_since(
    signed_in_page, security_official, practice, cahps_year_open_now, csp_violations
):
    registration = RegistrationFactory(organization=practice, performance_year=cahps_year_open_now, size="")
    page = signed_in_page(security_official)
    page.goto(f"/cahps/{cahps_year_open_now.year}/{practice.pk}/")
    live = page.locator("[data-autosave-status]")
    added = []
    page.route(re.compile(r"/contacts/new/$"), answer_lost_once(added))
    contact = page.get_by_role("group", name="Contact 1")

    contact.get_by_label("First Name").fill("Dana")
    contact.get_by_label("First Name").press("Tab")
    expect(live).to_have_text(re.compile(r"^Contact 1 not saved yet, trying again in 5 seconds"))
    contact.get_by_label("Last Name").fill("Reyes")  # typed while the retry waits: sent at once
    contact.get_by_label("Last Name").press("Tab")

    wait_until(page, lambda: Contact.objects.filter(registration=registration, last_name="Reyes").exists())
    expect(live).to_have_text(re.compile(r"^Contact 1 saved"))
    assert [status for _, status in added] == [200, 200]
    assert submission_key_of(added[0][0]) == submission_key_of(added[1][0])
    saved = Contact.objects.get(registration=registration)
    assert (saved.first_name, saved.last_name) == ("Dana", "Reyes")


def test_another_contact_whose_answer_was_lost_is_added_once(
    signed_in_page, security_official, practice, cahps_year_open_now, csp_violations
):
    registration = RegistrationFactory(organization=practice, performance_year=cahps_year_open_now, size="")
    ContactFactory(registration=registration)
    page = signed_in_page(security_official)
    page.goto(f"/cahps/{cahps_year_open_now.year}/{practice.pk}/")
    live = page.locator("[data-autosave-status]")
    added = []
    page.route(re.compile(r"/contacts/new/$"), answer_lost_once(added))

    page.get_by_role("link", name="+ Add another contact").click()
    page.get_by_role("link", name="+ Add another contact").click()
    keys = page.locator("[name=submission_key]").evaluate_all("inputs => inputs.map(input => input.value)")
    contact = page.get_by_role("group", name="Contact 2")
    contact.get_by_label("First Name").fill("Dana")
    contact.get_by_label("First Name").press("Tab")

    expect(live).to_have_text(re.compile(r"^Contact 2 saved"), timeout=15_000)
    # Each copy of the template has a key of its own (the template's own input stays empty).
    assert len(set(keys)) == len(keys) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
    assert [status for _, status in added] == [200, 200]
    assert list(registration.contacts.values_list("first_name", flat=True)).count("Dana") == 1
    assert registration.contacts.count() == 2


def test_the_idle_warning_never_reloads_the_page_while_the_portal_is_unavailable(
    signed_in_page, security_official, csp_violations
):
    page = signed_in_page(security_official)
    page.clock.install()
    page.goto("/accounts/devices/")
    asked = []

    def briefly_unavailable(route):
        asked.append(route.request.method)
        route.fulfill(
            status=503, headers={"Retry-After": "60"}, content_type="application/json", body=UNAVAILABLE
        )

    page.route(re.compile(r"/accounts/session/$"), briefly_unavailable)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    # When the warning would be due it asks how long is left, then again 15 seconds later.
    page.clock.run_for((30 * 60 - 120 + 1) * 1000)
    wait_until(page, lambda: len(asked) == 1)
    # The page sets its next ask only once it has read the 503, so the clock moves a second at a
    # time: one 16-second jump could pass before that timer exists.
    for _ in range(20):
        page.clock.run_for(1000)
        page.wait_for_timeout(50)
        if len(asked) == 2:
            break
    wait_until(page, lambda: len(asked) == 2)
    page.wait_for_timeout(500)  # a reload would have started by now

    assert navigations == []
    expect(page.get_by_role("heading", name="Are you still there?")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account / Devices")


def wait_until(page, condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the page did not ask again (was it reloaded?)"
        page.wait_for_timeout(50)  # lets Playwright answer the page's requests meanwhile
