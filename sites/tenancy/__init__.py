"""The ONLY place that decides which structures (and which aggregates) a user may see."""

from .scope import Scope, scope_for_user

__all__ = ["Scope", "scope_for_user"]
