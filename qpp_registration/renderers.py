"""Form rendering in the portal's USWDS look.

``{{ form }}`` renders ``includes/form.html`` (error summary, then each field) and
``{{ form.field.as_field_group }}`` renders ``includes/field.html``, the same
template pages include one field at a time. ``TemplatesSetting`` is needed so
that Django's form machinery finds the project's ``templates/`` folder.
"""

from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
