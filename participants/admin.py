"""Administration of participants' files (platform administrators only; reads are logged
by the application views, the admin is for support and corrections)."""

from django.contrib import admin

from sites.ratelimit.decorators import has_search, rate_limited

from . import models

_search_limited = rate_limited("search", when=has_search)


class StructureOwnedAdmin(admin.ModelAdmin):
    list_select_related = ["structure"]
    list_filter = ["structure"]
    readonly_fields = ["created_at", "updated_at"]

    def changelist_view(self, request, extra_context=None):
        # A search of people's files here counts as one in the application (S23).
        return _search_limited(super().changelist_view)(request, extra_context)


@admin.register(models.Participant)
class ParticipantAdmin(StructureOwnedAdmin):
    list_display = [
        "last_name",
        "first_name",
        "birth_date",
        "structure",
        "external_id",
        "last_contact_on",
    ]
    list_filter = ["structure", "sex"]
    search_fields = ["last_name", "first_name", "external_id", "pass_iae_number"]
    readonly_fields = ["created_at", "updated_at", "version", "anonymised_at"]


@admin.register(models.Parcours)
class ParcoursAdmin(StructureOwnedAdmin):
    list_display = ["participant", "programme", "status", "start_date", "end_date", "structure"]
    list_filter = ["programme", "status", "structure"]
    search_fields = ["participant__last_name", "participant__first_name"]
    list_select_related = ["participant", "programme", "structure"]
    raw_id_fields = ["participant", "previous"]
    readonly_fields = ["created_at", "updated_at", "version", "warnings"]


@admin.register(models.Contract)
class ContractAdmin(StructureOwnedAdmin):
    list_display = ["parcours", "kind", "employer", "host", "start_date", "weekly_hours"]
    list_filter = ["kind", "structure"]
    search_fields = ["parcours__participant__last_name", "placement_company"]
    raw_id_fields = ["parcours"]


@admin.register(models.HoursStage)
class HoursStageAdmin(StructureOwnedAdmin):
    list_display = ["parcours", "start_date", "weekly_hours"]
    search_fields = ["parcours__participant__last_name"]
    raw_id_fields = ["parcours"]


@admin.register(models.WorkedHours)
class WorkedHoursAdmin(StructureOwnedAdmin):
    list_display = ["parcours", "week_start", "hours", "work_site"]
    search_fields = ["parcours__participant__last_name"]
    raw_id_fields = ["parcours"]
    date_hierarchy = "week_start"


@admin.register(models.SituationSnapshot)
class SituationSnapshotAdmin(StructureOwnedAdmin):
    list_display = ["participant", "context", "date", "housing"]
    list_filter = ["context", "housing", "structure"]
    search_fields = ["participant__last_name"]
    raw_id_fields = ["participant", "parcours"]


@admin.register(models.AccompanimentAction)
class AccompanimentActionAdmin(StructureOwnedAdmin):
    list_display = ["parcours", "date", "kind", "theme", "duration_minutes", "author"]
    list_filter = ["kind", "theme", "structure"]
    search_fields = ["parcours__participant__last_name", "partner"]
    raw_id_fields = ["parcours"]


@admin.register(models.Exit)
class ExitAdmin(StructureOwnedAdmin):
    list_display = ["parcours", "date", "situation", "dgefp_category", "followup_until"]
    list_filter = ["dgefp_category", "situation", "structure"]
    search_fields = ["parcours__participant__last_name"]
    raw_id_fields = ["parcours"]
