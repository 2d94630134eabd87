"""The Jinja2 environment of the few hot fragments rendered by Django's Jinja2 backend.

Django's template language costs a few microseconds per variable: on a fragment of hundreds
of rows (the hours grid of a busy work site, the structure tables of a région's dashboard)
that is most of the page. Jinja2 compiles templates to Python, so those fragments stay
templates — markup in `templates/jinja2/`, escaped by default — at the cost of a loop.
Undefined variables raise, as in the tests' Django templates; `_()` is Django's gettext;
`capfirst` is Django's filter.
Filters that escape by themselves (`join`, `format` on strings) use Jinja2's entities
instead of Django's: loop and print each value instead.
"""

import html

from django.template.defaultfilters import capfirst
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup


def _escaped(value):
    """Every printed value, escaped as Django escapes (html.escape: &quot;, &#x27;), so a
    fragment's markup is byte for byte what the Django template language would write; safe
    markup (Django's SafeString, Jinja2's Markup) as it is; a lazy translation as its text.
    conditional_escape itself gives the same, with a lazy-string wrapper paid on every
    value of every row.

    A string with nothing to escape (most printed figures: "0", "1 234", "12,5 %") is handed
    back as it is: autoescape then escapes it to the same text, in C, without a Markup made
    here and read again (a région's structure tables print 7,500 values). Whether there is
    anything to escape is asked of the string (five membership tests), without running
    html.escape's five replacements on every value."""
    if type(value) is not str:
        if isinstance(value, Promise):
            value = str(value)
        elif hasattr(value, "__html__"):
            return value
        else:
            value = str(value)
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return Markup(html.escape(value))  # noqa: S704 — escaped here
    return value


def environment(**options) -> Environment:
    options.pop("autoescape", None)
    options["undefined"] = StrictUndefined
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.finalize = _escaped
    env.filters["capfirst"] = capfirst
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    return env


def render_fragment(template_name: str, context: dict) -> SafeString:
    """A fragment of `templates/jinja2/`, as markup a Django template shows as it is: the
    Jinja2 environment escaped every value it printed (autoescape, above)."""
    html = get_template(template_name, using="jinja2").render(context)
    return mark_safe(html)  # noqa: S308 — autoescaped by Jinja2
