"""URLs reversed once per process: ``url_of_each(name, "organization_id", year=2025)`` gives a
function of an organization's id returning its URL.

A ``reverse()`` costs about as much as drawing a row of a list (10–25 µs), and a page drawn on
every request reverses the same few patterns for each card and row, and ten fixed URLs for its
navigation [issue 24]. What a pattern gives for given ids is fixed for the life of the URLconf
and the script prefix: each pattern is reversed once, with stand-in numbers where the ids go, and
each call puts the ids in their places. A changed setting (a test's URLconf) forgets them.
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_STAND_INS = (987654321, 987654322, 987654323)


def url_of_each(name, *variable, **fixed):
    """A function of the values of the URL keywords ``variable`` (in that order) giving the URL
    ``name`` with those and ``fixed``."""
    pieces = _pieces(get_urlconf(), get_script_prefix(), name, variable, tuple(sorted(fixed.items())))
    if len(pieces) == 1:
        return lambda: pieces[0]
    return lambda *values: _filled(pieces, values)


def url_with_numbers(name, numbers):
    """``reverse(name, args=numbers)`` for a tuple of integers, from the pattern reversed once per
    process (a template's ``url('registration_detail', year, pk)``); None when the pattern does not
    take integers there, for ``reverse()`` to answer."""
    pieces = _numbered_pieces(get_urlconf(), get_script_prefix(), name, len(numbers))
    return None if pieces is None else _filled(pieces, numbers)


def _filled(pieces, values):
    """The URL of ``pieces`` (``_split``'s) with ``values`` where the stand-ins were."""
    parts = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        parts += (str(value), piece)
    return "".join(parts)


def _split(url, stand_ins):
    """``url`` cut where each of ``stand_ins`` stands, or None unless each stands there once."""
    pieces = [url]
    for stand_in in stand_ins:
        split = pieces[-1].split(str(stand_in))
        if len(split) != 2:
            return None
        pieces[-1:] = split
    return tuple(pieces)


@functools.cache
def _numbered_pieces(urlconf, prefix, name, count):
    try:
        url = reverse(name, urlconf=urlconf, args=_STAND_INS[:count])
    except (NoReverseMatch, ValueError):  # a pattern that takes no number there
        return None
    return _split(url, _STAND_INS[:count])


@functools.cache
def _pieces(urlconf, prefix, name, variable, fixed):
    stand_ins = dict(zip(variable, _STAND_INS, strict=False))
    url = reverse(name, urlconf=urlconf, kwargs={**dict(fixed), **stand_ins} or None)
    pieces = _split(url, stand_ins.values())
    if pieces is None:
        raise ValueError(f"{name}'s URL does not hold each of {variable} once")
    return pieces


@receiver(setting_changed)
def _forget(**kwargs):
    _pieces.cache_clear()
    _numbered_pieces.cache_clear()
