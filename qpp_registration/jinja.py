"""The portal's pages are Jinja2 templates (``templates/``), drawn by Django's Jinja2 backend.

Django templates cost most of a page's drawing: the shell and its includes took 2.5–3 ms of
the 8–11 ms of CPU a Security Official page cost [issue 24; docs/decisions/0010]. Jinja2
compiles a template to Python once per process and draws the same HTML in a fraction of it.
The admin's templates and the e-mail bodies stay on Django templates (``templates/django/``).

``environment`` is a ``PortalEnvironment``: Jinja2's, drawing the same HTML with two of its
costs taken away (each written value escaped as text, a dict row read without an exception).
It gives every page what Django's tags and filters gave it:

- globals: ``url(name, *args, **kwargs)``, ``static(path)``, ``querystring(request, **changes)``,
  ``submission_key_input()`` (a creating form's one-time key, ``core.submission_keys``),
  ``status_badge(status, label)`` (a status's icon and words),
  ``service_center`` (the QPP Service Center's contact details, for pages drawn without a
  request: the 500 page);
- filters: ``date`` (Django's format letters), ``eastern``, ``pluralize``, ``timesince``,
  ``json_script``, ``capfirst``, ``status_word`` and the form helpers of
  ``qpp_registration.templatetags.portal`` (``field_kind``, ``uswds_widget``, ...).

``Jinja2`` is Django's backend with two differences: a view's context wins over the context
processors (as with Django templates; Django's Jinja2 backend lets the processors win), and
each page rendered is announced with ``template_rendered``, the signal the test client reads
``response.context`` from (no receiver outside tests, so nothing is done there).
"""

import functools

import markupsafe
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template.backends import jinja2 as django_jinja2
from django.template.defaultfilters import capfirst, json_script, pluralize, timesince_filter
from django.templatetags.static import static as static_url
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from jinja2 import Environment
from jinja2.compiler import CodeGenerator

from qpp_registration.core.submission_keys import hidden_input as submission_key_input
from qpp_registration.core.url_patterns import url_of_each, url_with_numbers
from qpp_registration.templatetags import portal
from registrations.rules import STATUS_WORDS


def url(name, *args, **kwargs):
    if not args and not kwargs:
        # Every page's navigation, header and footer: about ten a page, reversed once per process.
        return url_of_each(name)()
    if not kwargs and len(args) <= 3 and all(type(arg) is int for arg in args):
        # A year and an organization's id: the pattern reversed once per process, too.
        found = url_with_numbers(name, args)
        if found is not None:
            return found
    return reverse(name, args=args or None, kwargs=kwargs or None)


@functools.cache
def static(path):
    """A static file's URL (its hashed name in production) is fixed for the life of the
    process: looked up once per path."""
    return static_url(path)


@receiver(setting_changed)
def _forget_static(**kwargs):
    # Tests change STATIC_URL or the storage; a running portal never does.
    static.cache_clear()


def status_word(status):
    """``{{ status|status_word }}``: the words of a status key (``registrations.rules.STATUS_WORDS``),
    or the key itself when it has none."""
    return STATUS_WORDS.get(status, status)


# The status indicator's icon for each status that has one [2020 §III.5, §VI; 2023 §VI].
_STATUS_ICONS = {
    "registered": "img/status-check.svg",
    "complete": "img/status-check.svg",
    "automatic": "img/status-check.svg",
    "not_registered": "img/status-half-circle.svg",
    "incomplete": "img/status-x.svg",
}


def status_badge(status, label=""):
    """A status indicator: its icon and its words, never colour alone [2020 §III.5, §VI; 2023
    §VI]. ``status``: "registered" or "complete" (green check mark), "automatic" (green check),
    "not_registered" (yellow half-circle), "incomplete" (red x), "not_started" (words only);
    ``label``: the words (a cell's ``status_text``), else the status's own
    (``registrations.rules.STATUS_WORDS``).

    Written here rather than as a template macro: the Registration Overview draws two a card,
    50 on a page of 25, and a badge drawn through a macro took 4.5 µs against 2.5 µs for this
    [issue 24]. ``tests/test_jinja_environment.py`` holds it to the macro's markup."""
    icon = _STATUS_ICONS.get(status)
    image = (
        f'<img class="qpp-status__icon" src="{escape_output(static(icon))}" alt="" width="20" height="20">'
        if icon
        else ""
    )
    words = escape_output(label or status_word(status))
    html = (
        f'<span class="qpp-status qpp-status--{escape_output(status)}">\n{image}\n'
        f'<span class="qpp-status__text">{words}</span>\n</span>'
    )
    return markupsafe.Markup(html)  # noqa: S704 - every value above is escaped


