import re

from allauth.account.forms import AddEmailForm, ChangePasswordForm, LoginForm, SignupForm
from django import forms

from organizations.validators import validate_single_line

from .models import TwoFactorDevice
from .otp import CODE_DIGITS, normalize_code
from .sms import text_messages_available

# The guide shows the statement only as a screenshot [2020 §III.2, 2023 §III.3];
# this is the certification a federal sign-in asks for, in plain words.
STATEMENT_OF_TRUTH = (
    "I certify that I am the person this User ID belongs to, that I will use this system only for "
    "the Quality Payment Program business I am authorized to do, and that the information I enter "
    "is true, accurate and complete to the best of my knowledge. I understand that knowingly "
    "giving false information, or using this system without authorization, may be punished "
    "under federal law (18 U.S.C. 1001 and 18 U.S.C. 1030)."
)


def _without_placeholders(form):
    # Placeholders vanish as one types and are not labels (USWDS, WCAG 3.3.2).
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class AgreeCheckbox(forms.CheckboxInput):
    """A checkbox that counts as ticked only when the browser sends its own value.

    A ticked checkbox without a ``value`` attribute is sent as "on"; Django's
    CheckboxInput would also take "0", "off" or any other text as ticked.
    """

    def value_from_datadict(self, data, files, name):
        return data.get(name) == "on"


class SignInForm(LoginForm):
    """*Sign In*: User ID, Password and the Statement of Truth, agreed to every time [2020 §III.2]."""

    statement = STATEMENT_OF_TRUTH
    statement_of_truth = forms.BooleanField(
        label="Yes, I agree",
        required=True,
        widget=AgreeCheckbox,
        error_messages={
            "required": "Check “Yes, I agree” to accept the Statement of Truth before you sign in."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "User ID"
        self.fields["login"].error_messages["required"] = "Enter your User ID."
        self.fields["password"].error_messages["required"] = "Enter your password."
        # allauth's PasswordField adds a "Forgot your password?" help link; the page has its own.
        self.fields["password"].help_text = ""
        _without_placeholders(self)


class SignUpForm(SignupForm):
    """*Register*: a new account with a User ID, a name and a verified e-mail address [2020 §II]."""

    # Names reach e-mails to Security Officials: one line of plain text only.
    first_name = forms.CharField(label="First name", max_length=150, validators=[validate_single_line])
    last_name = forms.CharField(label="Last name", max_length=150, validators=[validate_single_line])

    field_order = ["username", "first_name", "last_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User ID"
        self.fields[
            "username"
        ].help_text = "You will sign in with it. Letters, numbers and the characters @ . + - _ only."
        self.fields["email"].label = "E-mail address"
        self.fields["email"].help_text = "We send a link to this address to check that it is yours."
        self.fields["password2"].label = "Confirm password"
        self.fields["first_name"].error_messages["required"] = "Enter your first name."
        self.fields["last_name"].error_messages["required"] = "Enter your last name."
        _without_placeholders(self)


class AddEmailAddressForm(AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        _without_placeholders(self)


class ChangePasswordWithoutPlaceholdersForm(ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].help_text = ""
        self.fields["password2"].label = "Confirm new password"
        _without_placeholders(self)


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "One-time code")
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", f"The {CODE_DIGITS}-digit code from your device.")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "usa-input"}
            ),
        )
        super().__init__(**kwargs)
        self.error_messages["required"] = "Enter the one-time code."

    def clean(self, value):
        value = normalize_code(super().clean(value))
        if not value and not self.required:
            return ""
        if len(value) != CODE_DIGITS:
            raise forms.ValidationError(f"Enter the {CODE_DIGITS}-digit code.")
        return value


class DeviceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class VerifyForm(forms.Form):
    """*Select device* from the dropdown, *Send Code*, type the code, *Verify* [2020 §III.3].

    *Send Code* needs only the device; *Verify* needs the code too.
    """

    device = DeviceChoiceField(
        queryset=TwoFactorDevice.objects.none(),
        label="Select device",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your devices."},
    )
    code = CodeField(required=False)

    def __init__(self, *args, user, sending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending
        self.fields["device"].queryset = TwoFactorDevice.objects.filter(user=user)

    def clean(self):
        cleaned = super().clean()
        if not self.sending and not cleaned.get("code") and "code" not in self.errors:
            self.add_error("code", "Enter the one-time code.")
        return cleaned


class ReauthenticateForm(VerifyForm):
    """Password and a code again before security settings change."""

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "usa-input"}),
        error_messages={"required": "Enter your password."},
    )

    field_order = ["password", "device", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].required = not self.sending


class DeviceKindForm(forms.Form):
    """Choose the kind of verification device to add."""

    kind = forms.ChoiceField(
        label="Verification device",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want to get your one-time codes."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (TwoFactorDevice.Kind.AUTHENTICATOR_APP, "Authenticator app (for example Google Authenticator)"),
            (TwoFactorDevice.Kind.EMAIL, "E-mail"),
        ]
        if text_messages_available():
            choices.append((TwoFactorDevice.Kind.TEXT_MESSAGE, "Text message (SMS)"))
        self.fields["kind"].choices = choices


class DeviceNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Device name")
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("help_text", "A name you will recognize in the device dropdown, e.g. “Work phone”.")
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "usa-input"}))
        super().__init__(**kwargs)
        self.error_messages["required"] = "Enter a name for the device."


class AppDeviceForm(forms.Form):
    name = DeviceNameField(initial="Authenticator app")
    code = CodeField(help_text=f"The {CODE_DIGITS}-digit code your app shows now.")


class SentCodeDeviceForm(forms.Form):
    """E-mail or text message: *Send Code* first, then the code and *Verify*."""

    name = DeviceNameField()
    code = CodeField(required=False)

    def __init__(self, *args, sending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending

    def clean(self):
        cleaned = super().clean()
        if not self.sending and not cleaned.get("code") and "code" not in self.errors:
            self.add_error("code", "Enter the one-time code we sent.")
        return cleaned


class PhoneDeviceForm(SentCodeDeviceForm):
    phone = forms.CharField(
        label="Mobile phone number",
        max_length=20,
        help_text="A U.S. number that can receive text messages, e.g. 410-555-0100.",
        widget=forms.TextInput(
            attrs={"autocomplete": "tel-national", "inputmode": "tel", "class": "usa-input"}
        ),
        error_messages={"required": "Enter a mobile phone number."},
    )

    field_order = ["name", "phone", "code"]

    def clean_phone(self):
        digits = re.sub(r"\D", "", self.cleaned_data["phone"])
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10 or digits[0] in "01":
            raise forms.ValidationError("Enter a 10-digit U.S. phone number, e.g. 410-555-0100.")
        return f"+1{digits}"


class RenameDeviceForm(forms.Form):
    name = DeviceNameField()
