"""Account deactivation ends the account's sessions at once (quality.md §5.7, S11)."""

from django.contrib.sessions.models import Session
from django.utils import timezone


def end_sessions_of_inactive(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save receiver on the user model: deleting the sessions is the belt; Django's
    backend refusing an inactive user on every request is the braces."""
    if instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    key = str(instance.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == key
    ]
    Session.objects.filter(pk__in=stale).delete()
