from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    """The anti-automation counters, an app of its own inside `sites` so that it registers
    its models itself; their tables keep the names they were created with (`sites_*`)."""

    name = "sites.ratelimit"
    label = "ratelimit"
    verbose_name = "Limites anti-automatisation"
