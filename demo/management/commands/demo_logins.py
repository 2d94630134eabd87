"""Print the demo accounts and their password."""

import os

from django.core.management.base import BaseCommand

from demo.reference import ACCOUNTS, ADMIN_EMAIL, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration."

    def handle(self, *args, **options):
        port = os.environ.get("SILLON_PORT", "8000")
        self.stdout.write(f"\nSillon demo — http://127.0.0.1:{port}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}\n")
        for email, _first, _last, role, org, _sensitive in ACCOUNTS:
            self.stdout.write(f"  {role.label:<24} {org:<20} {email}")
        self.stdout.write(f"  {'Administration':<24} {'plateforme':<20} {ADMIN_EMAIL}\n")
