"""Writes on participants' files, one module per subject. Every *block* rule raises a
ValidationError with a French message per field; every *warn* rule is stored on
`Parcours.warnings`.

All writes are keyword-only and transactional; `actor` is the user who acts. Callers use
`from participants import services` and `services.<entity>_<verb>(...)`: the public
functions are re-exported here.
"""

from .actions import action_log
from .continuations import CONTINUATION_PROGRAMME, continuation_programme, parcours_continue
from .contracts import contract_add
from .exits import parcours_exit
from .followups import FollowupCheckConflict, followup_check_record
from .hours import (
    WorkedHoursConflict,
    parcours_set_hours,
    worked_hours_record,
    worked_hours_version,
)
from .orientations import (
    orientation_decline,
    orientation_enter,
    orientation_refer,
    parcours_prolong,
)
from .parcours import parcours_cancel, parcours_enrol, parcours_link_previous, parcours_start
from .participants import (
    ConflictError,
    participant_create,
    participant_find_duplicates,
    participant_update,
)
from .referents import ReassignConflict, Reassignment, participants_reassign
from .snapshots import SNAPSHOT_FIELDS, snapshot_record
from .transfers import GRACE_DAYS, participant_transfer, transfer_targets
from .warnings import parcours_refresh_warnings, parcours_warnings

__all__ = [
    "CONTINUATION_PROGRAMME",
    "GRACE_DAYS",
    "SNAPSHOT_FIELDS",
    "ConflictError",
    "FollowupCheckConflict",
    "ReassignConflict",
    "Reassignment",
    "WorkedHoursConflict",
    "action_log",
    "continuation_programme",
    "contract_add",
    "followup_check_record",
    "orientation_decline",
    "orientation_enter",
    "orientation_refer",
    "parcours_cancel",
    "parcours_continue",
    "parcours_enrol",
    "parcours_exit",
    "parcours_link_previous",
    "parcours_prolong",
    "parcours_refresh_warnings",
    "parcours_set_hours",
    "parcours_start",
    "parcours_warnings",
    "participant_create",
    "participant_find_duplicates",
    "participant_transfer",
    "participant_update",
    "participants_reassign",
    "snapshot_record",
    "transfer_targets",
    "worked_hours_record",
    "worked_hours_version",
]
