"""The portal's Jinja2 environment reads what Jinja2 itself reads: ``item.row`` of a view's dict
comes straight from the dict (``PortalEnvironment.getattr``), and nothing else changes."""

from types import SimpleNamespace

import pytest
from django.template import engines
from jinja2 import Environment


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
