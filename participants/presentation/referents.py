"""The referents' pages as they read: a file's state in a few words, and why a file was not
handed over."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..referents import HandoverFile, NotMoved


def file_state(file: HandoverFile) -> str:
    """« En parcours (PHC) », « Orienté·e (CVG) », « Suivi après sortie »."""
    if file.in_followup:
        return _("Suivi après sortie")
    programmes = ", ".join(file.programmes)
    if file.oriented:
        return _("Orienté·e (%(prog)s)") % {"prog": programmes}
    return _("En parcours (%(prog)s)") % {"prog": programmes}


def not_moved_text(item: NotMoved) -> str:
    """Why a file kept its referent: changed by someone else since the page was shown."""
    if item.participant is None:
        return _("Ce dossier ne fait plus partie de la structure : il n'a pas été modifié.")
    parts = []
    if item.changed_at is not None:
        when = timezone.localtime(item.changed_at)
        values = {
            "who": item.changed_by,
            "day": formats.date_format(when, "d/m/Y"),
            "time": formats.time_format(when, "H:i"),
        }
        if item.changed_by:
            parts.append(_("Modifié entre-temps par %(who)s le %(day)s à %(time)s.") % values)
        else:
            parts.append(_("Modifié entre-temps le %(day)s à %(time)s.") % values)
    if item.referent_now:
        parts.append(_("Référent·e actuel·le : %(name)s.") % {"name": item.referent_now})
    else:
        parts.append(_("Aucun·e référent·e actuellement."))
    parts.append(_("Il n'a pas été réattribué."))
    return " ".join(parts)
