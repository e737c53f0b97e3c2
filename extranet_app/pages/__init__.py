"""One module per page, each with the state it needs beside it. Importing registers the page."""

from extranet_app.pages import agency_home, index, login, owner_home, space_choice, tenant_home

__all__ = ["agency_home", "index", "login", "owner_home", "space_choice", "tenant_home"]
