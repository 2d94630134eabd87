"""Administration of organisations, territories and accounts (platform administrators)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Coordination, Funder, GeoUnit, Membership, Structure, Territory, User, WorkSite


@admin.register(GeoUnit)
class GeoUnitAdmin(admin.ModelAdmin):
    """The official division (`manage.py load_geography`): found by name (with or without
    accents and hyphens), INSEE code, SIREN or postcode, as the communes of structures and
    work sites and the units of territories are picked from it."""

    list_display = ["name", "kind", "code", "parent", "epci", "postcodes"]
    list_filter = ["kind"]
    search_fields = ["name", "search_name", "=code", "postcodes"]
    autocomplete_fields = ["parent", "epci"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    # Picked by name or code from the 36,000 units of the official division.
    autocomplete_fields = ["geo_units"]
    prepopulated_fields = {"slug": ["name"]}


class WorkSiteInline(admin.TabularInline):
    model = WorkSite
    extra = 0
    autocomplete_fields = ["commune"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "siret", "commune", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "siret"]
    autocomplete_fields = ["commune"]
    inlines = [WorkSiteInline]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(WorkSite)
class WorkSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "structure", "activity", "commune", "is_active"]
    list_filter = ["is_active", "structure__kind"]
    search_fields = ["name", "structure__name", "activity"]
    autocomplete_fields = ["structure", "commune"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(Coordination)
class CoordinationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["structure", "coordination", "funder"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name"]}),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "role",
        "structure",
        "coordination",
        "funder",
        "can_view_sensitive",
        "is_active",
    ]
    list_filter = ["role", "is_active", "can_view_sensitive"]
    search_fields = ["user__email", "structure__name", "coordination__name", "funder__name"]
    autocomplete_fields = ["user", "structure", "coordination", "funder"]
