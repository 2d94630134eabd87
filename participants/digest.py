"""The daily digest of "Aujourd'hui" by e-mail, for the people who asked for it on their
account page ("Mon compte").

What it says, per structure of the person: how many things there are to do, by kind, how
many of them are overdue, and a link to the page. Never a name, a date of birth or anything
about a person: it is built from counts only — the items' people never reach the template.
It follows the page's first filter: a caseworker's own people, a manager's whole structure.
Nothing is sent on a day with nothing to do.

`manage.py send_today_digest` sends it (daily, docs/deployment.md), at most once per person
and day however many runs overlap: a run first claims the person's day
(`sites.services.user_claim_daily_digest`), and gives the claim back if the e-mail fails.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from sites.models import Structure, User
from sites.services import user_claim_daily_digest, user_release_daily_digest
from sites.tenancy import scope_for_user

from .presentation.today import kind_counts
from .today import is_overdue, today_items
from .today_badge import STRUCTURE, who_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestPart:
    """One structure's counts. `structure` is named only to people of several structures."""

    structure: str
    whole_structure: bool
    counts: list[tuple[str, int]]  # (the kind's label, its count), in the page's order
    total: int
    overdue: int


def digest_parts(*, user: User, today) -> list[DigestPart]:
    """The person's counts, one part per structure they see people of (none for others)."""
    scope = scope_for_user(user)
    structures = list(
        Structure.objects.filter(pk__in=scope.structure_ids)
        .order_by("name")
        .values_list("pk", "name")
    )
    parts = []
    for structure_id, name in structures:
        whole = who_for(scope, structure_id) == STRUCTURE
        items = today_items(
            scope=scope,
            structure_id=structure_id,
            referent_id=None if whole else user.pk,
            today=today,
        )
        parts.append(
            DigestPart(
                structure=name if len(structures) > 1 else "",
                whole_structure=whole,
                counts=[(str(c.label), c.count) for c in kind_counts(items)],
                total=len(items),
                overdue=sum(is_overdue(item, today) for item in items),
            )
        )
    return parts


def digest_message(*, parts: list[DigestPart], today) -> tuple[str, str]:
    """The subject and the text of the e-mail, in the site's language."""
    context = {
        "parts": parts,
        "total": sum(part.total for part in parts),
        "today": today,
        "today_url": settings.SITE_URL + reverse("participants:today"),
        "account_url": settings.SITE_URL + reverse("account"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("participants/today/digest_subject.txt", context)
        body = render_to_string("participants/today/digest.txt", context)
    return " ".join(subject.split()), body


@dataclass
class DigestRun:
    sent: int = 0
    nothing_to_do: int = 0
    already_done: int = 0  # another run dealt with this person today
    failed: list[int] = field(default_factory=list)  # user ids, claims given back


def send_today_digests(*, today) -> DigestRun:
    """Send the day's digest to every active person who opted in and was not dealt with
    today. Safe to run again (and at the same time): nobody gets two digests a day."""
    run = DigestRun()
    people = (
        User.objects.filter(is_active=True, daily_digest=True)
        .filter(Q(daily_digest_done_on__isnull=True) | Q(daily_digest_done_on__lt=today))
        .order_by("pk")
    )
    connection = get_connection()
    for user in people.iterator(chunk_size=200):
        parts = digest_parts(user=user, today=today)
        if not parts:
            continue  # no structure's people to see: no "Aujourd'hui", no digest
        previous = user.daily_digest_done_on
        if not user_claim_daily_digest(user_id=user.pk, day=today):
            run.already_done += 1
            continue
        if not any(part.total for part in parts):
            run.nothing_to_do += 1
            continue
        subject, body = digest_message(parts=parts, today=today)
        account_url = settings.SITE_URL + reverse("account")
        message = EmailMessage(
            subject,
            body,
            to=[user.email],
            connection=connection,
            headers={"Auto-Submitted": "auto-generated", "List-Unsubscribe": f"<{account_url}>"},
        )
        try:
            message.send()
        except OSError:  # SMTP errors included: retried by the next run
            user_release_daily_digest(user_id=user.pk, day=today, previous=previous)
            run.failed.append(user.pk)
            logger.exception("daily digest not sent", extra={"user_id": user.pk})
        else:
            run.sent += 1
    connection.close()
    return run
