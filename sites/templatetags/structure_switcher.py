"""The structure switcher of the navigation bar, for people in several structures."""

from django import template

from sites.active_structure import active_structure_id
from sites.models import Structure

register = template.Library()


@register.inclusion_tag("sites/_structure_switcher.html", takes_context=True)
def structure_switcher(context) -> dict:
    """Nothing (and no query) for people in one structure or none."""
    request = context["request"]
    scope = request.scope
    if len(scope.structure_ids) < 2:
        return {"structures": [], "active": None, "next_url": ""}
    structures = list(Structure.objects.filter(pk__in=scope.structure_ids).order_by("name"))
    active_id = active_structure_id(request)
    active = next((s for s in structures if s.pk == active_id), None)
    return {"structures": structures, "active": active, "next_url": request.get_full_path()}
