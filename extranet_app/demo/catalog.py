"""Fixed material of the demo agency: names, buildings, staff and the demo logins."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "Demo-Extranet-2026"  # noqa: S105  (published demo password, never in production)
DEMO_DOMAIN = "demo.extranet.fr"
AGENCY_LOGIN = f"agence@{DEMO_DOMAIN}"
TENANT_LOGIN = f"locataire@{DEMO_DOMAIN}"
OWNER_LOGIN = f"proprietaire@{DEMO_DOMAIN}"
MIXED_LOGIN = f"mixte@{DEMO_DOMAIN}"
# Reserved domains (RFC 2606): a misconfigured outbox can never write to a real person.
PERSON_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class StaffMember:
    email: str
    first_name: str
    last_name: str
    is_admin: bool


@dataclass(frozen=True)
class Building:
    name: str
    street: str
    postal_code: str
    city: str
    lot_count: int
    rent_per_m2_cents: int  # the going monthly rent of a two-room flat in this street
    shops: int = 0
    offices: int = 0
    parkings: int = 0
    houses: bool = False


STAFF = (
    StaffMember(AGENCY_LOGIN, "Sophie", "Lambert", is_admin=True),
    StaffMember(f"claire.martin@{DEMO_DOMAIN}", "Claire", "Martin", is_admin=False),
    StaffMember(f"julien.moreau@{DEMO_DOMAIN}", "Julien", "Moreau", is_admin=False),
)

# 15 buildings, 120 lots in all.
BUILDINGS = (
    Building(
        "Résidence Les Tilleuls", "24 rue Vendôme", "69006", "Lyon", 14, 1650, shops=1, parkings=3
    ),
    Building(
        "Le Carré Saxe",
        "112 avenue Maréchal de Saxe",
        "69003",
        "Lyon",
        12,
        1500,
        shops=1,
        parkings=2,
    ),
    Building("Les Terrasses de la Croix-Rousse", "8 rue d'Austerlitz", "69004", "Lyon", 10, 1550),
    Building("Villa Montchat", "37 rue Julien", "69003", "Lyon", 10, 1400, parkings=2),
    Building("Le Jean Macé", "15 rue de Marseille", "69007", "Lyon", 9, 1450, shops=1),
    Building("Résidence Bellecour", "5 rue Gasparin", "69002", "Lyon", 9, 1750, offices=1),
    Building(
        "Les Jardins de Gerland", "250 avenue Jean Jaurès", "69007", "Lyon", 8, 1350, parkings=2
    ),
    Building(
        "Le Gratte-Ciel", "41 avenue Henri Barbusse", "69100", "Villeurbanne", 8, 1300, shops=1
    ),
    Building(
        "Résidence Charpennes",
        "9 rue Francis de Pressensé",
        "69100",
        "Villeurbanne",
        8,
        1250,
        parkings=2,
    ),
    Building("Le Monplaisir", "118 avenue des Frères Lumière", "69008", "Lyon", 7, 1300, shops=1),
    Building("Les Hauts de Vaise", "21 rue de la Claire", "69009", "Lyon", 7, 1250),
    Building("Le Brotteaux", "63 boulevard des Belges", "69006", "Lyon", 6, 1700, parkings=1),
    Building("Résidence Tonkin", "14 rue du Tonkin", "69100", "Villeurbanne", 5, 1200),
    Building("Les Pentes", "3 montée de la Grande Côte", "69001", "Lyon", 4, 1500),
    Building("Maisons du Parc", "27 rue Léon Blum", "69100", "Villeurbanne", 3, 1150, houses=True),
)

FEMALE_FIRST_NAMES = (
    "Camille", "Nathalie", "Isabelle", "Sandrine", "Julie", "Marie", "Émilie", "Céline", "Aurélie",
    "Sophie", "Chloé", "Léa", "Manon", "Inès", "Sarah", "Laura", "Pauline", "Hélène", "Anne",
    "Valérie", "Christine", "Élodie", "Mélanie", "Océane", "Jeanne", "Louise", "Agnès", "Brigitte",
    "Martine", "Monique", "Françoise", "Nadia", "Fatima", "Yasmine", "Lucie", "Margaux", "Clémence",
    "Justine", "Anaïs", "Noémie",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Thomas", "Philippe", "Nicolas", "Julien", "Sébastien", "Pierre", "Antoine", "Maxime", "Hugo",
    "Lucas", "Mathieu", "Alexandre", "Guillaume", "Romain", "Olivier", "Laurent", "Éric",
    "Frédéric", "Stéphane", "Christophe", "Jean", "Michel", "Alain", "Bernard", "Jérôme", "Damien",
    "Karim", "Mehdi", "Yannick", "François", "Benoît", "Cédric", "Vincent", "Arnaud", "Gaël",
    "Loïc", "Théo", "Baptiste", "Clément", "Raphaël",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Leroy", "Moreau", "Simon", "Laurent",
    "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier",
    "Robin", "Masson", "Sanchez", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand",
    "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Renaud", "Arnaud", "Giraud", "Benoît", "Bourgeois", "Chauvin", "Benali",
    "Haddad", "Nguyen", "Da Silva", "Ferreira", "Petit", "Vidal", "Caron", "Picard", "Rey",
)  # fmt: skip
OWNER_COMPANIES = ("SCI Les Tilleuls", "SCI Bellecour Patrimoine", "SCI Famille Chevalier")
TENANT_COMPANIES = (
    "Boulangerie Au Fournil des Pentes SARL",
    "Cabinet infirmier Lumière",
    "Librairie du Parc SAS",
    "Fleurs & Saisons SARL",
    "Pharmacie de Saxe SELARL",
    "Atelier Vélo Gerland SAS",
    "Cabinet d'architecture Volumes",
)
OWNER_ADDRESSES = (
    ("18 quai Saint-Vincent", "69001", "Lyon"),
    ("7 chemin des Vignes", "69130", "Écully"),
    ("45 avenue de la Libération", "69160", "Tassin-la-Demi-Lune"),
    ("12 rue des Acacias", "75017", "Paris"),
    ("3 avenue d'Albigny", "74000", "Annecy"),
    ("26 cours Berriat", "38000", "Grenoble"),
    ("9 rue Paradis", "13001", "Marseille"),
    ("55 route de Saint-Cyr", "69450", "Saint-Cyr-au-Mont-d'Or"),
    ("102 cours Émile Zola", "69100", "Villeurbanne"),
    ("6 place Carnot", "69002", "Lyon"),
)
