"""An issued invoice's documents: made once, and a recorded failure forgotten once made."""

from pathlib import Path

import pytest

from backoffice.services.delivery import documents
from backoffice.services.delivery.storage import LocalStorage
from backoffice.services.errors import DomainError
from models import DocumentKind


class CountingRenderer:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, invoice) -> bytes:
        self.calls += 1
        return f"%PDF {invoice.reference}".encode()


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path)


def test_a_document_is_made_once_and_served_as_stored(session, issued, storage):
    render = CountingRenderer()
    first = documents.ensure_invoice_pdf(session, storage, issued.id, render)
    again = documents.ensure_invoice_pdf(session, storage, issued.id, render)
    assert render.calls == 1 and again.id == first.id
    assert storage.get(first.storage_key) == f"%PDF {issued.reference}".encode()


def test_a_document_made_after_a_failure_forgets_that_failure_only(session, issued, storage):
    documents.record_failure(session, issued.id, "rendering took longer than 120 seconds")
    documents.record_failure(session, issued.id, "no buyer address", DocumentKind.UBL)

    documents.ensure_invoice_pdf(session, storage, issued.id, CountingRenderer())

    assert documents.find_failure(session, issued.id) is None
    ubl = documents.find_failure(session, issued.id, DocumentKind.UBL)
    assert ubl is not None and ubl.error == "no buyer address"


def test_a_draft_has_no_document(session, draft, storage):
    render = CountingRenderer()
    with pytest.raises(DomainError, match="not issued"):
        documents.ensure_invoice_pdf(session, storage, draft.id, render)
    with pytest.raises(DomainError, match="not issued"):
        documents.ensure_invoice_pdf(session, storage, 999_999_999, render)
    assert render.calls == 0
