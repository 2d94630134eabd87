"""`{% return_field %}`: the hidden `next` of a form opened from another page (checked)."""

from django import template
from django.utils.html import format_html

from web.links import requested_return

register = template.Library()


@register.simple_tag(takes_context=True)
def return_field(context) -> str:
    target = requested_return(context["request"])
    if not target:
        return ""
    return format_html('<input type="hidden" name="next" value="{}">', target)
