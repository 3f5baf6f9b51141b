"""The visit form's save answers: who saved and when, read properly; a refused save is never
reported as saved; the user's own newer save is told apart from a colleague's."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Role
from readiness import services
from tests.readiness.helpers import form_post

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
#: 12:54 PM on Dec 1 in the collaborative's time zone (America/Chicago).
NOON_ISH = datetime.datetime(2026, 12, 1, 12, 54, tzinfo=CHICAGO)


@pytest.fixture
def people(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    trainer.full_name = "Sam Trainer"
    trainer.save()
    admin = tenant.user(Role.STATE_ADMIN)
    admin.full_name = "Alex Admin"
    admin.save()
    assert tenant.collaborative.time_zone == "America/Chicago"
    return trainer, admin


def test_it_writes_a_moment_in_plain_capitalised_words(tenant):
    collaborative = tenant.collaborative
    with time_machine.travel(NOON_ISH, tick=False):
        assert collaborative.local_time_text(NOON_ISH) == "12:54 PM on Dec 1"
        morning = datetime.datetime(2026, 9, 7, 9, 5, tzinfo=CHICAGO)
        assert collaborative.local_time_text(morning) == "9:05 AM on Sep 7"
        last_year = datetime.datetime(2025, 3, 2, 23, 0, tzinfo=CHICAGO)
        assert collaborative.local_time_text(last_year) == "11:00 PM on Mar 2, 2025"
        assert collaborative.local_time_text(None) == ""


def test_it_answers_an_autosave_with_the_saved_text_the_page_shows(client, tenant, people):
    trainer, _ = people
    with time_machine.travel(NOON_ISH, tick=False):
        visit = services.visit_create(user=trainer, agency=tenant.agency)
        client.force_login(trainer)
        url = reverse("readiness:visit_autosave", args=[visit.pk])
        body = client.post(url, form_post(visit, rating_motivation="ready")).json()
        assert body["message"] == "Saved at 12:54 PM on Dec 1 by Sam Trainer"
        assert body["saved_at"] == "12:54 PM on Dec 1"
        assert body["version"] == 2 and body["saved_by_you"] is True
        page = client.get(reverse("readiness:visit_edit", args=[visit.pk])).content.decode()
    assert "Saved at 12:54 PM on Dec 1 by Sam Trainer</p>" in page
    assert f'data-user="{trainer.pk}" data-saved-by="{trainer.pk}"' in page


def test_it_confirms_a_saved_draft_in_a_capitalised_sentence(client, tenant, people):
    trainer, _ = people
    with time_machine.travel(NOON_ISH, tick=False):
        visit = services.visit_create(user=trainer, agency=tenant.agency)
        client.force_login(trainer)
        url = reverse("readiness:visit_edit", args=[visit.pk])
        response = client.post(url, form_post(visit, barriers="No budget"), follow=True)
    page = response.content.decode()
    assert "The draft was saved at 12:54 PM on Dec 1 by Sam Trainer." in page
    assert "sam trainer" not in page


def test_it_tells_a_colleagues_save_from_the_users_own_in_a_refused_autosave(
    client, tenant, people
):
    trainer, admin = people
    with time_machine.travel(NOON_ISH, tick=False):
        visit = services.visit_create(user=trainer, agency=tenant.agency)
        stale = form_post(visit, barriers="Typed on the tablet")
        url = reverse("readiness:visit_autosave", args=[visit.pk])
        client.force_login(trainer)

        # The trainer's own save (another tab) moved the visit on: refused, and said so.
        services.visit_save_draft(
            user=trainer, visit=visit, data={"facilitators": "From the laptop"}, expected_version=1
        )
        own = client.post(url, stale)
        assert own.status_code == 409
        body = own.json()
        assert body["saved_by_you"] is True and body["version"] == 2
        assert body["message"].startswith("You saved this visit at 12:54 PM on Dec 1 from another")
        assert "Sam Trainer saved" not in body["message"]

        # A colleague's save: refused, naming them.
        services.visit_save_draft(
            user=admin, visit=visit, data={"facilitators": "Admin was here"}, expected_version=2
        )
        other = client.post(url, {**stale, "version": "2"})
    assert other.status_code == 409
    body = other.json()
    assert body["saved_by_you"] is False and body["version"] == 3
    assert body["message"].startswith("Alex Admin saved this visit at 12:54 PM on Dec 1")
    visit.refresh_from_db()
    assert visit.barriers == "" and visit.facilitators == "Admin was here"


def test_it_says_in_the_status_bar_that_a_refused_save_was_not_saved(client, tenant, people):
    trainer, admin = people
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    stale = form_post(visit, barriers="The trainer's careful notes")
    services.visit_save_draft(
        user=admin, visit=visit, data={"facilitators": "Admin was here"}, expected_version=1
    )
    client.force_login(trainer)
    response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), stale)
    assert response.status_code == 409
    status = _status_bar(response.content.decode())
    assert status.startswith("Not saved: the visit was saved again since this page was opened")
    assert "copy them, then reload the page" in status
    assert "Saved at" not in status

    # The twin: the same form, from the latest version, is saved and the bar says so.
    fresh = client.get(reverse("readiness:visit_edit", args=[visit.pk]))
    assert _status_bar(fresh.content.decode()).startswith("Saved at ")


def test_it_says_in_the_status_bar_that_an_invalid_save_was_not_saved(client, tenant, people):
    trainer, _ = people
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    data = form_post(visit, **{"recipients-TOTAL_FORMS": "1", "recipients-0-email": "dana@"})
    response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 400
    assert _status_bar(response.content.decode()) == (
        "Not saved: fix the 1 problem listed at the top of the page, then save again."
    )


def _status_bar(page: str) -> str:
    start = page.index('id="save-status"')
    return page[page.index(">", start) + 1 : page.index("</p>", start)].strip()


def test_it_builds_on_the_save_the_previous_page_sent_as_it_was_left(client, tenant, people):
    trainer, admin = people
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    url = reverse("readiness:visit_autosave", args=[visit.pk])
    client.force_login(trainer)

    # The leaving save of the page before lands after the next page was read (at version 1).
    leaving = client.post(url, {**form_post(visit, barriers="Typed"), "save_id": "old-1"})
    assert leaving.status_code == 200 and leaving.json()["save_id"] == "old-1"
    page = client.get(reverse("readiness:visit_edit", args=[visit.pk])).content.decode()
    assert 'data-save-id="old-1"' in page

    # Without naming it, the new page's save is refused; naming it, it goes on top of it.
    stale = form_post(visit, barriers="Typed, and more")
    refused = client.post(url, {**stale, "version": "1", "save_id": "new-1"})
    assert refused.status_code == 409 and refused.json()["save_id"] == "old-1"
    saved = client.post(url, {**stale, "version": "1", "save_id": "new-2", "supersedes": "old-1"})
    assert saved.status_code == 200 and saved.json()["version"] == 3
    visit.refresh_from_db()
    assert visit.barriers == "Typed, and more"

    # A colleague's save in between is never built on, whatever the page names.
    services.visit_save_draft(
        user=admin, visit=visit, data={"facilitators": "Admin was here"}, expected_version=3
    )
    other = client.post(url, {**stale, "version": "3", "save_id": "new-3", "supersedes": "new-2"})
    assert other.status_code == 409
    assert other.json()["saved_by_you"] is False and other.json()["save_id"] == ""
    # Nor another save of the user's own that the page does not name.
    services.visit_save_draft(
        user=trainer, visit=visit, data={"facilitators": "From the laptop"}, expected_version=4
    )
    own = client.post(url, {**stale, "version": "4", "save_id": "new-4", "supersedes": "old-1"})
    assert own.status_code == 409 and own.json()["saved_by_you"] is True
    visit.refresh_from_db()
    assert visit.facilitators == "From the laptop"
