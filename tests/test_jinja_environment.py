"""The portal's Jinja2 environment draws what Jinja2 itself draws: ``item.row`` of a view's dict
comes straight from the dict (``PortalEnvironment.getattr``), each written value is escaped as
text (``escape_output``), and nothing else changes."""

from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from jinja2 import DictLoader, Environment
from markupsafe import Markup, escape

from qpp_registration.jinja import PortalEnvironment, escape_output


def draw(source, **context):
    return engines["jinja2"].env.from_string(source).render(context)


@pytest.mark.parametrize(
    ("source", "context"),
    [
        pytest.param(
            "{{ item.row }} {{ item.url }}", {"item": {"row": "Harbor Point", "url": "/x/"}}, id="keys"
        ),
        pytest.param("[{{ item.missing }}]", {"item": {"row": 1}}, id="missing key"),
        pytest.param("{% if item.missing is undefined %}undefined{% endif %}", {"item": {}}, id="undefined"),
        pytest.param(
            "{% for name, value in params.items() %}{{ name }}={{ value }};{% endfor %}",
            {"params": {"status": "registered", "q": "harbor"}},
            id="a dict's own method",
        ),
        pytest.param("{{ params.get('q') }}", {"params": {"q": "harbor"}}, id="get"),
        pytest.param(
            "{{ row.name }} {{ row['name'] }}", {"row": SimpleNamespace(name="Summit")}, id="object"
        ),
        pytest.param("{{ names.0 }}", {"names": ["first"]}, id="list index"),
        pytest.param("{{ item.row.name }}", {"item": {"row": SimpleNamespace(name="<b>")}}, id="escaped"),
    ],
)
def test_a_template_reads_what_jinja_reads(source, context):
    assert draw(source, **context) == Environment(autoescape=True).from_string(source).render(context)


def test_a_dict_key_named_like_a_method_is_still_the_method():
    """``params.items()`` is the dict's method even when a key is called ``items``, as in Jinja2."""
    assert draw("{{ params.items()|list|length }}", params={"items": "x", "q": "y"}) == "2"


class _Html:
    def __html__(self):
        return "<b>safe</b>"

    def __repr__(self):  # the test's id, the same in every test process
        return "an object with __html__"


class _Text:
    def __str__(self):
        return "<i>text</i> & 'more'"

    def __repr__(self):
        return "an object with __str__"


HOSTILE = [
    "<script>alert(\"x\")</script> & 'y'",
    "Ünïcødé — “quotes” <>",
    "",
    42,
    -1.5,
    None,
    True,
    Markup("<em>marked</em>"),
    mark_safe("<strong>Django safe</strong>"),
    gettext_lazy("Organization <Size>"),
    _Html(),
    _Text(),
    type("TextSubclass", (str,), {})("<u>sub</u>"),
]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_a_written_value_is_escaped_as_markupsafe_escapes_it(value):
    assert escape_output(value) == str(escape(value))


LOADER = DictLoader(
    {
        "base.html": (
            "<title>{% block title %}{{ title }}{% endblock %}</title>{% block body %}{% endblock %}"
        ),
        "part.html": "<p>{{ value }}</p>",
        "page.html": """{% extends "base.html" %}
{% macro cell(text, note="") %}<td>{{ text }}{% if note %} ({{ note }}){% endif %}</td>{% endmacro %}
{% macro wrap() %}<div>{{ caller() }}</div>{% endmacro %}
{% block body %}
{{ value }} {{ value ~ "!" }} {{ cell(value) }} {{ cell(value, note=value) }}
{% set kept %}<span>{{ value }}</span>{% endset %}{{ kept }} {{ kept|length }}
{% filter upper %}{{ value }}{% endfilter %}
{% call wrap() %}{{ value }}{% endcall %}
{% for each in [value, value] %}<li>{{ loop.index }} {{ each }}</li>{% endfor %}
{% include "part.html" %}
{{ value if value else "none" }} {{ value|string }} {{ [value]|join(", ") }}
{% autoescape false %}{{ value }}{% endautoescape %}
{% endblock %}""",
    }
)


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_a_template_draws_what_jinja_draws(value):
    """Blocks, macros, a kept block, filter and call blocks, loops, includes and a part without
    autoescaping, drawn by the portal's environment and by Jinja2's, byte for byte."""
    portal = PortalEnvironment(autoescape=True, loader=LOADER)
    jinja = Environment(autoescape=True, loader=LOADER)
    context = {"value": value, "title": value}

    assert portal.get_template("page.html").render(context) == jinja.get_template("page.html").render(context)


def test_every_written_value_goes_through_escape_output():
    """Jinja2 still asks the code generator how to write an escaped value: were that to change,
    the pages would be drawn as before, only slower."""
    code = PortalEnvironment(autoescape=True).compile(
        "{{ value }}{% macro m() %}{{ value }}{% endmacro %}", raw=True
    )

    assert code.count("environment.escape_output(") == 2
    assert "escape(" not in code.replace("environment.escape_output(", "")


# The status indicator as the portal's macro drew it before it was written in Python
# (``status_badge``): the same words and icon, byte for byte.
_STATUS_MACRO = """{% macro old_status(status, label="") -%}
<span class="qpp-status qpp-status--{{ status }}">
{% if status in ("registered", "complete", "automatic") %}<img class="qpp-status__icon" src="{{ static('img/status-check.svg') }}" alt="" width="20" height="20">{% elif status == "not_registered" %}<img class="qpp-status__icon" src="{{ static('img/status-half-circle.svg') }}" alt="" width="20" height="20">{% elif status == "incomplete" %}<img class="qpp-status__icon" src="{{ static('img/status-x.svg') }}" alt="" width="20" height="20">{% endif %}
<span class="qpp-status__text">{{ label or status|status_word }}</span>
</span>
{%- endmacro %}{{ old_status(status, label) }}"""  # noqa: E501 (the macro's own lines)


@pytest.mark.parametrize(
    "status", ["registered", "complete", "automatic", "not_registered", "incomplete", "not_started", "<x>"]
)
@pytest.mark.parametrize(
    "label", ["", "Registered by the Service Center", "<b>A & B</b>", mark_safe("<i>set</i>")]
)
def test_the_status_badge_draws_what_the_status_macro_drew(status, label):
    environment = engines["jinja2"].env
    macro = environment.from_string(_STATUS_MACRO)
    expected = macro.render(status=status, label=label)
    assert draw("{{ status_badge(status, label) }}", status=status, label=label) == expected
    assert ("qpp-status__icon" in expected) == (status not in ("not_started", "<x>"))
