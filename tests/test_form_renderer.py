"""The portal's form renderer writes plain widgets in Python: it must write exactly what
Django's widget templates write, for every widget the portal's forms use and for hostile
values, and stay in step with Django's templates."""

import inspect
from pathlib import Path

import django
import pytest
from allauth.account.forms import LoginForm
from django import forms
from django.contrib.sessions.backends.db import SessionStore
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from accounts import forms as account_forms
from organizations import forms as organization_forms
from qpp_registration.core.renderers import INPUT_TEMPLATES, SELECT_TEMPLATE, PortalFormRenderer
from qpp_registration.templatetags.portal import field_kind, uswds_options
from registrations.cahps import forms as cahps_forms
from registrations.web_interface import forms as registration_forms
from tests.factories import UserFactory

HOSTILE = "<script>\"&'</script> ＝1"


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="Hint")
    email = forms.EmailField(required=False)
    number = forms.IntegerField(min_value=0)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    checkbox = forms.BooleanField(required=False)
    tel = forms.CharField(
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "data-x": True})
    )
    date = forms.DateField(widget=forms.DateInput)
    file = forms.FileField(required=False)
    choice = forms.ChoiceField(choices=[("", "- Select -"), ("a", "A & B"), ("<", HOSTILE)])
    grouped = forms.ChoiceField(choices=[("Group <1>", [("1", "One"), ("2", "Two")]), ("3", "Three")])
    multiple = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    radios = forms.ChoiceField(choices=[("a", "A <&>"), ("b", "B")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=[("x", "X"), ("<", HOSTILE)], widget=forms.CheckboxSelectMultiple, required=False
    )
    integers = forms.TypedChoiceField(choices=[(1, 1), (2, "two")], coerce=int)
    safe = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("<b>already safe</b>")}))
    disabled = forms.CharField(disabled=True, required=False)


def _project_forms():
    for module in (
        account_forms,
        organization_forms,
        registration_forms,
        cahps_forms,
    ):
        for _name, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.BaseForm) and form_class.__module__ == module.__name__:
                if issubclass(form_class, forms.ModelForm) and form_class._meta.model is None:
                    continue  # a base for model forms: only its subclasses are ever drawn
                yield form_class


def _variant(form_class, filled, kwargs):
    """The form empty, or filled with hostile text so that errors and typed values show too."""
    empty = form_class(**kwargs)
    if not filled:
        return empty
    data = dict.fromkeys(empty.fields, HOSTILE) | {
        name + suffix: HOSTILE for name in empty.fields for suffix in ("_0", "_1")
    }
    form = form_class(data=data, **kwargs)
    form.is_valid()
    return form


def _arguments(form_class, rf):
    """What the form's ``__init__`` asks for: the signed-in user, the request."""
    user = UserFactory()
    request = rf.post("/")
    request.user = user
    request.session = SessionStore()
    wanted = set()
    for klass in form_class.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            wanted |= set(inspect.signature(init).parameters)
    if issubclass(form_class, LoginForm):
        wanted.add("request")  # allauth's sign-in form takes it from **kwargs
    return {name: value for name, value in (("user", user), ("request", request)) if name in wanted}


def _widget_html(form, renderer):
    """Each field's widget, and each radio or checkbox of a list drawn one by one as
    includes/field.html draws them (``uswds_options``), with and without its label."""
    form.renderer = renderer
    html = {name: str(form[name].as_widget()) for name in form.fields}
    for name in form.fields:
        if field_kind(form[name]) == "choices":
            options = uswds_options(form[name])
            html[f"{name} options"] = [str(option.tag()) for option in options]
            html[f"{name} labelled options"] = [str(option.tag(wrap_label=True)) for option in options]
    return html


PROJECT_FORMS = list(_project_forms())


@pytest.mark.django_db
@pytest.mark.parametrize("filled", [False, True], ids=["empty", "filled"])
@pytest.mark.parametrize("form_class", [Everything, *PROJECT_FORMS], ids=lambda c: c.__name__)
def test_fast_widgets_write_what_djangos_templates_write(form_class, filled, rf):
    form = _variant(form_class, filled, _arguments(form_class, rf))

    fast = _widget_html(form, PortalFormRenderer())
    templated = _widget_html(form, TemplatesSetting())

    assert fast == templated


def test_the_fast_path_covers_the_select_and_input_widgets():
    """Guards the comparison above against passing because both sides took the template path."""
    form = Everything(data={"choice": "<"})
    form.renderer = PortalFormRenderer()
    calls = []
    original = TemplatesSetting.render
    TemplatesSetting.render = lambda self, name, *args, **kwargs: (
        calls.append(name) or original(self, name, *args, **kwargs)
    )
    try:
        str(form["choice"].as_widget()), str(form["text"].as_widget()), str(form["grouped"].as_widget())
        [str(option.tag(wrap_label=True)) for option in uswds_options(form["radios"])]
    finally:
        TemplatesSetting.render = original
    assert calls == []


def test_the_copied_widget_templates_are_still_djangos():
    """A Django upgrade that changes these templates must change the Python copy with them."""
    widgets = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms" / "widgets"
    include_input = '{% include "django/forms/widgets/input.html" %}\n'
    for name in INPUT_TEMPLATES - {"django/forms/widgets/input.html"}:
        assert (widgets / Path(name).name).read_text() == include_input, name
    assert (widgets / "input.html").read_text() == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
        "value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n'
    )
    assert (widgets / Path(SELECT_TEMPLATE).name).read_text() == (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n"
        "</select>\n"
    )
    assert (widgets / "select_option.html").read_text() == (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    )
    include_option = '{% include "django/forms/widgets/input_option.html" %}\n'
    assert (widgets / "radio_option.html").read_text() == include_option
    assert (widgets / "checkbox_option.html").read_text() == include_option
    assert (widgets / "input_option.html").read_text() == (
        '{% if widget.wrap_label %}<label{% if widget.attrs.id %} for="{{ widget.attrs.id }}"{% endif %}>'
        '{% endif %}{% include "django/forms/widgets/input.html" %}{% if widget.wrap_label %} '
        "{{ widget.label }}</label>{% endif %}\n"
    )
    assert (widgets / "attrs.html").read_text() == (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
    )
