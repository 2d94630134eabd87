"""`python manage.py generate_dataset --scale small|regional|national --seed N`."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.dataset import SCALES, Generator, Progress, database_has_participants


class Command(BaseCommand):
    help = (
        "Génère un jeu de données synthétique reproductible (benchmarks, tests de charge). "
        "Refuse de s'exécuter sur une base qui contient déjà des participant·es, sauf --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ajoute le jeu de données même si la base contient déjà des participant·es.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args, scale, seed, force, no_progress, **options):
        if database_has_participants() and not force:
            raise CommandError(
                "La base contient déjà des participant·es : utilisez une base vide "
                "(SILLON_DB_NAME=bench) ou --force pour ajouter le jeu de données."
            )
        spec = SCALES[scale]
        self.stdout.write(
            f"Jeu de données « {scale} » (graine {seed}) : {spec.structures:,} structures, "
            f"{spec.territories} territoires, {spec.participants:,} participant·es, "
            f"{spec.parcours:,} parcours, ~{spec.actions:,} actions, "
            f"~{spec.worked_hours:,} semaines d'heures."
        )
        started = time.monotonic()
        progress = Progress(stream=self.stderr._out, enabled=not no_progress)
        result = Generator(spec, seed, progress).run()
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<14} {count:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Terminé en {time.monotonic() - started:.1f} s (préfixe des identifiants : "
                f"{result.tag})."
            )
        )
