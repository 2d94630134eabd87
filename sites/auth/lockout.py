"""What django-axes counts failures against: the account, however its e-mail is typed."""


def username_of(request, credentials) -> str:
    """`Camille@Example.org ` and `camille@example.org` are one account, so one counter."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()
