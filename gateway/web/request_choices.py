"""What a reader picks from a request: the parts of its PDF report and the elements a copy
takes, each with the catalogue key of its label, in the order the request page shows them."""

from __future__ import annotations

# the parts of the service's report (services.requests.schemas.reports.PARTS)
REPORT_PART_LABELS = {
    "subject": "requests.list.report_labels.subject",
    "description": "requests.list.report_labels.description",
    "questions": "web.request_page.report_part_questions",
    "answers": "web.request_page.report_part_answers",
    "comments": "requests.list.report_labels.comments",
    "attachments": "requests.list.report_labels.attachments",
    "history": "requests.list.report_labels.history",
}

# what a copy may take (the service's CopySchema)
COPY_ELEMENT_LABELS = {
    "questions": "web.request_page.report_part_questions",
    "responder": "requests.list.report_labels.responding_authority",
    "subject": "requests.list.report_labels.subject",
    "description": "requests.list.report_labels.description",
}


def may_copy(actor: dict, shown: dict) -> bool:
    """Whether to offer the copy form: the service copies for the request handlers of the
    requesting authority only (``request.copy_not_allowed`` for the others)."""
    areas = {grant.get("area") for grant in actor.get("grants", ())
             if grant["right"] == "request_handler"}  # fmt: skip
    return actor.get("authority_id") == shown["requester"]["authority_id"] and bool(
        areas & {None, shown["area"]}
    )
