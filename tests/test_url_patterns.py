"""URLs reversed once per process (``qpp_registration.core.url_patterns``) are the URLs
``reverse()`` gives, for every id, and follow a changed URLconf."""

import pytest
from django.urls import reverse

from qpp_registration.core.url_patterns import url_of_each


@pytest.mark.parametrize("pk", [1, 42, 987654321, 10**12])
def test_an_organizations_url_is_reverses(pk):
    detail = url_of_each("registration_detail", "organization_id", year=2025)

    assert detail(pk) == reverse("registration_detail", kwargs={"year": 2025, "organization_id": pk})


def test_urls_of_several_ids_and_of_none():
    remove = url_of_each("role_remove", "organization_pk", "role_pk")

    assert remove(3, 8) == reverse("role_remove", kwargs={"organization_pk": 3, "role_pk": 8})
    assert url_of_each("manage_access")() == reverse("manage_access")


@pytest.mark.urls("tests.browser.component_urls")
def test_a_changed_urlconf_is_followed(settings):
    assert url_of_each("manage_access")() == reverse("manage_access")


def test_every_pattern_reversed_with_numbers_is_what_reverse_gives():
    """``url_with_numbers`` (a template's ``url('name', year, pk)``) for every named URL of the
    portal, with one to three numbers: reverse()'s URL, or None where reverse() finds none."""
    from django.urls import NoReverseMatch, get_resolver

    from qpp_registration.core.url_patterns import url_with_numbers

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    reversed_some = 0
    for name in names:
        for numbers in [(2025,), (2025, 42), (2025, 42, 7), (10**12,)]:
            try:
                expected = reverse(name, args=numbers)
            except NoReverseMatch:
                expected = None
            assert url_with_numbers(name, numbers) == expected, (name, numbers)
            reversed_some += expected is not None
    assert reversed_some > 20
