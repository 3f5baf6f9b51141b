"""Writes of fidelity reviews: plan a review, rate independently and submit, record the
consensus, finalize. Pages, the API and tasks call these; each checks the user's right."""

from fidelity.services.reviews import (
    EARLIEST_VISIT,
    MAX_VISIT_DAYS,
    RatingsNotOnScale,
    ReviewStale,
    ReviewStateError,
    consensus_complete,
    consensus_save,
    my_ratings_save,
    my_ratings_submit,
    review_create,
    review_finalize,
    review_start,
)

__all__ = [
    "EARLIEST_VISIT",
    "MAX_VISIT_DAYS",
    "RatingsNotOnScale",
    "ReviewStale",
    "ReviewStateError",
    "consensus_complete",
    "consensus_save",
    "my_ratings_save",
    "my_ratings_submit",
    "review_create",
    "review_finalize",
    "review_start",
]
