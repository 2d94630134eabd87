"""Login hardening: second factor (TOTP), session expiry, and who must use a second factor.

Lockout after repeated failures is django-axes (settings `AXES_*`); this package holds what
is ours: the TOTP enrolment and verification steps, the middleware that requires them, and
the idle/absolute session timeouts.
"""
