"""The navigation of each space. A section is listed here only once it really works."""

from extranet_app.components.shell import NavItem

_RENTAL_MANAGEMENT = "Gestion locative"
_COMMUNICATION = "Communication"
_DATA = "Données"
_ADMINISTRATION = "Administration"

AGENCY_NAV = [
    NavItem("Accueil", "/agence", "house"),
    NavItem("Encaissements", "/agence/paiements", "banknote", group=_RENTAL_MANAGEMENT),
    NavItem(
        "Rapports de gestion", "/agence/rapports", "file-chart-column", group=_RENTAL_MANAGEMENT
    ),
    NavItem("Dépenses propriétaires", "/agence/depenses", "receipt-euro", group=_RENTAL_MANAGEMENT),
    NavItem("Documents", "/agence/documents", "files", group=_RENTAL_MANAGEMENT),
    NavItem("Documents reçus", "/agence/documents-recus", "inbox", group=_RENTAL_MANAGEMENT),
    NavItem("Documents à fournir", "/agence/demandes", "file-check", group=_RENTAL_MANAGEMENT),
    NavItem("Messages", "/agence/messages", "messages-square", group=_COMMUNICATION),
    NavItem("Gestion des accès", "/agence/acces", "key-round", group=_COMMUNICATION),
    NavItem("Centre d'envoi", "/agence/envois", "send", group=_COMMUNICATION),
    NavItem("Actualités", "/agence/actualites", "newspaper", group=_COMMUNICATION),
    NavItem("Import", "/agence/import", "file-up", group=_DATA),
    NavItem("Données", "/agence/donnees", "database", group=_DATA),
    NavItem("Journal", "/agence/journal", "scroll-text", group=_ADMINISTRATION, admin_only=True),
    NavItem("Paramètres", "/agence/parametres", "settings", group=_ADMINISTRATION, admin_only=True),
    NavItem("Équipe", "/agence/equipe", "users", group=_ADMINISTRATION, admin_only=True),
]
TENANT_NAV = [
    NavItem("Tableau de bord", "/locataire", "layout-dashboard"),
    NavItem("Loyers impayés", "/locataire/loyers-impayes", "wallet"),
    NavItem("Quittances de loyers", "/locataire/quittances", "receipt"),
    NavItem("Facturations", "/locataire/facturations", "file-text"),
    NavItem("Porte-documents", "/locataire/documents", "folder-open"),
    NavItem("Documents à fournir", "/locataire/documents-a-fournir", "file-check"),
    NavItem("Documents envoyés", "/locataire/documents-envoyes", "send"),
    NavItem("Messagerie", "/locataire/messages", "messages-square"),
    NavItem("Actualités", "/locataire/actualites", "newspaper"),
]
OWNER_NAV = [
    NavItem("Tableau de bord", "/proprietaire", "layout-dashboard"),
    NavItem("Porte-documents", "/proprietaire/documents", "folder-open"),
    NavItem("Rapport de gestion", "/proprietaire/rapports", "chart-column"),
    NavItem("Suivi des locations", "/proprietaire/locations", "building-2"),
    NavItem("Documents à fournir", "/proprietaire/documents-a-fournir", "file-check"),
    NavItem("Envoi de documents", "/proprietaire/envoi-documents", "file-up"),
    NavItem("Documents envoyés", "/proprietaire/documents-envoyes", "send"),
    NavItem("Messagerie", "/proprietaire/messages", "messages-square"),
    NavItem("Actualités", "/proprietaire/actualites", "newspaper"),
]
