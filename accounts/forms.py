import re

from allauth.account.forms import AddEmailForm, ChangePasswordForm, LoginForm, SignupForm
from django import forms
from django.forms.models import ModelChoiceIterator

from qpp_registration.core.validators import validate_single_line

from . import recovery
from .models import RecoveryCode, TwoFactorDevice
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


# The device dropdown's entry for signing in with a recovery code instead of a device.
RECOVERY_CODE = "recovery"


class DeviceChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        yield from super().__iter__()
        yield from self.field.extra_choices

    def __len__(self):
        return super().__len__() + len(self.field.extra_choices)


class DeviceChoiceField(forms.ModelChoiceField):
    """The user's devices, then any ``extra_choices`` (e.g. *Use a recovery code*)."""

    iterator = DeviceChoiceIterator
    extra_choices = ()

    def label_from_instance(self, obj):
        return obj.label

    def to_python(self, value):
        if value in {key for key, _ in self.extra_choices}:
            return value
        return super().to_python(value)


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
    code = forms.CharField(
        label="One-time code",
        required=False,
        max_length=20,
        help_text=f"The {CODE_DIGITS}-digit code from your device, or one of your recovery codes.",
        # No numeric keypad: recovery codes have letters too.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "class": "usa-input"}),
    )

    # A passkey's signed answer (navigator.credentials.get(), as JSON), filled in by
    # static/js/passkeys.js.
    credential = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20_000)

    def __init__(self, *args, user, sending=False, offer_recovery=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending
        self.fields["device"].queryset = TwoFactorDevice.objects.filter(user=user)
        if offer_recovery and RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
            self.fields["device"].extra_choices = [(RECOVERY_CODE, "Use a recovery code")]
        else:
            self.fields["code"].help_text = f"The {CODE_DIGITS}-digit code from your device."

    def clean(self):
        cleaned = super().clean()
        if self.sending or "code" in self.errors:
            return cleaned
        raw = cleaned.get("code", "")
        device = cleaned.get("device")
        if isinstance(device, TwoFactorDevice) and device.is_passkey:
            if not cleaned.get("credential"):
                self.add_error(
                    "device",
                    "Select Verify and follow your browser’s prompts to use your passkey. "
                    "Passkeys need JavaScript turned on; otherwise choose another device.",
                )
            return cleaned
        if device == RECOVERY_CODE:
            if not raw:
                self.add_error("code", "Enter one of your recovery codes.")
            elif not recovery.looks_like_recovery_code(raw):
                self.add_error(
                    "code", "Enter a recovery code: 10 letters and numbers, for example abcde-23456."
                )
            return cleaned
        code = normalize_code(raw)
        if not raw:
            self.add_error("code", "Enter the one-time code.")
        elif len(code) != CODE_DIGITS:
            self.add_error("code", f"Enter the {CODE_DIGITS}-digit code.")
        else:
            cleaned["code"] = code
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
        # A recovery code is for signing in without a device, not for changing settings.
        kwargs.setdefault("offer_recovery", False)
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
            (
                TwoFactorDevice.Kind.PASSKEY,
                "Passkey (recommended): your computer, phone or security key confirms it is you "
                "with a fingerprint, face or PIN, and it cannot be used on a fake website",
            ),
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


class PasskeyDeviceForm(forms.Form):
    """A passkey: a name, and the browser's answer to navigator.credentials.create()
    (as JSON, filled in by static/js/passkeys.js)."""

    name = DeviceNameField(initial="Passkey", help_text="A name you will recognize, e.g. “Work laptop”.")
    credential = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20_000)


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
        # "tel" (a whole number) is the autocomplete token a telephone input allows; a leading
        # +1 is accepted below.
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "class": "usa-input"}),
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
