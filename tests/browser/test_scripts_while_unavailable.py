"""The pages' scripts while the portal is briefly unavailable [issue 25], in Chromium; nothing
typed is lost:

- the auto-save: a save answered with the portal's 503 (or cut off) is announced as "not saved
  yet, trying again" and sent again, with what the fields hold by then, until it is saved;
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
from tests.factories import RegistrationFactory

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
    page.clock.run_for(16 * 1000)
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
