"""Funder packs: one frozen report per deployment a funder funds, for one period, under
one SHA-256 printed in every file of the pack (reporting.FunderPack)."""


import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0005_snapshot_queued_at'),
        ('sites', '0007_user_daily_digest'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FunderPack',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='identifiant')),
                ('period_code', models.CharField(max_length=32, verbose_name='période')),
                ('period_start', models.DateField(verbose_name='début de période')),
                ('period_end', models.DateField(verbose_name='fin de période')),
                ('sha256', models.CharField(max_length=64, verbose_name='empreinte SHA-256 du dossier')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='figé le')),
                ('funder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sites.funder', verbose_name='financeur')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandé par')),
            ],
            options={
                'verbose_name': 'dossier financeur',
                'verbose_name_plural': 'dossiers financeurs',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AddField(
            model_name='reportsnapshot',
            name='pack',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='reporting.funderpack', verbose_name='dossier financeur'),
        ),
        migrations.AddIndex(
            model_name='funderpack',
            index=models.Index(fields=['funder', '-created_at'], name='funderpack_funder_created'),
        ),
    ]
