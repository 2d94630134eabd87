"""Every URL pattern of the project, enumerated from the URLconf (quality.md: "N is enumerated
from the URLconf, so new routes are covered by construction")."""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern when unnamed
    pattern: str
    converters: dict  # kwarg name -> converter class name
    view: object = field(default=None, compare=False, repr=False)  # the pattern's callback

    def url(self, values: dict) -> str:
        path = self.pattern
        for kwarg, converter in self.converters.items():
            path = path.replace(f"<{converter}:{kwarg}>", str(values[kwarg]))
            path = path.replace(f"<{kwarg}>", str(values[kwarg]))
        return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


_CONVERTER_NAMES = {
    "IntConverter": "int",
    "StringConverter": "str",
    "SlugConverter": "slug",
    "UUIDConverter": "uuid",
    "PathConverter": "path",
}


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str, converters: dict) -> None:
        for entry in patterns:
            pattern = str(entry.pattern)
            found = {
                **converters,
                **{
                    k: _CONVERTER_NAMES.get(type(c).__name__, type(c).__name__)
                    for k, c in getattr(entry.pattern, "converters", {}).items()
                },
            }
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + pattern, ns, found)
            elif isinstance(entry, URLPattern):
                name = entry.name or prefix + pattern
                qualified = f"{namespace}:{name}" if namespace and entry.name else name
                routes.append(Route(qualified, prefix + pattern, found, entry.callback))

    walk(get_resolver().url_patterns, "", "", {})
    return routes
