"""Template helpers for the portal's USWDS look: the filters of the Jinja2 pages
(``qpp_registration.jinja`` registers these functions) and, with ``{% load portal %}``, of
the Django templates (the admin's and the e-mails'):

- ``field|uswds_widget``: the field's widget with the USWDS class for its kind
  (``usa-input``, ``usa-select``, ``usa-textarea``, ``usa-checkbox__input``) and the
  error class when the field has errors. Django itself adds ``required``,
  ``aria-invalid`` and ``aria-describedby`` (``<id>_helptext``, ``<id>_error``).
- ``field|uswds_options``: the options of a radio or multiple-checkbox field,
  each an input with the USWDS class, for the ``field`` macro (``includes/forms.html``) to label.
- ``field|field_kind``: ``"checkbox"``, ``"choices"`` (radios / checkboxes in a
  fieldset), ``"hidden"`` or ``"input"``: which markup the ``field`` macro uses.
- ``field|error_anchor``: the id an error-summary link should jump to.
- ``message|alert_type``: the USWDS alert type for a Django message.
"""

from django import forms, template
from django.core.paginator import Paginator
from django.forms.boundfield import BoundWidget

from qpp_registration.core.eastern import GUIDE_FORMAT, format_eastern
from qpp_registration.core.renderers import join_classes

register = template.Library()

_ERROR_CLASS = "usa-input--error"


@register.filter
def field_kind(bound_field):
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    return "input"


def _widget_class(widget):
    if isinstance(widget, forms.CheckboxInput):
        return "usa-checkbox__input"
    if isinstance(widget, forms.RadioSelect):
        return "usa-radio__input"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "usa-checkbox__input"
    if isinstance(widget, forms.Select):
        return "usa-select"
    if isinstance(widget, forms.Textarea):
        return "usa-textarea"
    if isinstance(widget, forms.FileInput):
        return "usa-file-input"
    return "usa-input"


@register.filter
def uswds_widget(bound_field, autofocus=False):
    """The field's input with the USWDS class (and the error class when it has errors);
    ``autofocus``: where the keyboard starts on a page that is about entering data."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return bound_field.as_widget()
    error = _ERROR_CLASS if bound_field.errors and not isinstance(widget, forms.CheckboxInput) else ""
    classes = join_classes(widget.attrs.get("class", ""), _widget_class(widget), error)
    attrs = {"class": classes}
    if autofocus:
        attrs["autofocus"] = True
    return bound_field.as_widget(attrs=attrs)


@register.filter
def uswds_options(bound_field):
    """Radio / checkbox options carrying the USWDS input class.

    ``BoundField.subwidgets`` cannot take extra attributes, so this builds the
    same options from the widget with the class added.
    """
    widget = bound_field.field.widget
    id_ = widget.attrs.get("id") or bound_field.auto_id
    attrs = {"id": id_} if id_ else {}
    attrs = bound_field.build_widget_attrs(attrs)
    attrs["class"] = join_classes(widget.attrs.get("class", ""), _widget_class(widget))
    return [
        BoundWidget(widget, option, bound_field.form.renderer)
        for option in widget.subwidgets(bound_field.html_name, bound_field.value(), attrs=attrs)
    ]


@register.filter
def error_anchor(bound_field):
    """The first focusable input of the field: radios and multiple checkboxes
    have no element with the field's own id, so link to the first option."""
    if field_kind(bound_field) == "choices":
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


_MESSAGE_ALERT = {
    "debug": "info",
    "info": "info",
    "success": "success",
    "warning": "warning",
    "error": "error",
}


@register.filter
def alert_type(message):
    return _MESSAGE_ALERT.get(getattr(message, "level_tag", ""), "info")


@register.filter
def is_ellipsis(value):
    return value == Paginator.ELLIPSIS


@register.filter
def has_required_fields(form):
    return any(field.field.required for field in form.visible_fields())


@register.filter
def with_headers(row, headers):
    """Pairs each cell of a table row with its column heading (``data-label`` of stacked tables)."""
    return list(zip(headers, row, strict=False))


@register.filter
def eastern(value, format_string=GUIDE_FORMAT):
    """``{{ when|eastern }}``: "Thursday, April 1, 2021 at 10:00 a.m. ET", the guides' way;
    ``{{ when|eastern:"M j, Y" }}``: another ``date`` format, in Eastern Time, then "ET".
    Empty for no time, so ``|default`` can follow."""
    if not value:
        return ""
    return format_eastern(value, format_string)
