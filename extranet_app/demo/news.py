"""Actualités of the demo: one pinned item for everyone, items per audience, one for a building
(with a picture), one scheduled and one taken down; the demo tenant and owner read the first."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageDraw

from extranet_app.demo.catalog import OWNER_LOGIN, TENANT_LOGIN
from extranet_app.demo.world import DemoWorld
from extranet_app.models import NewsAudience, NewsItem, NewsRead
from extranet_app.services.formatting import format_date
from extranet_app.services.storage import store_bytes


@dataclass(frozen=True)
class DemoNews:
    """One item of the demo, in the Markdown subset the agency writes in."""

    audience: NewsAudience
    days_ago: int  # negative: scheduled
    title: str
    body: str
    pinned: bool = False
    property_id: int | None = None
    with_picture: bool = False
    unpublished_days_ago: int | None = None


def create_news(world: DemoWorld) -> None:
    """Publish the demo news and mark the welcome item read by the demo tenant and owner."""
    items = [_news_item(world, spec) for spec in _specs(world)]
    world.session.add_all(items)
    world.session.flush()
    welcome = items[0]
    for email in (TENANT_LOGIN, OWNER_LOGIN):
        reader = world.users_by_email[email]
        world.session.add(
            NewsRead(news_id=welcome.id, user_id=reader.id, read_at=world.days_ago(50, 19))
        )


def _specs(world: DemoWorld) -> list[DemoNews]:
    building = world.special_lots["tenant_flat"].building
    works_start = format_date(world.today + timedelta(days=21))
    closing_day = format_date(world.today + timedelta(days=9))
    return [
        DemoNews(NewsAudience.EVERYONE, 60, "Bienvenue sur votre extranet", (
            "Votre agence vous ouvre un **espace personnel sécurisé**, accessible à tout "
            "moment :\n\n- vos documents (bail, quittances, diagnostics) ;\n- le suivi de vos "
            "loyers ;\n- une messagerie directe avec votre gestionnaire."
        ), pinned=True),
        DemoNews(NewsAudience.TENANTS, 20, "Attestation d'assurance : pensez-y", (
            "Chaque année, votre bail vous demande de nous transmettre votre **attestation "
            "d'assurance habitation**. Déposez-la dans la rubrique *Documents à fournir*."
        )),
        DemoNews(NewsAudience.OWNERS, 35, "Revenus fonciers : votre récapitulatif annuel", (
            "Le récapitulatif annuel de votre gestion, utile pour votre déclaration de revenus "
            "fonciers (formulaire 2044), est disponible dans votre espace.\n\nToutes les "
            "informations officielles : [impots.gouv.fr](https://www.impots.gouv.fr)."
        )),
        DemoNews(NewsAudience.PROPERTY, 8, f"Ravalement de façade — {building.name}", (
            f"Les travaux de ravalement commencent le **{works_start}** pour six semaines "
            "environ. Un échafaudage sera installé côté rue.\n\n- Fermez vos fenêtres pendant "
            "le nettoyage.\n- Libérez les balcons."
        ), property_id=building.id, with_picture=True),
        DemoNews(NewsAudience.EVERYONE, 3, "Fermeture exceptionnelle de l'agence", (
            f"L'agence sera fermée le **{closing_day}**. En cas d'urgence, écrivez-nous par la "
            "messagerie : nous vous répondrons dès le lendemain."
        )),
        DemoNews(NewsAudience.OWNERS, -5, "Assemblées générales de copropriété", (
            "Le calendrier des assemblées générales de l'année sera publié ici."
        )),
        DemoNews(NewsAudience.TENANTS, 15, "Collecte des encombrants", (
            "La collecte prévue a été reportée par la métropole."
        ), unpublished_days_ago=12),
    ]  # fmt: skip


def _news_item(world: DemoWorld, spec: DemoNews) -> NewsItem:
    published = world.days_ago(spec.days_ago, hour=8, minute=30)
    written = min(published, world.days_ago(max(spec.days_ago, 1) + 1))
    unpublished = spec.unpublished_days_ago
    return NewsItem(
        title=spec.title,
        body=spec.body,
        audience=spec.audience,
        property_id=spec.property_id,
        publish_at=published,
        unpublished_at=None if unpublished is None else world.days_ago(unpublished, hour=17),
        pinned=spec.pinned,
        image_key=_facade_picture() if spec.with_picture else None,
        created_by_id=world.admin.id,
        created_at=written,
        updated_at=written,
    )


def _facade_picture() -> str:
    """A drawn building behind scaffolding, stored privately like any news picture."""
    image = Image.new("RGB", (640, 320), "#dbe7f3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((160, 60, 480, 320), fill="#e9dcc6", outline="#8a7a5c", width=3)
    for row in range(4):
        for column in range(4):
            left, top = 190 + column * 74, 90 + row * 56
            draw.rectangle((left, top, left + 40, top + 34), fill="#7fa6c9")
    for x in range(140, 520, 60):  # the scaffolding
        draw.line((x, 40, x, 320), fill="#c0392b", width=4)
    for y in range(60, 320, 50):
        draw.line((140, y, 500, y), fill="#c0392b", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return store_bytes(data=buffer.getvalue(), extension="png").storage_key
