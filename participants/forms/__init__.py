"""Forms of the caseworkers' screens.

No form exposes an ownership field: the structure comes from the scope (or the active
structure), the author from the request, and the record version travels as a separate
hidden `expected_version`, compared by the service (optimistic locking), never assigned.
Every ModelChoiceField is built on a scoped queryset, so another structure's id is refused
like any unknown value.
"""

from .actions import ActionForm
from .base import HOURS_WIDGET, ParcoursChoiceField, StyledFormMixin
from .parcours import (
    ContinuationForm,
    ExitForm,
    HoursStageForm,
    LinkPreviousForm,
    ParcoursEnrolForm,
    grouped_exit_situations,
)
from .participant import ParticipantForm
from .referents import ReassignForm
from .snapshots import HEALTH_FLAGS, SnapshotForm, snapshot_initial
from .transfers import TransferForm

__all__ = [
    "ActionForm",
    "ContinuationForm",
    "ExitForm",
    "HEALTH_FLAGS",
    "HOURS_WIDGET",
    "HoursStageForm",
    "LinkPreviousForm",
    "ParcoursChoiceField",
    "ParcoursEnrolForm",
    "ParticipantForm",
    "ReassignForm",
    "SnapshotForm",
    "StyledFormMixin",
    "TransferForm",
    "grouped_exit_situations",
    "snapshot_initial",
]
