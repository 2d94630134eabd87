from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The read-access log, an app of its own inside `sites` so that it registers its model
    itself; its table keeps the name it was created with (`sites_accesslog`)."""

    name = "sites.audit"
    label = "audit"
    verbose_name = "Journal des accès"
