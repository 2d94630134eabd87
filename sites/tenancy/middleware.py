"""Resolves the user's scope once per request: `request.scope`."""

from django.utils.functional import SimpleLazyObject

from .scope import scope_for_user


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: scope_for_user(request.user))
        return self.get_response(request)
