"""The hot fragments' escaping (web/jinja2.py): every printed value is escaped exactly as the
Django template language escapes it. The environment's finalize escapes by itself (it hands
back as it is only a string with nothing to escape), and Jinja2's autoescape runs after it:
the same text with autoescape off shows that the first layer alone suffices."""

import pytest
from django.template import Context, Template
from django.template.loader import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

HOSTILE = "<script>alert(\"x\")</script> & l'Océan <img src=x onerror='y'>"


@pytest.mark.parametrize(
    "value",
    [
        HOSTILE,
        "< 11",
        # One character to escape each: the fast path tests each one by itself.
        "a&b",
        "a>b",
        'un "mot"',
        "l'eau",
        "sans rien",
        mark_safe("<b>sûr</b>"),
        gettext_lazy("Structure"),
        1234,
        None,
    ],
)
def test_a_value_prints_as_django_prints_it_with_autoescape_on_or_off(value):
    env = engines["jinja2"].env
    expected = Template("{{ value }}").render(Context({"value": value}))
    on = env.from_string("{{ value }}").render(value=value)
    off = env.from_string("{% autoescape false %}{{ value }}{% endautoescape %}").render(
        value=value
    )
    assert on == off == expected


def test_the_structure_rows_escape_names_and_cells():
    rows = [{"name": HOSTILE, "slug": "s-1", "cells": ["< 11", "12,5 %"]}]
    html = (
        engines["jinja2"]
        .get_template("reporting/structure_rows.html")
        .render({"rows": rows, "link_period": "2025"})
    )
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; l&#x27;Océan" in html
    assert '<td class="text-end">&lt; 11</td>' in html
