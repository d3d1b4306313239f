"""What a reader picks from a request: the parts of its PDF report, each with the catalogue key
of its label, in the order the request page shows them."""

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
