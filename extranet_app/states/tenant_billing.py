"""What the Quittances de loyers and Facturations states share: the lease filter, the pages,
the rows' ids kept on the server, and sending the browser to the download route.

The browser only ever names a lease or a row by its position in what it was shown; the ids
behind the positions live in backend-only vars, and the services check ownership again.
"""

from __future__ import annotations

import reflex as rx

from extranet_app.api.document_routes import DOWNLOAD_PREFIX, SPACE_QUERY
from extranet_app.services.auth import Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.tenant_billing import DocumentUnavailable, IssuedDocument
from extranet_app.states.downloads import download_script
from extranet_app.states.session import SessionState

ALL_LEASES = "tous"
NOT_FOUND = "Document introuvable."
READ_ONLY = "Action impossible pendant un aperçu."


def position_in(value: object, size: int) -> int | None:
    """A position sent by the browser, if it is a real index into a list of `size`."""
    if type(value) is not int:
        return None
    return value if 0 <= value < size else None


def open_download(document: IssuedDocument):
    """Have the browser download `document` through the one authenticated route, staying on
    the page (states/downloads.download_script)."""
    return download_script(
        f"{DOWNLOAD_PREFIX}{document.reference}?{SPACE_QUERY}={Space.TENANT.value}"
    )


def refusal_message(error: Exception) -> str:
    """The French toast for a document that cannot be issued."""
    if isinstance(error, DocumentUnavailable):
        return str(error)
    return NOT_FOUND


class TenantBillingState(SessionState, mixin=True):
    """A paginated list of the tenant's rent calls, filtered by lease (a mixin: each page
    gets its own copy of these vars and handlers)."""

    loaded: bool = False
    lease_options: list[str] = []
    lease: str = ALL_LEASES
    page: int = 1
    page_count: int = 1
    total: int = 0
    _lease_ids: list[int] = []
    _call_ids: list[int] = []

    async def _refresh(self) -> None:
        raise NotImplementedError

    def _lease_id(self) -> int | None:
        index = int(self.lease) if self.lease.isdigit() else None
        if index is None or index >= len(self._lease_ids):
            return None
        return self._lease_ids[index]

    def _clear(self) -> None:
        self.loaded = False
        self.lease_options, self._lease_ids, self._call_ids = [], [], []
        self.page, self.page_count, self.total = 1, 1, 0

    @rx.event
    async def set_lease(self, value: str):
        """Show one lease only (or all of them), from the first page."""
        valid = isinstance(value, str) and (
            value == ALL_LEASES or (value.isdigit() and int(value) < len(self._lease_ids))
        )
        self.lease = value if valid else ALL_LEASES
        self.page = 1
        await self._refresh()

    @rx.event
    async def next_page(self):
        """The next page of the list."""
        self.page = min(self.page + 1, self.page_count)
        await self._refresh()

    @rx.event
    async def previous_page(self):
        """The previous page of the list."""
        self.page = max(self.page - 1, 1)
        await self._refresh()

    @rx.var
    def pager_text(self) -> str:
        return f"Page {self.page} sur {self.page_count}"

    @rx.var
    def several_leases(self) -> bool:
        return len(self.lease_options) > 1


def is_refusal(error: Exception) -> bool:
    """Errors a download handler turns into a toast instead of a crash."""
    return isinstance(error, AccessDenied | DocumentUnavailable)
