"""Install a readiness checklist version from a JSON file.

Without --collaborative it installs a standard version (shared by every collaborative); with
--collaborative <slug> it installs that collaborative's adaptation. New visits use the newest
active version; visits already made keep theirs.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Collaborative
from readiness.services import checklist_install


class Command(BaseCommand):
    help = "Install a readiness checklist version (standard, or a collaborative's adaptation)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The checklist definition (JSON).")
        parser.add_argument("--collaborative", help="Slug of the collaborative it adapts for.")

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
        try:
            checklist, created = checklist_install(definition=definition, collaborative=owner)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        verb = "Installed" if created else "Already installed:"
        self.stdout.write(f"{verb} {checklist}")
