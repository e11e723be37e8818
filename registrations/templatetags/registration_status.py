"""``{{ status|status_word }}``: the words of a status key (``rules.STATUS_WORDS``)."""

from django import template

from registrations.rules import STATUS_WORDS

register = template.Library()


@register.filter
def status_word(status):
    return STATUS_WORDS.get(status, status)
