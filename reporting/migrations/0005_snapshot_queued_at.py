"""Funder reports remember when their rendering was queued (`queued_at`), so that one still
pending or running `REPORT_STALLED_AFTER_MINUTES` later is shown as stalled with a retry.
Existing reports were queued when they were frozen: `created_at`."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_programme_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportsnapshot",
            name="queued_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="mis en file le"
            ),
        ),
        migrations.RunSQL(
            "UPDATE reporting_reportsnapshot SET queued_at = created_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
