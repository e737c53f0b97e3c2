"""The Messagerie queries on PostgreSQL: the inbox search (ILIKE), unread counts, activity."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from extranet_app.db import make_engine
from extranet_app.services import messaging
from extranet_app.services import messaging_inbox as inbox
from extranet_app.services.auth import Space
from extranet_app.services.messaging_inbox import InboxQuery
from extranet_app.settings import get_settings
from tests.conftest import migrate_to_head
from tests.messaging_support import NOON, TODAY, make_world, photo


def test_inbox_search_unread_and_activity_work_on_postgresql(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()  # the attachment goes to this test's folder
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            world = make_world(session)
            thread_id = messaging.start_conversation(
                session=session,
                user=world.tenant_login,
                space=Space.TENANT,
                subject="Fuite d'eau",
                category="intervention",
                text="Bonjour",
                files=[photo()],
                today=TODAY,
                now=NOON,
            )
            messaging.staff_reply(
                session=session,
                actor=world.staff,
                thread_id=thread_id,
                text="Réponse",
                now=NOON + timedelta(minutes=5),
            )
            found = inbox.list_inbox(
                session=session, actor=world.staff, query=InboxQuery(search="FUITE")
            )
            by_name = inbox.list_inbox(
                session=session, actor=world.staff, query=InboxQuery(search="camille d")
            )
            assert (
                [line.subject for line in found.lines]
                == ["Fuite d'eau"]
                == [line.subject for line in by_name.lines]
            )
            tenant = messaging.activity(
                session=session, user=world.tenant_login, space=Space.TENANT
            )
            assert tenant.unread == 1
            assert (
                messaging.unread_count(session=session, user=world.staff, space=Space.AGENCY) == 0
            )
    finally:
        engine.dispose()
        monkeypatch.undo()
        get_settings.cache_clear()
