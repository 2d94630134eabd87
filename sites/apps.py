from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Organisations et territoires"

    def ready(self):
        from .tenancy.database import post_migrate_security

        # Once per migrate (sent for this app after the whole plan ran): every table a later
        # migration created gets its grants and row-level security policy.
        post_migrate.connect(post_migrate_security, sender=self, dispatch_uid="sillon-rls")
