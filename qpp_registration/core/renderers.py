"""Form rendering in the portal's USWDS look.

``{{ form }}`` renders ``includes/form.html`` (error summary, then each field) and
``{{ form.field.as_field_group }}`` renders ``includes/field.html``, the same
template pages include one field at a time. ``TemplatesSetting`` is needed so
that Django's form machinery finds the project's ``templates/`` folder.

The plain widgets (``<input>`` of every type, ``<select>`` with its ``<option>``\\ s, and
each radio or checkbox of a list drawn one by one)
are written here in Python, byte for byte as Django's own widget templates write them:
through the template engine each ``<option>`` and each attribute list was an
``{% include %}``, and the eight *Organization Size* selects of the Registration Overview
cost a third of the page [issue 10]. ``tests/test_form_renderer.py`` holds the two paths
equal for every widget kind the portal uses, and checks that Django's templates are still
the ones copied here. Any other widget (radios, checkboxes in lists, textareas, files)
still renders through its template.
"""

import html

from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"

# Django's widget templates that are nothing but {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "email.html",
        "url.html",
        "number.html",
        "password.html",
        "hidden.html",
        "search.html",
        "tel.html",
        "date.html",
        "datetime.html",
        "time.html",
        "color.html",
        "checkbox.html",
        "file.html",
    )
)
SELECT_TEMPLATE = WIDGETS + "select.html"
OPTION_TEMPLATE = WIDGETS + "select_option.html"
# One radio or checkbox of a list, as ``BoundWidget.tag()`` renders it (includes/field.html).
CHOICE_OPTION_TEMPLATES = frozenset(
    WIDGETS + name for name in ("input_option.html", "radio_option.html", "checkbox_option.html")
)


def conditional_escape(value):
    """Django's ``conditional_escape`` (what the widget templates' autoescaping does), without
    the ``keep_lazy`` wrapper around it that looks for a lazy string among the arguments on
    every call: a quarter of drawing a form of five fields. The same text: a value with
    ``__html__`` as it is, anything else through ``html.escape``, as Django's ``escape``."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _text(value):
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless already safe."""
    return value if isinstance(value, SafeString) else conditional_escape(str(value))


def _attrs(attrs):
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget):
    """``django/forms/widgets/input.html``."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _choice_option(widget):
    """``django/forms/widgets/input_option.html`` (what ``radio_option.html`` and
    ``checkbox_option.html`` include): the input, in its label when ``wrap_label``."""
    if not widget.get("wrap_label"):
        return input_html(widget)
    target = widget["attrs"].get("id")
    label_for = f' for="{conditional_escape(target)}"' if target else ""
    # The included input template ends with a newline, kept inside the label.
    return f"<label{label_for}>{input_html(widget)}\n {conditional_escape(widget['label'])}</label>"


def _option(option):
    """``django/forms/widgets/select_option.html``."""
    return (
        f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def _select(widget):
    """``django/forms/widgets/select.html``."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # a widget with its own option template: let the template engine draw it
            # The included option template ends with a newline, which the include keeps.
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"

    def render(self, template_name, context, request=None):
        html = None
        if template_name in INPUT_TEMPLATES:
            html = input_html(context["widget"])
        elif template_name == SELECT_TEMPLATE:
            html = _select(context["widget"])
        elif template_name in CHOICE_OPTION_TEMPLATES:
            html = _choice_option(context["widget"])
        if html is None:
            return super().render(template_name, context, request=request)
        # Django's renderer strips what a widget template writes; so does this.
        return mark_safe(html.strip())  # noqa: S308 - every value above is escaped


def join_classes(*classes):
    """An element's ``class`` from several, leaving out the empty ones."""
    return " ".join(c for c in classes if c)