def querystring(request, **changes):
    """``?`` and the request's query string with ``changes`` (``None`` removes a key), as
    Django's ``{% querystring %}`` writes it: for links that keep the filters (pagination)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params else "?"


def date(value, format_string=None):
    """Django's ``date`` filter: ``{{ when|date("M j, Y") }}``, in the current time zone."""
    if value in (None, ""):
        return ""
    return dateformat.format(template_localtime(value), format_string or settings.DATE_FORMAT)


# MarkupSafe's own escaping of a text, the function ``markupsafe.escape`` calls (in C); its pure
# Python form if MarkupSafe ever stops exposing it.
_escape_text = getattr(markupsafe, "_escape_inner", None) or (lambda text: str(markupsafe.escape(text)))


def escape_output(value):
    """What ``{{ value }}`` writes: ``markupsafe.escape(value)``, as text. ``escape`` returns each
    value as a new ``Markup`` object, which the page's output, joined into one string, never
    uses; making them was a fifth of drawing a list of 25 cards [issue 24]."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):  # Markup, Django's SafeString, a form's BoundField
        return value.__html__()
    return _escape_text(str(value))


class PortalCodeGenerator(CodeGenerator):
    """Jinja2's code generator (``Environment.code_generator_class``), writing what an
    autoescaped ``{{ value }}`` outputs as ``environment.escape_output(value)`` where Jinja2
    writes ``escape(value)``. Output gathered in a buffer (a macro, ``{% set %}…{% endset %}``,
    a filter or call block) is joined and marked safe as Jinja2 always does, so a macro still
    returns ``Markup``."""

    def _output_child_pre(self, node, frame, finalize):
        if not frame.eval_ctx.autoescape or frame.eval_ctx.volatile:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


# What a plain dict answers as an attribute: its methods (``params.items()``).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PortalEnvironment(Environment):
    """Jinja2's environment, with two costs of drawing a page taken away and what it draws
    unchanged [issue 24; docs/decisions/0010-pages-drawn-cheaply.md]:

    - each value a template writes is escaped as text (``escape_output``, through
      ``PortalCodeGenerator``), not made into a ``Markup`` object first;
    - ``item.row`` is read from a plain dict without first trying its attribute and catching
      the AttributeError: the views hand their rows to the templates as dicts (as they did to
      Django templates), and the exception was 7 % of drawing a list of 25 cards. A plain dict
      has no attributes but its methods, which are still read as attributes."""

    code_generator_class = PortalCodeGenerator
    escape_output = staticmethod(escape_output)

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        # Environment.getattr itself, not called through super(): a template reads an attribute
        # about two thousand times a page.
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def environment(**options):
    options.pop("autoescape", None)  # always on for the portal's pages
    env = PortalEnvironment(autoescape=True, **options)
    env.globals.update(
        url=url,
        static=static,
        querystring=querystring,
        submission_key_input=submission_key_input,
        status_badge=status_badge,
        service_center=settings.QPP_SERVICE_CENTER,
    )
    env.filters.update(
        date=date,
        eastern=portal.eastern,
        pluralize=pluralize,
        timesince=timesince_filter,
        json_script=json_script,
        capfirst=capfirst,
        status_word=status_word,
        field_kind=portal.field_kind,
        uswds_widget=portal.uswds_widget,
        uswds_options=portal.uswds_options,
        error_anchor=portal.error_anchor,
        alert_type=portal.alert_type,
        has_required_fields=portal.has_required_fields,
        with_headers=portal.with_headers,
    )
    env.tests["ellipsis"] = portal.is_ellipsis
    return env


class _OncePerPage:
    """A value drawn the first time the page uses it and then reused: ``csrf_input`` and
    ``csrf_token``. Django's lazy ones mask a new token at every use, which a list with a form
    per row did dozens of times a page; Django templates mask one per page."""

    def __init__(self, make):
        self._make, self._value = make, None

    def __html__(self):
        if self._value is None:
            self._value = self._make()
        return self._value

    __str__ = __html__

    def __bool__(self):
        return True


class Template(django_jinja2.Template):
    def render(self, context=None, request=None):
        data = {}
        if request is not None:
            data["request"] = request
            token = _OncePerPage(lambda: get_token(request))
            data["csrf_token"] = token
            data["csrf_input"] = _OncePerPage(
                lambda: format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
            )
            for context_processor in self.backend.template_context_processors:
                data.update(context_processor(request))
        if context:
            data.update(context)
        template_rendered.send(sender=self, template=self, context=data)
        return self.template.render(data)

    @property
    def name(self):  # what assertTemplateUsed compares
        return self.template.name


class Jinja2(django_jinja2.Jinja2):
    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)

    def get_template(self, template_name):
        template = super().get_template(template_name)
        return Template(template.template, self)
