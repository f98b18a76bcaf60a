"""The Jinja environment of every HTML page mujun writes: autoescape on, and no control character.

Autoescape makes `<`, `&` and quotes in delivered text data. Control characters (a name with
\\x01 or a vertical tab, typed in a spreadsheet) are not markup, but HTML forbids them in a page:
browsers show them as boxes or not at all, and validators reject the page. They are dropped from
whatever a page shows; tab, line feed and carriage return stay (they are white space).

The invisible controls of writing direction (Unicode's bidirectional marks, embeddings, overrides
and isolates) are dropped too: a name copied with a right-to-left override and nothing to end it
turned the rest of its line around, the page's own words included ("告报检体 · 司公…")."""

from __future__ import annotations

import re

from jinja2 import Environment
from markupsafe import Markup

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _printable(value):
    if isinstance(value, Markup):  # a chart's SVG, already markup
        return Markup(_CONTROL.sub("", value))
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def environment() -> Environment:
    return Environment(autoescape=True, finalize=_printable)
