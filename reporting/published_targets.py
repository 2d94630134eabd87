"""The national view's targets: each territory's target, attainment and projection, from
the comparison's own published cells (docs/indicators.md, "Trajectoire et projection").

Nothing here is a new count: the attainment is the row's published figure over the
target, and the projection is computed from the row's published `accompanied` and
`entries` (both must be published) and the period's days. A hidden figure hides both.
The projection needs the target's period to be P (the row's figures are P's so far).
"""

import datetime as dt
from decimal import Decimal

from programmes.enums import TargetMetric

from .formats import Numbers
from .suppression import PUBLISHED
from .trajectories import projection, reference_date, state_on
from .trajectory_charts import Panel


def publish_target_overview(comparison, status: dict, *, suppressed: bool, today: dt.date) -> list:
    """One entry per territory that has a target in P (sorted like the comparison)."""
    num = Numbers.current()
    rows = []
    for territory in comparison.territories:
        target = comparison.targets.get(territory.pk)
        if target is None:
            continue
        figures = comparison.figures[territory.pk]

        def number(key: str, tid: int = territory.pk, figures=figures) -> int | None:
            if suppressed and status[(tid, key)] != PUBLISHED:
                return None
            return getattr(figures, key)

        value = number(target.metric)
        entries = number("entries")
        projected = None
        if target.period.start == comparison.period.start and (
            target.period.end == comparison.period.end
        ):
            reference = reference_date(target.period, today)
            if value is not None and entries is not None:
                projected = projection(
                    value=value, entries=entries, period=target.period, reference=reference
                )
            state = state_on(target.period, reference)
        else:
            state = ""
        attainment = Decimal(value) / target.value if value is not None and target.value else None
        rows.append(
            {
                "name": territory.name,
                "slug": territory.slug,
                "metric": target.metric,
                "metric_label": str(TargetMetric(target.metric).label),
                "period": str(target.period.label),
                "end_label": f"{target.period.end:%d/%m/%Y}",
                "target": target.value,
                "target_text": num.count(target.value),
                "value": value if value is not None else -1,
                "value_text": num.count(value) if value is not None else num.hidden,
                "attainment": float(attainment) if attainment is not None else -1.0,
                "attainment_text": num.rate(attainment) if attainment is not None else num.hidden,
                "projection": projected if projected is not None else -1,
                "projection_text": num.count(projected) if projected is not None else "–",
                "state": state,
            }
        )
    return rows


def target_panels(rows: list[dict], caption: str, caption_final: str) -> list[Panel]:
    """The small multiples' panels (`caption`: "%(value)s / %(target)s · %(projection)s",
    `caption_final`: "%(value)s / %(target)s", for a row without projection)."""
    return [
        Panel(
            name=row["name"],
            value=row["value"] if row["value"] >= 0 else None,
            value_text=row["value_text"],
            target=row["target"],
            projection=row["projection"] if row["projection"] >= 0 else None,
            caption=(caption if row["projection"] >= 0 else caption_final)
            % {
                "value": row["value_text"],
                "target": row["target_text"],
                "projection": row["projection_text"],
            },
        )
        for row in rows
    ]
