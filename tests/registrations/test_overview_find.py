"""Finding organizations on the Registration Overview [issue 27 item 1]: search, status and kind
filters, sort, pages that keep them, and *Go to an organization*."""

import re

import pytest
from django.urls import reverse

from organizations.models import Role
from registrations.models import Program, Size
from registrations.services import registration_cancel
from tests.factories import (
    OrganizationFactory,
    RegistrationFactory,
    RoleFactory,
    SspAcoFactory,
    UserFactory,
    VirtualGroupFactory,
    registered,
)

pytestmark = pytest.mark.django_db

URL = reverse("registration_list", kwargs={"year": 2021})


def card_names(response):
    """The organizations whose cards the page shows, in order."""
    return re.findall(
        r'<h2 class="usa-card__heading" id="org-\d+-name">([^<]+)</h2>', response.content.decode()
    )


def summary(response):
    page = response.content.decode()
    found = re.search(r'id="results-summary">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else None


@pytest.fixture
def four_states(security_official, practice, window_open_2021):
    """One organization of the official in each status: Chesapeake Family Medicine (the
    ``practice``) never registered, a registered one, a cancelled one, an automatic one."""

    def official_of(organization):
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        return organization

    done = official_of(OrganizationFactory(name="Bayview Cardiology", identifier="222224444"))
    registered(done, window_open_2021, size=Size.MEDIUM)
    cancelled = official_of(VirtualGroupFactory(name="Summit Pediatrics", identifier="VG-77777"))
    registration = registered(cancelled, window_open_2021, size=Size.MEDIUM, web_interface=False)
    registration_cancel(registration=registration, program=Program.CAHPS, by=security_official)
    official_of(SspAcoFactory(name="Redwood Shared Savings ACO"))
    return {"registered": done, "cancelled": cancelled}


@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("not_registered", ["Chesapeake Family Medicine"]),
        ("registered", ["Bayview Cardiology"]),
        ("automatic", ["Redwood Shared Savings ACO"]),
        ("cancelled", ["Summit Pediatrics"]),
        (
            "",
            [
                "Bayview Cardiology",
                "Chesapeake Family Medicine",
                "Redwood Shared Savings ACO",
                "Summit Pediatrics",
            ],
        ),
    ],
)
def test_the_status_filter_shows_the_organizations_in_that_status(
    sign_in, security_official, four_states, status, names
):
    response = sign_in(security_official).get(URL, {"status": status})

    assert card_names(response) == names


def test_a_filtered_list_says_how_many_of_the_officials_organizations_match(
    sign_in, security_official, four_states
):
    response = sign_in(security_official).get(URL, {"status": "not_registered"})

    assert summary(response) == "1 of 4 organizations matches."
    assert "<title>1 of 4 organizations matches — Registration Overview — 2021" in response.content.decode()
    # The link a deadline box gives lands on the filter chosen.
    assert '<option value="not_registered" selected>' in response.content.decode()


def test_the_kind_filter_shows_that_kind_only(sign_in, security_official, four_states):
    response = sign_in(security_official).get(URL, {"kind": "virtual_group"})

    assert card_names(response) == ["Summit Pediatrics"]


@pytest.mark.parametrize(
    ("words", "names"),
    [
        ("4444", ["Bayview Cardiology"]),  # the last four digits of the TIN, as its mask shows them
        ("222-22-4444", ["Bayview Cardiology"]),  # the whole TIN
        ("VG-77777", ["Summit Pediatrics"]),
        ("pediatrics", ["Summit Pediatrics"]),
        ("2222", []),  # digits of a TIN the mask hides find nothing
    ],
)
def test_search_by_name_tin_or_identifier(sign_in, security_official, four_states, words, names):
    response = sign_in(security_official).get(URL, {"q": words})

    assert card_names(response) == names


def test_search_by_registration_id(sign_in, security_official, four_states, window_open_2021):
    registration_id = four_states["registered"].registrations.get().registration_id

    response = sign_in(security_official).get(URL, {"q": registration_id.lower()})

    assert card_names(response) == ["Bayview Cardiology"]


