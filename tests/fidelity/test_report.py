"""The fidelity report: a record document rendered by the worker when a review is final,
emailed with its PDF to the agency's supervisors, leaders and VR liaisons, served again
unchanged; it carries the consensus, never a reviewer's own evidence."""

import datetime

import time_machine
from django.core import mail

from agencies.models import Role
from fidelity import services
from fidelity.models import FidelityReview
from fidelity.reports import REPORT_KIND
from ipsportal import access
from ipsportal.models import Document
from tests.fidelity.test_reviews import NOW, keys, plan, sheet
from tests.readiness.test_report_pdf_layout import pdf_text, pdf_words

EVIDENCE = "Own evidence of the trainer only"


def _finalize(tenant, *, rating=4, start=None, summary="A good year for the team."):
    admin = tenant.user(Role.STATE_ADMIN)
    trainer, reviewer = tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)
    review = plan(tenant)
    if start:
        FidelityReview.objects.filter(pk=review.pk).update(visit_start=start, visit_end=start)
        review.refresh_from_db()
    own = {k: {"rating": rating, "evidence": EVIDENCE} for k in keys()}
    services.my_ratings_save(user=trainer, review=review, ratings=own, version=None)
    services.my_ratings_save(user=reviewer, review=review, ratings=sheet(rating), version=None)
    services.my_ratings_submit(user=trainer, review=review)
    services.my_ratings_submit(user=reviewer, review=review)
    consensus = {
        k: {
            "rating": rating,
            "rationale": f"Agreed on {k}",
            "recommendations": "Plan benefits counseling"
            if k == "work_incentives_planning"
            else "",
        }
        for k in keys()
    }
    review = services.consensus_save(
        user=admin, review=FidelityReview.objects.get(pk=review.pk), ratings=consensus, version=None
    )
    review = services.consensus_complete(user=admin, review=review)
    return services.review_finalize(user=admin, review=review, summary=summary, version=None)


@time_machine.travel(NOW)
def test_it_renders_the_report_once_and_emails_it_to_the_agencys_readers(
    tenant, django_capture_on_commit_callbacks, tmp_path
):
    _finalize(tenant, rating=3, start=datetime.date(2025, 5, 6))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = _finalize(tenant, rating=4)
    document = Document.objects.get(kind=REPORT_KIND, subject_id=review.pk)
    assert document.status == Document.Status.READY, document.error
    text = pdf_text(document.file.open("rb").read(), tmp_path)
    assert tenant.agency.name in text and "A good year for the team." in text
    assert "Good fidelity" in text and "100" in text
    assert "totalled 75" in text  # the previous final review
    assert "Plan benefits counseling" in text
    assert "Agreed on assertive_engagement" in text
    assert EVIDENCE not in text  # a reviewer's own evidence is not the report's
    assert text.count("up from 3") == 25
    to = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(
        tenant.user(r).email for r in (Role.IPS_SUPERVISOR, Role.AGENCY_LEADER, Role.VR_LIAISON)
    )
    assert to == expected
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    # Served again as it is: asking for it once more renders nothing.
    from ipsportal.services import record_document_publish

    again = record_document_publish(
        kind=REPORT_KIND, record=review, version=review.version, title="x", user=None
    )
    assert again.pk == document.pk and again.finished_at == document.finished_at
    # Whoever may read the review reads the report: a supervisor, not an outsider.
    assert access.current_record_document(tenant.user(Role.IPS_SUPERVISOR), REPORT_KIND, review)
    assert not access.current_record_document(
        tenant.other_agency_users[Role.IPS_SUPERVISOR], REPORT_KIND, review
    )


@time_machine.travel(NOW)
def test_it_keeps_each_item_row_whole_and_long_texts_in_full(
    tenant, django_capture_on_commit_callbacks, tmp_path
):
    long_summary = "Summary " + "w" * 3000
    with django_capture_on_commit_callbacks(execute=True):
        review = _finalize(tenant, summary=long_summary)
    data = Document.objects.get(kind=REPORT_KIND, subject_id=review.pk).file.open("rb").read()
    text = pdf_text(data, tmp_path)
    assert text.count("w") >= 3000
    words = pdf_words(data, tmp_path)
    assert all(w.x_max <= 612 for w in words), "a word runs past the page's edge"
    # Each item's rationale ("Agreed on <key>") is printed whole, on one page.
    for key in keys():
        at = [i for i, w in enumerate(words) if w.text == key]
        assert len(at) == 1, key
        agreed, on, found = words[at[0] - 2], words[at[0] - 1], words[at[0]]
        assert (agreed.text, on.text) == ("Agreed", "on"), key
        assert agreed.page == on.page == found.page, key
