import logging

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # WeasyPrint logs each rendering step at INFO, starting with its own stylesheet when
        # first imported ("Step 2 - Fetching and parsing CSS"): noise in every command's
        # output, nothing an operator acts on. Set before reporting.pdf imports it.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
