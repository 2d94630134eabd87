from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Organisations et territoires"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from .auth.middleware import stamp_login
        from .auth.signals import end_sessions_of_inactive
        from .database_settings import post_migrate_settings
        from .tenancy.database import post_migrate_security

        # Once per migrate (sent for this app after the whole plan ran): every table a later
        # migration created gets its grants and row-level security policy.
        post_migrate.connect(post_migrate_security, sender=self, dispatch_uid="sillon-rls")
        # And the database's own settings (jit = off), also lost by a restore into an empty
        # database.
        post_migrate.connect(
            post_migrate_settings, sender=self, dispatch_uid="sillon-database-settings"
        )
        user_logged_in.connect(stamp_login, dispatch_uid="sillon-session-stamp")
        post_save.connect(
            end_sessions_of_inactive,
            sender=get_user_model(),
            dispatch_uid="sillon-end-sessions-of-inactive",
        )
