"""One module per page, each with the state it needs beside it. Importing registers the page."""

from extranet_app.pages import (
    activation,
    agency_access,
    agency_home,
    agency_journal,
    agency_outbox,
    agency_payments,
    index,
    login,
    owner_documents,
    owner_home,
    password_reset,
    space_choice,
    tenant_arrears,
    tenant_documents,
    tenant_home,
)

__all__ = [
    "activation",
    "agency_access",
    "agency_home",
    "agency_journal",
    "agency_outbox",
    "agency_payments",
    "index",
    "login",
    "owner_documents",
    "owner_home",
    "password_reset",
    "space_choice",
    "tenant_arrears",
    "tenant_documents",
    "tenant_home",
]
