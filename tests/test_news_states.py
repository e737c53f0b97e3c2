"""The Actualités states, called directly as a malicious browser could call them."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import NewsAudience, NewsItem
from extranet_app.models.base import utcnow
from extranet_app.pages.agency_news import AgencyNewsState, format_publish_at, parse_publish_at
from extranet_app.pages.owner_news import OwnerNewsState
from extranet_app.pages.tenant_news import TenantNewsState
from extranet_app.services import auth, news
from extranet_app.services.news import NewsDraft
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate
from tests.test_documents import as_session_user
from tests.test_news import png_bytes


@pytest.fixture
def people(session):
    """A tenant, the owner of the building, staff, and three published items."""
    staff_user = make_user(session, email="agence@example.test", is_agency=True)
    tenant_user = make_user(session, email="tenant@example.test")
    owner_user = make_user(session, email="owner@example.test")
    tenant = make_tenant(session, user=tenant_user)
    owner = make_owner(session, user=owner_user)
    lot = make_lot(session, owner=owner)
    make_lease(session, lot=lot, tenants=[tenant], start_date=date(2024, 1, 1))
    session.commit()
    staff = as_session_user(staff_user)
    ids = {}
    for title, audience, pinned in (
        ("Bienvenue", NewsAudience.EVERYONE, True),
        ("Revenus fonciers", NewsAudience.OWNERS, False),
        ("Assurance habitation", NewsAudience.TENANTS, False),
    ):
        draft = NewsDraft(title, f"Texte de **{title}**", audience, pinned=pinned)
        ids[title] = news.create_news(session=session, actor=staff, draft=draft)
    tokens = {}
    for name, user in (("tenant", tenant_user), ("owner", owner_user), ("staff", staff_user)):
        with session_scope() as scoped:
            tokens[name] = auth.login(session=scoped, email=user.email, password=PASSWORD).token
    return {"tokens": tokens, "ids": ids, "property_id": lot.property_id}


async def test_tenant_list_shows_own_news_without_ids(people):
    root = state_tree(token=people["tokens"]["tenant"], path="/locataire/actualites")
    state = substate(root, TenantNewsState)
    await state.load()
    assert [card.title for card in state.items] == ["Bienvenue", "Assurance habitation"]
    assert state.unread_count == 2
    payload = browser_payload(root)
    assert "Revenus fonciers" not in payload
    assert people["tokens"]["tenant"] not in payload
    for secret in ('"id"', "image_key", "property_id", "user_id", "created_by"):
        assert secret not in payload
    assert re.search(r'"reference":\s*"[0-9a-f]{32}"', payload)


async def test_tenant_cannot_open_an_owners_item_by_its_reference(people):
    owners_only = news.news_reference(people["ids"]["Revenus fonciers"])
    root = state_tree(token=people["tokens"]["tenant"])
    state = substate(root, TenantNewsState)
    await state.load()
    result = await state.open_item(owners_only)
    assert result is not None  # a toast saying it is not available
    assert state.opened is None and state.reader_open is False
    assert "Revenus fonciers" not in browser_payload(root)
    for forged in ({"reference": owners_only}, 42, None, ["x"]):
        await state.open_item(forged)
        assert state.opened is None


async def test_tenant_handler_of_the_owner_page_gives_nothing(people):
    root = state_tree(token=people["tokens"]["tenant"])
    state = substate(root, OwnerNewsState)
    await state.load()
    await state.open_item(news.news_reference(people["ids"]["Revenus fonciers"]))
    assert state.items == [] and state.opened is None


async def test_opening_shows_the_sanitized_text_and_clears_the_unread_mark(people):
    root = state_tree(token=people["tokens"]["owner"])
    state = substate(root, OwnerNewsState)
    await state.load()
    assert state.unread_count == 2
    await state.open_item(state.items[1].reference)
    assert state.opened.title == "Revenus fonciers"
    assert state.opened.html == "<p>Texte de <strong>Revenus fonciers</strong></p>\n"
    assert state.reader_open is True
    assert [card.unread for card in state.items] == [True, False]
    assert state.unread_count == 1
    state.set_reader_open(False)
    assert state.opened is None


@pytest.mark.parametrize("token", ["", "forged-token"])
async def test_news_pages_give_nothing_without_a_live_session(people, token):
    root = state_tree(token=token)
    state = substate(root, TenantNewsState)
    await state.load()
    await state.open_item(news.news_reference(people["ids"]["Bienvenue"]))
    assert state.items == [] and state.opened is None


# --- The agency page ----------------------------------------------------------------------------


def _upload(data: bytes, name: str) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


async def test_agency_lists_every_item_with_status_and_no_ids(people):
    root = state_tree(token=people["tokens"]["staff"], path="/agence/actualites")
    state = substate(root, AgencyNewsState)
    await state.load()
    assert [line.title for line in state.lines] == [
        "Assurance habitation",
        "Revenus fonciers",
        "Bienvenue",
    ]
    assert {line.status_label for line in state.lines} == {"Publiée"}
    payload = browser_payload(root)
    assert '"id"' not in payload and "property_id" not in payload
    assert len(state.buildings) == 1


async def test_agency_publishes_a_building_item_with_a_picture(people, session):
    root = state_tree(token=people["tokens"]["staff"])
    state = substate(root, AgencyNewsState)
    await state.load()
    await state.new_item()
    state.set_title("Coupure d'eau")
    state.set_body("Mardi **de 9 h à 12 h**.\n\n<script>alert(1)</script>")
    assert "<strong>de 9 h à 12 h</strong>" in state.preview
    assert "<script>" not in state.preview
    state.set_audience(NewsAudience.PROPERTY.value)
    state.set_building("0")
    state.set_pinned(True)
    state.set_email(True)
    await state.save([_upload(png_bytes(), "coupure.png")])
    assert state.error == ""
    assert state.form_open is False
    item = session.exec(select(NewsItem).where(NewsItem.title == "Coupure d'eau")).one()
    assert item.property_id == people["property_id"]
    assert item.pinned and item.email_queued_at is not None
    assert item.image_key.endswith(".png")
    assert state.lines[0].title == "Coupure d'eau"


async def test_agency_form_refuses_a_bad_picture_and_keeps_what_was_typed(people, session):
    root = state_tree(token=people["tokens"]["staff"])
    state = substate(root, AgencyNewsState)
    await state.load()
    await state.new_item()
    state.set_title("Avec image")
    state.set_body("Texte")
    await state.save([_upload(b"%PDF-1.4 pas une image", "photo.png")])
    assert "n'est pas un fichier JPEG ou PNG" in state.error
    assert state.form_open and state.title == "Avec image"
    await state.save([_upload(png_bytes(), "a.png"), _upload(png_bytes(), "b.png")])
    assert state.error == "Une seule image par actualité."
    state.set_title("")
    await state.save([])
    assert state.error == "Donnez un titre à l'actualité."
    assert session.exec(select(NewsItem).where(NewsItem.title == "Avec image")).all() == []


async def test_agency_schedules_edits_and_unpublishes(people, session):
    root = state_tree(token=people["tokens"]["staff"])
    state = substate(root, AgencyNewsState)
    await state.load()
    position = [line.title for line in state.lines].index("Revenus fonciers")
    await state.edit_item(position)
    assert state.editing and state.title == "Revenus fonciers"
    assert state.audience == NewsAudience.OWNERS.value
    state.set_publish_at(format_publish_at(utcnow() + timedelta(days=7)))
    await state.save([])
    line = next(line for line in state.lines if line.title == "Revenus fonciers")
    assert line.status_label == "Programmée"
    position = [line.title for line in state.lines].index("Bienvenue")
    await state.unpublish(position)
    assert state.lines[position].status_label == "Dépubliée"
    await state.republish(position)
    assert state.lines[position].status_label == "Publiée"


@pytest.mark.parametrize("position", [-1, 99, "0", 1.0, {"i": 0}, None])
async def test_agency_handlers_refuse_forged_positions(people, session, position):
    root = state_tree(token=people["tokens"]["staff"])
    state = substate(root, AgencyNewsState)
    await state.load()
    await state.unpublish(position)
    await state.edit_item(position)
    assert state.form_open is False
    items = session.exec(select(NewsItem)).all()
    assert all(item.unpublished_at is None for item in items)


async def test_agency_setters_ignore_what_is_not_offered(people):
    root = state_tree(token=people["tokens"]["staff"])
    state = substate(root, AgencyNewsState)
    await state.load()
    state.set_audience("voisins")
    state.set_building("7")
    state.set_building({"id": 1})
    state.set_pinned("yes")
    state.set_title({"x": 1})
    assert state.audience == NewsAudience.EVERYONE.value
    assert state.building == "" and state.pinned is False and state.title == ""


@pytest.mark.parametrize("who", ["tenant", "owner"])
async def test_agency_page_does_nothing_for_tenants_and_owners(people, session, who):
    root = state_tree(token=people["tokens"][who])
    state = substate(root, AgencyNewsState)
    await state.load()
    assert state.lines == []
    state.form_open = True  # even with a form forced open by a forged delta
    state.set_title("Piratage")
    state.set_body("Texte")
    await state.save([])
    await state.unpublish(0)
    titles = {item.title for item in session.exec(select(NewsItem)).all()}
    assert "Piratage" not in titles
    assert all(item.unpublished_at is None for item in session.exec(select(NewsItem)).all())


def test_publish_date_is_read_in_paris_time():
    assert parse_publish_at("") is None
    moment = parse_publish_at("2026-07-14T08:30")
    assert moment.utcoffset() == timedelta(hours=2)
    assert format_publish_at(moment) == "2026-07-14T08:30"
    with pytest.raises(news.InvalidNews):
        parse_publish_at("14/07/2026")
