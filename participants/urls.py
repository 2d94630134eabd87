"""Caseworkers' screens. Object kwargs: `participant_pk` (Participant), `parcours_pk` (Parcours),
`check_pk` (FollowupCheck)."""

from django.urls import path

from .views import (
    actions,
    exports,
    followups,
    hours,
    imports,
    orientations,
    parcours,
    participants,
    referents,
    rights,
    snapshots,
    today,
    transfers,
)

app_name = "participants"

urlpatterns = [
    path("", participants.participant_list, name="list"),
    path("aujourdhui/", today.today, name="today"),
    # The structure's referents and handing files over (its managers only; ?de= names whose).
    path("referents/", referents.referents, name="referents"),
    path("referents/reattribuer/", referents.referents_reassign, name="referents_reassign"),
    path("orientations/nouvelle/", orientations.orientation_create, name="orientation_create"),
    path(
        "parcours/<int:parcours_pk>/entree/",
        orientations.orientation_enter,
        name="orientation_enter",
    ),
    path(
        "parcours/<int:parcours_pk>/non-entree/",
        orientations.orientation_decline,
        name="orientation_decline",
    ),
    path(
        "parcours/<int:parcours_pk>/prolongation/",
        followups.parcours_prolong,
        name="parcours_prolong",
    ),
    path("suivis/<int:check_pk>/", followups.followup_check, name="followup_check"),
    path("export.csv", exports.participant_export_csv, name="export_csv"),
    path("export.xlsx", exports.participant_export_xlsx, name="export_xlsx"),
    path("nouveau/", participants.participant_create, name="create"),
    path("<int:participant_pk>/", participants.participant_detail, name="detail"),
    path("<int:participant_pk>/modifier/", participants.participant_update, name="update"),
    # Transfer of a file to another structure of the deployment (its managers only).
    path(
        "<int:participant_pk>/transfert/",
        transfers.participant_transfer,
        name="participant_transfer",
    ),
    path("transferts/", transfers.transfer_list, name="transfers"),
    # People's rights on one file (structure managers only).
    path(
        "<int:participant_pk>/droits/export.json",
        rights.rights_export_json,
        name="rights_export_json",
    ),
    path(
        "<int:participant_pk>/droits/export.pdf",
        rights.rights_export_pdf,
        name="rights_export_pdf",
    ),
    path(
        "<int:participant_pk>/droits/anonymiser/",
        rights.rights_anonymise,
        name="rights_anonymise",
    ),
    path("<int:participant_pk>/droits/effacer/", rights.rights_erase, name="rights_erase"),
    path(
        "<int:participant_pk>/parcours/nouveau/",
        parcours.parcours_enrol,
        name="parcours_enrol",
    ),
    path(
        "<int:participant_pk>/situations/nouvelle/",
        snapshots.snapshot_create,
        name="snapshot_create",
    ),
    path(
        "parcours/<int:parcours_pk>/paliers/nouveau/",
        parcours.parcours_set_hours,
        name="parcours_set_hours",
    ),
    path(
        "parcours/<int:parcours_pk>/lier/",
        parcours.parcours_link_previous,
        name="parcours_link_previous",
    ),
    path("parcours/<int:parcours_pk>/sortie/", parcours.parcours_exit, name="parcours_exit"),
    path(
        "parcours/<int:parcours_pk>/actions/nouvelle/",
        actions.action_create,
        name="action_create",
    ),
    # Weekly hours grid per work site (site_pk: WorkSite of one of the scope's structures).
    path("heures/", hours.hours_sites, name="hours_sites"),
    path("heures/<int:site_pk>/", hours.hours_this_week, name="hours_this_week"),
    path(
        "heures/<int:site_pk>/<int:year>/semaine-<int:week>/",
        hours.hours_grid_view,
        name="hours_grid",
    ),
    # Import from a spreadsheet (pk: ImportJob of the active structure).
    path("import/", imports.import_upload, name="import_upload"),
    path("import/format/", imports.import_format, name="import_format"),
    path("import/exemple.csv", imports.import_example, name="import_example"),
    path("import/<int:pk>/", imports.import_detail, name="import_detail"),
    path("import/<int:pk>/importer/", imports.import_commit, name="import_commit"),
    path("import/<int:pk>/etape/", imports.import_step, name="import_step"),
    path("import/<int:pk>/annuler/", imports.import_cancel, name="import_cancel"),
]
