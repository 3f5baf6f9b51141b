import threading

import pytest
from django.db import connection

from agencies.models import Role
from readiness import services
from readiness.models import ReadinessVisit


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_saves_of_the_same_version_through(tenant):
    visit = services.visit_create(user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(role: Role, text: str) -> None:
        try:
            start.wait(timeout=10)
            services.visit_save_draft(
                user=tenant.user(role),
                visit=ReadinessVisit.objects.get(pk=visit.pk),
                data={"barriers": text},
                expected_version=1,
            )
            outcomes[text] = "saved"
        except services.VisitConflict:
            outcomes[text] = "conflict"
        except Exception as exc:
            outcomes[text] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(Role.STATE_TRAINER, "trainer")),
        threading.Thread(target=save, args=(Role.STATE_ADMIN, "admin")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = sorted(outcomes.values())
    # Never two saves of one version: one wins, the other is refused and writes nothing.
    assert results.count("saved") == 1, results
    if connection.vendor == "postgresql":
        assert results == ["conflict", "saved"]  # the row lock makes the loser wait, then see
    else:
        # The tests' shared in-memory SQLite refuses the loser at once ("table is locked")
        # where a file database in WAL mode would make it wait and then see the conflict.
        loser = next(r for r in results if r != "saved")
        assert loser == "conflict" or "locked" in loser, loser
    visit.refresh_from_db()
    winner = next(text for text, result in outcomes.items() if result == "saved")
    assert visit.barriers == winner and visit.version == 2
