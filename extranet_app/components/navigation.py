"""The navigation of each space. A section is listed here only once it really works."""

from extranet_app.components.shell import NavItem

_RENTAL_MANAGEMENT = "Gestion locative"
_COMMUNICATION = "Communication"
_ADMINISTRATION = "Administration"

AGENCY_NAV = [
    NavItem("Accueil", "/agence", "house"),
    NavItem("Encaissements", "/agence/paiements", "banknote", group=_RENTAL_MANAGEMENT),
    NavItem("Gestion des accès", "/agence/acces", "key-round", group=_COMMUNICATION),
    NavItem("Centre d'envoi", "/agence/envois", "send", group=_COMMUNICATION),
    NavItem("Journal", "/agence/journal", "scroll-text", group=_ADMINISTRATION, admin_only=True),
]
TENANT_NAV = [
    NavItem("Accueil", "/locataire", "house"),
    NavItem("Loyers impayés", "/locataire/loyers-impayes", "wallet"),
    NavItem("Porte-documents", "/locataire/documents", "folder-open"),
]
OWNER_NAV = [
    NavItem("Accueil", "/proprietaire", "house"),
    NavItem("Porte-documents", "/proprietaire/documents", "folder-open"),
]
