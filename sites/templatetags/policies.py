"""`{% if request|may_open:"participants:list" %}`: show a link exactly to the people the
linked view's declared policy admits (sites/tenancy/permissions.py)."""

from django import template

from sites.tenancy import permissions

register = template.Library()


@register.filter
def may_open(request, url_name: str) -> bool:
    return permissions.may_open(request, url_name)
