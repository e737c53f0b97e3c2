"""The authorization policy, as one table: who may do what to person A's objects.

Each row names a resource and an action and the roles that are ALLOWED; every other role is
denied. The matrix test crosses the table with the ten roles below. "Person A" is tenant A
(Camille) on the tenant side and owner A on the owner side; the co-tenant shares tenant A's
lease; the deactivated user is a former co-tenant of lease A whose login was switched off; the
preview is agency staff looking at person A's space through the read-only Aperçu (what that
read-only identity may do there; the same tab's agency handlers act as staff, the staff row).
Listing is "seeing A's row in a list"; a denied list simply does not show it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    TENANT_A = "tenant_a"
    TENANT_B = "tenant_b"
    CO_TENANT = "co_tenant"
    OWNER_A = "owner_a"
    OWNER_B = "owner_b"
    STAFF = "staff"
    ADMIN = "admin"
    DEACTIVATED = "deactivated"
    PREVIEW = "preview"


R = Role
HOUSEHOLD_A = {R.TENANT_A, R.CO_TENANT}
AGENCY = {R.STAFF, R.ADMIN}
READERS_A = HOUSEHOLD_A | AGENCY | {R.PREVIEW}  # the preview reads what person A reads

# Whose space the Aperçu opens for the rows of a resource (tenant A's unless listed here).
OWNER_SIDE = {"management_reports", "owner_uploads", "mandate_documents"}

# (resource, action) -> roles allowed. Everything not listed for a role is denied.
POLICY: dict[tuple[str, str], set[Role]] = {
    # Leases: the household sees its lease, the owner its lot's tenancy, the agency everything.
    ("leases", "list"): READERS_A | {R.OWNER_A},
    ("leases", "change"): AGENCY,  # record a payment on lease A (Encaissements)
    # Rent calls (appels de loyer) and the unpaid ones (Loyers impayés).
    ("rent_calls", "list"): READERS_A,
    # Quittances and reçus: listed and issued in the tenant space, downloaded by the agency too.
    ("receipts", "list"): HOUSEHOLD_A | {R.PREVIEW},
    ("receipts", "create"): HOUSEHOLD_A | {R.PREVIEW},
    ("receipts", "download"): READERS_A,
    # Avis d'échéance and invoices.
    ("invoices", "list"): HOUSEHOLD_A | {R.PREVIEW},
    ("invoices", "create"): HOUSEHOLD_A | {R.PREVIEW},
    ("invoices", "download"): READERS_A,
    # Porte-documents: a lease document is shared with the household and the lot's owner.
    ("documents", "list"): READERS_A | {R.OWNER_A},
    ("documents", "download"): READERS_A | {R.OWNER_A},
    ("documents", "create"): AGENCY,
    ("documents", "delete"): AGENCY,
    # Owner A's mandate: never a tenant's business.
    ("mandate_documents", "download"): {R.OWNER_A, R.PREVIEW} | AGENCY,
    # Documents à fournir: asked of tenant A about lease A.
    # The request names tenant A: it stays theirs, not the co-tenant's.
    ("document_requests", "list"): {R.TENANT_A, R.PREVIEW} | AGENCY,
    ("document_requests", "create"): {R.TENANT_A},  # a file sent in answer (never in preview)
    ("document_requests", "change"): AGENCY,  # accepted by the agency
    # Uploads: what tenant A sent (Documents envoyés), and an owner's Envoi de documents.
    ("uploads", "list"): {R.TENANT_A, R.PREVIEW},
    ("uploads", "download"): {R.TENANT_A, R.PREVIEW} | AGENCY,
    ("owner_uploads", "create"): {R.OWNER_A},  # about lot A
    # Messagerie: tenant A's own conversation (personal, not shared with the co-tenant).
    ("conversations", "list"): {R.TENANT_A, R.PREVIEW} | AGENCY,
    ("conversations", "view"): {R.TENANT_A, R.PREVIEW} | AGENCY,
    ("conversations", "change"): AGENCY,  # status of the thread
    ("messages", "create"): {R.TENANT_A} | AGENCY,  # a reply in that conversation
    # Rapport de gestion of owner A.
    ("management_reports", "list"): {R.OWNER_A, R.PREVIEW},
    ("management_reports", "view"): {R.OWNER_A, R.PREVIEW},
    ("management_reports", "create"): AGENCY,  # publish a period
    # Actualités of building A: its tenants and owners, and the agency that writes them.
    ("news", "list"): READERS_A | {R.OWNER_A},
    ("news", "view"): HOUSEHOLD_A | {R.OWNER_A, R.PREVIEW},
    ("news", "download"): HOUSEHOLD_A | {R.OWNER_A, R.PREVIEW} | AGENCY,  # its image
    ("news", "create"): AGENCY,
    ("news", "change"): AGENCY,
    # Agency back office.
    ("outbox", "list"): AGENCY,
    ("outbox", "view"): AGENCY,
    ("outbox", "change"): AGENCY,  # cancel an e-mail
    ("audit_journal", "list"): {R.ADMIN},
    ("access_management", "list"): AGENCY,
    ("access_management", "change"): AGENCY,  # switch a login off
    ("staff_accounts", "list"): {R.ADMIN},
    ("staff_accounts", "create"): {R.ADMIN},
    # Mon compte: one's own login sessions only (an Aperçu never touches them).
    ("login_sessions", "list"): {R.TENANT_A},
    ("login_sessions", "change"): {R.TENANT_A},  # end one of them
    # A lost phone: only an agency admin switches someone's second factor off.
    ("two_factor", "change"): {R.ADMIN},
    ("staff_two_factor", "change"): {R.ADMIN},  # require it of every staff member
    # RGPD: tenant A's data as a zip (their own export, or the agency answering their request),
    # and anonymisation (administrators only).
    ("personal_data", "download"): {R.TENANT_A, R.PREVIEW} | AGENCY,
    ("personal_data", "delete"): {R.ADMIN},
    ("personal_data_agency", "download"): AGENCY,
    # Dépenses propriétaires on lot A: the agency's bookkeeping (owners read them in reports).
    ("owner_expenses", "list"): AGENCY,
    ("owner_expenses", "create"): AGENCY,
    ("owner_expenses", "delete"): AGENCY,  # the agency's export route (HTTP only)
    ("import", "create"): AGENCY,  # a dry run of a CSV import
    ("data_screens", "list"): AGENCY,
    ("data_screens", "download"): AGENCY,  # CSV export
    ("agency_logo", "download"): set(Role),  # the login page shows it to everyone
}


def cases() -> list[tuple[Role, str, str, bool]]:
    """Every (role, resource, action, allowed) the matrix checks."""
    return [
        (role, resource, action, role in allowed)
        for (resource, action), allowed in POLICY.items()
        for role in Role
    ]


# The same rules seen from single event handlers, called with forged arguments: who gets person
# A's object out of THIS handler (its space's gate decides first; the Aperçu tab carries the
# staff cookie, so in an agency handler it is staff).
HANDLER_POLICY: dict[str, set[Role]] = {
    "tenant_news.open_item": HOUSEHOLD_A | {R.PREVIEW},
    "owner_news.open_item": {R.OWNER_A},  # the preview opens tenant A's space here
    "tenant_messages.open_thread": {R.TENANT_A, R.PREVIEW},
    "tenant_receipts.download": HOUSEHOLD_A | {R.PREVIEW},
    "agency_outbox.open_preview": AGENCY | {R.PREVIEW},
}
