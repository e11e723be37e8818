"""Forms of the registration admin page. They check a change with the portal's rules
before the services apply it, so a mistake is shown next to the field it concerns."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import capfirst

from contacts.models import REQUIRED_MESSAGES as CONTACT_REQUIRED_MESSAGES
from registrations import rules
from registrations.models import Registration


class ContactInlineFormSet(BaseInlineFormSet):
    """Checks the contacts with the portal's rules before the services save them, so a
    mistake is shown next to the contact it concerns."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A tabular inline shows its labels only as column headings; name each input for
        # screen readers, with the contact's row, so each one is labelled (WCAG 1.3.1, 4.1.2).
        row = "new contact" if index is None else f"contact {index + 1}"
        for name, field in form.fields.items():
            if name == "DELETE":
                field.widget.attrs["aria-label"] = f"Delete {row}"
            elif not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{capfirst(str(field.label))}, {row}"

    def clean(self):
        super().clean()
        registration = self.instance
        changed = [f for f in self.forms if f.has_changed() or f in self.deleted_forms]
        if not changed:
            return
        decision = rules.window_decision(registration.performance_year, timezone.now())
        if not decision:
            raise ValidationError(decision.reason)
        kept = 0
        for form in self.forms:
            if form in self.deleted_forms or (not form.has_changed() and form.instance.pk is None):
                continue
            kept += 1
            # 2020/2021 contacts need every field; a CAHPS-only year saves them half-filled [2023 §IV].
            if form.has_changed() and not registration.performance_year.is_cahps_only:
                for name, message in CONTACT_REQUIRED_MESSAGES.items():
                    if not form.cleaned_data.get(name):
                        form.add_error(name, message)
        if kept == 0:
            raise ValidationError(rules.contact_deletion(contact_count=1).reason)


class RegistrationForm(forms.ModelForm):
    """The size is the one field staff edit here; the service applies it [2020 §IV.4, §V]."""

    confirm_web_interface_cancellation = forms.BooleanField(
        label="Cancel the CMS Web Interface registration",
        required=False,
        help_text="Needed when the new size is 2–24 and the organization is registered for the CMS Web "
        "Interface, which needs 25 or more clinicians [2020 §V].",
    )

    class Meta:
        model = Registration
        fields = ["size"]

    def clean_size(self):
        size = self.cleaned_data["size"]
        registration = self.instance  # still the stored values: the form has not been applied yet
        if size == registration.size:
            return size
        decision = rules.window_decision(registration.performance_year, timezone.now())
        if not decision:
            raise ValidationError(decision.reason)
        change = rules.size_change(registration=registration, new_size=size)
        if not change:
            raise ValidationError(change.reason)
        if change.cancels_web_interface and not self.data.get("confirm_web_interface_cancellation"):
            self.add_error("confirm_web_interface_cancellation", change.warning)
        return size