def test_sort_by_status_lists_what_still_needs_registering_first(sign_in, security_official, four_states):
    response = sign_in(security_official).get(URL, {"sort": "status"})

    assert card_names(response) == [
        "Chesapeake Family Medicine",
        "Summit Pediatrics",
        "Bayview Cardiology",
        "Redwood Shared Savings ACO",
    ]
    assert summary(response) == "4 organizations, sorted by status (to register first)."


def test_sort_by_kind(sign_in, security_official, four_states):
    response = sign_in(security_official).get(URL, {"sort": "kind"})

    assert card_names(response) == [
        "Redwood Shared Savings ACO",  # APM Entity
        "Bayview Cardiology",  # Practice
        "Chesapeake Family Medicine",
        "Summit Pediatrics",  # Virtual Group
    ]


@pytest.fixture
def sixty(security_official, practice, window_open_2021):
    """The official of 60 organizations: 30 registered, 30 (with Chesapeake) not."""
    organizations = [
        OrganizationFactory(name=f"Clinic {n:02d}", identifier=f"{900000000 + n}") for n in range(59)
    ]
    for organization in organizations:
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    for organization in organizations[::2]:
        registered(organization, window_open_2021, size=Size.MEDIUM, contacts=0)
    return organizations


def test_the_page_links_keep_the_filter_search_and_sort(sign_in, security_official, sixty):
    client = sign_in(security_official)

    first = client.get(URL, {"status": "not_registered", "q": "clinic", "sort": "kind"})
    page = first.content.decode()
    second = client.get(URL, {"status": "not_registered", "q": "clinic", "sort": "kind", "page": 2})

    assert summary(first) == "29 of 60 organizations match. Showing 1–25."
    assert "?status=not_registered&amp;q=clinic&amp;sort=kind&amp;page=2" in page
    assert card_names(first) == [f"Clinic {n:02d}" for n in range(1, 50, 2)]
    assert card_names(second) == [f"Clinic {n:02d}" for n in range(51, 59, 2)]
    assert summary(second) == "29 of 60 organizations match. Showing 26–29."


def test_a_cards_register_form_is_sent_with_the_narrowing_and_comes_back_to_it(
    sign_in, security_official, sixty
):
    client = sign_in(security_official)
    target = sixty[51]

    page = client.get(URL, {"status": "not_registered", "page": 2}).content.decode()
    action = reverse("registration_start", kwargs={"year": 2021, "organization_id": target.pk})
    assert f'action="{action}?status=not_registered#register-errors"' in page
    # Register without a size: the card comes back with its error, on the same narrowed page.
    again = client.post(
        f"{action}?status=not_registered", {f"org-{target.pk}-program": "web_interface", "page": "2"}
    )

    assert again.status_code == 200
    assert "There is a problem with Clinic 51" in again.content.decode()
    assert card_names(again) == [f"Clinic {n:02d}" for n in range(49, 59, 2)]


