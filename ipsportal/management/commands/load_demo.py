from django.core.management.base import BaseCommand

from agencies.demo import DEMO_PASSWORD
from agencies.models import Collaborative
from ipsportal.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the fictional demo data of every app: collaboratives, agencies, a user per role, "
        "readiness visits (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load when the database has no collaborative yet (first start).",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Collaborative.objects.exists():
            self.stdout.write("Demo data: the database already has data; nothing loaded.")
            logins = (
                load_demo() if Collaborative.objects.filter(slug="show-me-ips").exists() else []
            )
        else:
            logins = load_demo()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if logins:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            width = max(len(x.email) for x in logins)
            for login in logins:
                self.stdout.write(
                    f"  {login.email:<{width}}  {login.role:<22} {login.collaborative}"
                    f"  [{login.agencies}]"
                )
