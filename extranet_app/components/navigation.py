"""The navigation of each space. A section is listed here only once it really works."""

from extranet_app.components.shell import NavItem

AGENCY_NAV = [NavItem("Accueil", "/agence", "house")]
TENANT_NAV = [NavItem("Accueil", "/locataire", "house")]
OWNER_NAV = [NavItem("Accueil", "/proprietaire", "house")]