def test_go_to_lands_on_the_page_and_card_of_the_organization(sign_in, security_official, sixty):
    client = sign_in(security_official)
    target = sixty[40]

    response = client.get(URL, {"jump": "Clinic 40"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?page=2#org-{target.pk}"
    assert f'id="org-{target.pk}"' in client.get(response["Location"]).content.decode()


def test_go_to_keeps_the_narrowing_when_the_organization_is_in_it_and_leaves_it_otherwise(
    sign_in, security_official, sixty
):
    client = sign_in(security_official)
    narrowed = {"status": "not_registered", "sort": "status"}

    kept = client.get(URL, {**narrowed, "jump": "900000051"})  # a TIN typed whole
    left = client.get(URL, {**narrowed, "jump": "Clinic 50"})  # registered

    assert kept["Location"] == f"{URL}?status=not_registered&sort=status&page=2#org-{sixty[51].pk}"
    # Sorted by status: the 29 not registered (and Chesapeake) first, then Clinic 00, 02, ...
    assert left["Location"] == f"{URL}?sort=status&page=3#org-{sixty[50].pk}"


def test_go_to_an_exact_name_wins_over_names_that_contain_it(sign_in, security_official, four_states):
    RoleFactory(user=security_official, organization=OrganizationFactory(name="Bayview Cardiology West"))

    response = sign_in(security_official).get(URL, {"jump": "bayview cardiology"})

    assert response["Location"] == f"{URL}#org-{four_states['registered'].pk}"


@pytest.mark.parametrize(
    ("words", "error"),
    [
        ("Nowhere Clinic", "None of your organizations matches “Nowhere Clinic”. Check the name, TIN or ID."),
        ("Clinic 1", "10 of your organizations match “Clinic 1”. Type more of the name, or its TIN or ID."),
    ],
)
def test_go_to_says_next_to_the_field_why_it_found_no_one_organization(
    sign_in, security_official, sixty, words, error
):
    response = sign_in(security_official).get(URL, {"jump": words, "status": "registered"})
    page = response.content.decode()

    assert response.status_code == 200
    assert f'<span class="usa-error-message" id="id_jump_error">{error}</span>' in page
    assert f'value="{words}"' in page  # what was typed stays
    assert "<title>Error: " in page
    # The list stays as narrowed; its page links do not repeat the words.
    assert summary(response).startswith("30 of 60 organizations match.")
    assert "jump=" not in page.split('id="find-heading"')[1].split("</form>", 2)[-1]


def test_an_organization_of_another_official_is_never_found(
    sign_in, security_official, four_states, window_open_2021
):
    other = OrganizationFactory(name="Elsewhere Pediatrics", identifier="333335555")
    RoleFactory(user=UserFactory(), organization=other)
    registration = RegistrationFactory(organization=other, performance_year=window_open_2021)
    client = sign_in(security_official)

    for words in ("Elsewhere", "5555", "333335555", registration.registration_id):
        assert card_names(client.get(URL, {"q": words})) == [], words
        jumped = client.get(URL, {"jump": words})
        assert jumped.status_code == 200, words
        assert "None of your organizations matches" in jumped.content.decode()
    assert "Elsewhere" not in client.get(URL, {"sort": "kind"}).content.decode()


def test_an_unknown_filter_value_shows_the_whole_list(sign_in, security_official, four_states):
    response = sign_in(security_official).get(URL, {"status": "bogus", "kind": "hospital", "sort": "size"})

    assert len(card_names(response)) == 4
    assert summary(response) == "4 organizations."


def test_one_organization_has_nothing_to_find(sign_in, security_official, practice, window_open_2021):
    page = sign_in(security_official).get(URL).content.decode()

    assert "Find organizations" not in page


def test_a_list_on_one_page_counts_what_the_longer_lists_count(
    sign_in, security_official, four_states, window_open_2021, year_2020
):
    """The whole list on one page counts its banner, its total and its deadline box from its own
    rows (``deadlines.whole_list_counts``); a narrowed or longer list counts them in a query of
    their own (``deadlines.list_counts``). Both give the same figures, whatever each organization's
    status."""
    from django.utils import timezone

    from registrations import deadlines

    offered = OrganizationFactory(name="Harbor Internal Medicine")
    RoleFactory(user=security_official, organization=offered, kind=Role.Kind.SECURITY_OFFICIAL)
    registered(offered, year_2020, size=Size.MEDIUM)  # last year only: offered, and not registered
    registered(four_states["registered"], year_2020, size=Size.MEDIUM)  # registered this year too

    response = sign_in(security_official).get(URL)

    counted = deadlines.list_counts(
        security_official, year=window_open_2021, previous=year_2020, now=timezone.now()
    )
    assert response.context["as_last_year"] == counted.offers == 1
    assert response.context["find"]["total"] == sum(counted.by_kind.values()) == 5
    assert response.context["deadlines"] == counted.deadlines
    # Chesapeake Family Medicine (never registered) and Harbor Internal Medicine; not the
    # registered, cancelled or automatic ones.
    assert [item.text for item in counted.deadlines[0].to_do] == ["2 organizations not registered"]
    assert "2 organizations not registered" in response.content.decode()
