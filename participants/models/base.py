"""What every structure-owned table shares: the write history and the tenant key."""

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from sites.models import Structure


def history():
    """Trigger-based history of every write (django-pghistory): one append-only event row per
    insert, update and delete, with the request's user and URL as context. A fresh tracker
    set per model (pghistory must not share tracker instances).

    Statement-level triggers (transition tables): the same event rows, but the context is
    attached once per statement. Row-level triggers attach it once per row, through two
    PL/pgSQL exception blocks, i.e. two sub-transactions a row: 57 s of a 58 s import of
    10,000 rows on the national dataset (docs/performance.md)."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        level=pghistory.Statement,
    )


class StructureOwned(models.Model):
    """Base of every structure-owned table: the tenant key and timestamps."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True
