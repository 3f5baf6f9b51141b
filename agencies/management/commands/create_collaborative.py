from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from agencies.models import US_STATE_CHOICES, BillingScheme
from agencies.services import collaborative_bootstrap


class Command(BaseCommand):
    help = (
        "Set up a new state collaborative and email an invitation to its first state admin, "
        "who then invites everyone else from the portal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="e.g. 'Missouri IPS Collaborative'")
        parser.add_argument("--slug", required=True, help="short unique id, e.g. 'missouri'")
        parser.add_argument("--state", required=True, choices=[c for c, _ in US_STATE_CHOICES])
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--time-zone", default="America/Chicago")
        parser.add_argument(
            "--billing-scheme", default=BillingScheme.NONE, choices=BillingScheme.values
        )

    def handle(self, *args, **options):
        from django.conf import settings

        try:
            collaborative, invitation, token = collaborative_bootstrap(
                name=options["name"],
                slug=options["slug"],
                state=options["state"],
                admin_email=options["admin_email"],
                time_zone=options["time_zone"],
                billing_scheme=options["billing_scheme"],
            )
        except ValidationError as exc:
            messages = [f"{field}: {'; '.join(errs)}" for field, errs in exc.message_dict.items()]
            raise CommandError("Nothing was created. " + " ".join(messages)) from exc
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "invitation_accept", kwargs={"token": token}
        )
        self.stdout.write(self.style.SUCCESS(f"Created {collaborative.name}."))
        self.stdout.write(
            f"An invitation was emailed to {invitation.email}. The link, valid for 14 days:\n"
            f"  {link}"
        )
