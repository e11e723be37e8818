"""The portal's URLs plus a test-only gallery of the building blocks in templates/includes/.

Used with ``@pytest.mark.urls("tests.browser.component_urls")`` so that the browser
tests can try every block (fields of each kind with errors, alerts, status
indicators, tabs, a table, pagination, a confirmation with and without
JavaScript) before a product page uses it, and the error pages that need a
failing view (the 503 one: a view whose database cannot be reached).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import path

from qpp_registration.urls import handler500  # noqa: F401 - the portal's, for this URLconf too
from qpp_registration.urls import urlpatterns as portal_urlpatterns


def _render(request, source, context=None):
    return HttpResponse(engines["jinja2"].from_string(source).render(context or {}, request))


class EveryKindOfFieldForm(forms.Form):
    organization_name = forms.CharField(label="Organization name", help_text="As shown on your TIN records.")
    email = forms.EmailField(label="E-mail")
    phone = forms.CharField(label="Phone", widget=forms.TextInput(attrs={"type": "tel"}))
    state = forms.ChoiceField(
        label="State", choices=[("", "- Select -"), ("MD", "Maryland"), ("VA", "Virginia")]
    )
    size = forms.ChoiceField(
        label="Organization Size",
        choices=[("2-24", "2–24"), ("25-99", "25–99"), ("100+", "100 or more")],
        widget=forms.RadioSelect,
    )
    programs = forms.MultipleChoiceField(
        label="Programs",
        choices=[("web_interface", "CMS Web Interface"), ("cahps", "CAHPS for MIPS Survey")],
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    agree = forms.BooleanField(label="Yes, I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organization_name") == "Taken":
            raise forms.ValidationError("An organization with this name is already registered.")
        return cleaned


FORM_PAGE = """{% extends "base.html" %}
{% block title %}Every kind of field{% endblock %}
{% block content %}
<h1>Every kind of field</h1>
<form method="post" class="usa-form usa-form--large" novalidate>
  {{ csrf_input }}
  {{ form }}
  <button type="submit" class="usa-button">Save</button>
</form>
{% endblock %}"""


@login_not_required
def form_page(request):
    form = EveryKindOfFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        messages.success(request, "Saved.")
        return redirect(request.path)
    return _render(request, FORM_PAGE, {"form": form})


BLOCKS_PAGE = """{% extends "base.html" %}
{% from "includes/ui.html" import alert, tabs as tab_list, table, pagination, confirm,
   confirm_trigger %}
{% block title %}Building blocks{% endblock %}
{% block content %}
<h1>Building blocks</h1>
{% for a in alerts %}
  {{ alert(type=a.type, heading=a.heading, body=a.body, slim=a.slim) }}
{% endfor %}
<h2>Statuses</h2>
<ul class="usa-list usa-list--unstyled">
  {% for status in statuses %}
  <li class="margin-bottom-1">{{ status_badge(status) }}</li>
  {% endfor %}
</ul>
<h2>Tabs</h2>
{{ tab_list(tabs, "Organization types") }}
{{ table(caption, headers, rows, stacked=True) }}
{{ pagination(request, page_obj) }}
<h2>Cancel</h2>
{{ confirm_trigger(confirm_url, title, modal_id="cancel-modal") }}
{{ confirm(csrf_input, action=confirm_url, danger=True, modal_id="cancel-modal", heading=title,
           message=question) }}
{% endblock %}"""

QUESTION = "Do you want to cancel the CMS Web Interface registration?"
ALERTS = [
    {"type": "success", "heading": "Registration submitted", "body": "Registration ID QPP-2345-6789."},
    {
        "type": "warning",
        "heading": "Organization size",
        "body": "Changing the size to 2–24 cancels the CMS Web Interface registration.",
    },
    {"type": "error", "heading": "The registration was not saved", "body": "Add at least one contact."},
    {"type": "info", "body": "Registration closes on June 30 at 8:00 p.m. ET.", "slim": True},
]
STATUSES = ["registered", "complete", "automatic", "not_registered", "incomplete", "not_started"]


@login_not_required
def blocks_page(request):
    page_obj = Paginator(range(1, 201), 10).get_page(request.GET.get("page"))
    tab = request.GET.get("tab", "practice")
    tabs = [
        {"label": "APM Entities", "url": "?tab=apm", "current": tab == "apm", "count": 2},
        {"label": "Practices", "url": "?tab=practice", "current": tab == "practice"},
    ]
    return _render(
        request,
        BLOCKS_PAGE,
        {
            "alerts": ALERTS,
            "statuses": STATUSES,
            "tabs": tabs,
            "caption": "Connected organizations",
            "headers": ["Organization", "TIN", "CMS Web Interface"],
            "rows": [["Chesapeake Family Medicine", "***-**-6789", "Registered"]],
            "page_obj": page_obj,
            "confirm_url": "/components/confirm/",
            "title": "Cancel Registration",
            "question": QUESTION,
        },
    )


CONFIRM_PAGE = """{% extends "base.html" %}
{% from "includes/ui.html" import confirm %}
{% block title %}Cancel Registration{% endblock %}
{% block content %}
<h1>Cancel Registration</h1>
{{ confirm(csrf_input, message=question, cancel_url="/components/blocks/", danger=True) }}
{% endblock %}"""


@login_not_required
def confirm_page(request):
    if request.method == "POST":
        messages.success(request, "The CMS Web Interface registration QPP-2345-6789 was cancelled.")
        return redirect("/components/blocks/")
    return _render(request, CONFIRM_PAGE, {"question": QUESTION})


@login_not_required
def failing_page(request):
    raise RuntimeError("A view failed on purpose to show the server error page.")


@login_not_required
def unavailable_page(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@login_not_required
def forbidden_page(request):
    raise PermissionDenied


@login_not_required
def bad_request_page(request):
    raise BadRequest


urlpatterns = [
    *portal_urlpatterns,
    path("components/form/", form_page),
    path("components/blocks/", blocks_page),
    path("components/confirm/", confirm_page),
    path("components/error/", failing_page),
    path("components/unavailable/", unavailable_page),
    path("components/forbidden/", forbidden_page),
    path("components/bad-request/", bad_request_page),
]
