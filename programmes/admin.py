"""Administration of programmes (rules as data), deployments and targets."""

from django.contrib import admin

from .models import CoordinationScope, Deployment, Programme, Target


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "label",
        "max_months",
        "base_months",
        "warn_months",
        "min_weekly_hours",
        "max_weekly_hours",
        "followup_months",
    ]
    search_fields = ["code", "label"]
    list_filter = [
        "has_hours_stages",
        "tracks_housing",
        "tracks_continuations",
        "open_to_every_structure",
    ]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "territory", "start_date", "end_date"]
    list_filter = ["programme", "territory"]
    search_fields = ["territory__name", "programme__label", "structures__name"]
    filter_horizontal = ["structures", "funders"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["deployment", "metric", "value", "period_start", "period_end"]
    list_filter = ["metric", "deployment__programme"]
    search_fields = ["deployment__territory__name"]


@admin.register(CoordinationScope)
class CoordinationScopeAdmin(admin.ModelAdmin):
    list_display = ["coordination", "territory", "programme"]
    list_filter = ["programme", "coordination"]
    search_fields = ["coordination__name", "territory__name"]
