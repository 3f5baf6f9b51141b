"""Install a fidelity scale version from a JSON file (see ``fidelity.scale_install`` for the
format). Without --collaborative it installs a standard scale (every collaborative may use
it); with --collaborative <slug>, that collaborative's adapted scale. Reviews keep the scale
version they were scored on.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Collaborative
from fidelity.models import FidelityScale
from fidelity.scale_install import ScaleDefinitionError, install_scale


class Command(BaseCommand):
    help = "Install a fidelity scale version (standard, or a collaborative's adapted scale)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The scale definition (JSON).")
        parser.add_argument("--collaborative", help="Slug of the collaborative it is for.")

    def handle(self, *args, path: str, collaborative: str | None = None, **options):
        try:
            definition = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        owner = None
        if collaborative:
            owner = Collaborative.objects.filter(slug=collaborative).first()
            if owner is None:
                raise CommandError(f"No collaborative with the slug {collaborative!r}.")
        before = FidelityScale.objects.count()
        try:
            scale = install_scale(definition, collaborative=owner)
        except ScaleDefinitionError as exc:
            raise CommandError(
                "The scale was not installed:\n" + "\n".join(f"- {p}" for p in exc.problems)
            ) from exc
        created = FidelityScale.objects.count() > before
        verb = "Installed" if created else "Already installed:"
        self.stdout.write(f"{verb} {scale} with {scale.items.count()} items")
