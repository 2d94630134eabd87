"""The hours grid's rows as markup, built in Python.

A busy work site shows 120–230 rows of six cells; through the template language the rows
were a third of the page's time (about 25 variables and a URL reversal a row). Every value
is escaped here: names are typed by users, typed hours come back from a refused submit.
The markup is the same as the template's was (ids, labels and aria attributes the tests and
the keyboard script rely on).
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from web.links import url_for_ids

from .hours_grid import GridRow


def rows_html(rows: list[GridRow]) -> SafeString:
    detail = url_for_ids("participants:detail", "participant_pk")
    saved_text = escape(_("Enregistré"))
    above_text = escape(_("Au-dessus des heures prévues"))
    out = []
    for row in rows:
        pk = row.parcours.pk
        who = escape(str(row.participant))
        url = escape(detail(row.participant.pk))
        if row.errors:
            border = ' class="border-start border-4 border-danger"'
        elif row.saved:
            border = ' class="border-start border-4 border-success"'
        else:
            border = ""
        invalid = " is-invalid" if row.errors else ""
        described = f"band-{pk} error-{pk}" if row.errors else f"band-{pk}"
        aria_invalid = ' aria-invalid="true"' if row.errors else ""
        if row.errors:
            state = (
                f'<div class="text-danger-emphasis small fw-semibold" id="error-{pk}">'
                f"{escape(' '.join(str(m) for m in row.errors))}</div>"
            )
        elif row.saved:
            state = f'<span class="text-success-emphasis small">{saved_text}</span>'
        elif row.above_expected:
            state = f'<span class="text-warning-emphasis small">{above_text}</span>'
        else:
            state = ""
        out.append(
            f'<tr><th scope="row" id="who-{pk}"{border}><a href="{url}">{who}</a></th>'
            f"<td>{escape(row.parcours.programme.code)}</td>"
            f'<td id="band-{pk}" class="text-nowrap">{escape(row.band_label)}</td>'
            f'<td class="hours-cell"><label class="visually-hidden" for="hours-{pk}">'
            f"{escape(row.hours_label)}</label>"
            f'<input class="form-control form-control-sm{invalid}" type="text" '
            f'inputmode="decimal" autocomplete="off" id="hours-{pk}" name="hours-{pk}" '
            f'value="{escape(row.hours)}" data-grid-col="hours" '
            f'aria-describedby="{described}"{aria_invalid}></td>'
            f'<td class="hours-cell"><label class="visually-hidden" for="absence-{pk}">'
            f"{escape(row.absence_label)}</label>"
            f'<input class="form-control form-control-sm" type="text" inputmode="decimal" '
            f'autocomplete="off" id="absence-{pk}" name="absence-{pk}" '
            f'value="{escape(row.absence)}" data-grid-col="absence"></td>'
            f"<td>{state}</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above
