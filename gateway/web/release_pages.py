"""A Commission administrator releases a whole held batch of invitations in one step (the
directory's ``release_invitations`` with a ``batch_id``): every invitation of the batch still
held is sent now, those on other pages of the list too. The answer lists what was sent; it
is shown at once because it exists only in the directory's answer. The directory refuses
everyone but the Commission's administrators (a 403 page), and the held list offers the
batches only to them (gateway/web/directory_pages.py, ``releases``).
"""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import PAGE_SIZE
from gateway.web.forms import REQUIRED, FormSchema, read_form
from gateway.web.page import PageRoute, page
from services.directory.domain import InvitationStatus

PAGES = (PageRoute("directory_release_batch", "POST", "/directory/invitations/release-batch"),)


class BatchReleaseForm(FormSchema):
    batch_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9A-Za-z_-]{1,64}$", error="web.release_batch.unknown"),
        error_messages=REQUIRED,
    )


class ReleasePages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``directory``)."""

    @page
    def directory_release_batch(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        values, errors = read_form(BatchReleaseForm, form)
        if errors:
            held = {"page": 1, "status": InvitationStatus.HELD.value}
            listed = self.directory.list_invitations(actor, {**held, "page_size": PAGE_SIZE})
            return self._invitations_page(visit, listed, held, values={}, errors=errors,
                                          result=None, status=400)  # fmt: skip
        result = self.directory.release_invitations(actor, {"batch_id": values["batch_id"]})
        return visit.page("directory_released.html", result=result)
