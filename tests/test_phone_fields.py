"""Every phone number field is a telephone input that browsers can fill in: ``type="tel"``
with ``autocomplete="tel"``, the token the HTML standard allows on a telephone input
(``tel-national`` is for text inputs only) [WCAG 1.3.5]."""

import re

import pytest

from accounts.forms import PhoneDeviceForm
from registrations.cahps.forms import CahpsContactForm, DrawnContactForm
from registrations.web_interface.forms import ContactForm


def _attributes(html):
    return dict(re.findall(r'\s([\w-]+)="([^"]*)"', html))


@pytest.mark.parametrize(
    "phone_input",
    [
        pytest.param(lambda: str(ContactForm()["phone"]), id="registration contact"),
        pytest.param(lambda: str(CahpsContactForm()["phone"]), id="CAHPS contact"),
        pytest.param(lambda: str(DrawnContactForm().phone.widget_html), id="CAHPS contact, drawn"),
        pytest.param(lambda: str(PhoneDeviceForm()["phone"]), id="text-message device"),
    ],
)
def test_phone_fields_are_telephone_inputs_with_the_tel_autocomplete_token(phone_input):
    attributes = _attributes(phone_input())

    assert attributes["type"] == "tel"
    assert attributes["autocomplete"] == "tel"
