"""Participants' files: the person, their parcours, contracts, hours, snapshots, actions, exit.

Every table here is structure-owned: it carries a non-null `structure` foreign key, copied
down from the participant onto every child so scoping (and row-level security) never needs a
join. Unique constraints and indexes start with `structure`.

One module per subject; every model class is imported here, so Django finds them and callers
keep `from participants.models import ...`.
"""

from .actions import AccompanimentAction
from .base import StructureOwned, history
from .contracts import Contract
from .exits import Exit
from .followups import FollowupCheck
from .hours import HoursStage, WorkedHours
from .imports import ImportJob
from .parcours import CurrentParcours, Parcours
from .participant import Participant
from .snapshots import SituationSnapshot
from .transfers import ParticipantAccessGrant, Transfer

__all__ = [
    "AccompanimentAction",
    "Contract",
    "CurrentParcours",
    "Exit",
    "FollowupCheck",
    "HoursStage",
    "ImportJob",
    "Parcours",
    "Participant",
    "ParticipantAccessGrant",
    "SituationSnapshot",
    "StructureOwned",
    "Transfer",
    "WorkedHours",
    "history",
]
