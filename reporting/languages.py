"""The language a published document (dashboard, frozen funder report) is written in."""

from django.conf import settings


def document_language(document: dict) -> str:
    """The document's language, one of LANGUAGES; French for a report frozen before the
    documents recorded it (they were all written in French then)."""
    language = document.get("language") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
