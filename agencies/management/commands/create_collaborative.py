from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from agencies.models import US_STATE_CHOICES, BillingScheme
from agencies.services import collaborative_bootstrap, invitation_link_renew


class Command(BaseCommand):
    help = (
        "Set up a new state collaborative and invite its first state admin, who then invites "
        "everyone else from the portal. The invitation is emailed by a worker; with "
        "--no-email its one-time link is printed here instead."
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
        parser.add_argument(
            "--no-email",
            action="store_true",
            help="Do not email the invitation: print its one-time link to hand over yourself.",
        )

    def handle(self, *args, **options):
        try:
            collaborative, invitation = collaborative_bootstrap(
                name=options["name"],
                slug=options["slug"],
                state=options["state"],
                admin_email=options["admin_email"],
                time_zone=options["time_zone"],
                billing_scheme=options["billing_scheme"],
                send=not options["no_email"],
            )
        except ValidationError as exc:
            messages = [f"{field}: {'; '.join(errs)}" for field, errs in exc.message_dict.items()]
            raise CommandError("Nothing was created. " + " ".join(messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {collaborative.name}."))
        if options["no_email"]:
            token = invitation_link_renew(invitation)
            link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
                "invitation_accept", kwargs={"token": token}
            )
            self.stdout.write(
                f"Give this one-time link to {invitation.email} (valid for 14 days):\n  {link}"
            )
        else:
            self.stdout.write(
                f"An invitation to {invitation.email} is in the outbox: a worker emails it "
                "with a one-time link, valid for 14 days."
            )
