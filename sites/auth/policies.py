"""Who must use a second factor (ASVS 5.0 6.3.3, ANSSI): decided from the user's roles."""

from django.conf import settings
from django_otp import user_has_device

ADMIN = "ADMIN"


def requires_second_factor(user, scope) -> bool:
    """Managers, coordinators, funders and administrators by default (`OTP_REQUIRED_ROLES`)."""
    required = set(settings.OTP_REQUIRED_ROLES)
    roles = set(scope.roles)
    if user.is_superuser or user.is_staff:
        roles.add(ADMIN)
    return bool(required & roles)


def must_verify(user, scope) -> bool:
    """True while this authenticated session still lacks its second factor: every user who
    enrolled a device uses it, whether or not the role requires one."""
    if user.is_verified():
        return False
    return requires_second_factor(user, scope) or user_has_device(user, confirmed=True)
