"""More Messagerie for the demo logins: an intervention request with a photo from the tenant, a
repair quote the agency submits to the owner; then every demo thread gets its live markers.

Runs after demo/communication.py, which writes the first conversations.
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime

from sqlmodel import select

from extranet_app.demo.catalog import OWNER_LOGIN, TENANT_LOGIN
from extranet_app.demo.world import DemoWorld
from extranet_app.models import Message, Thread, ThreadCategory, ThreadStatus
from extranet_app.services.uploads import PNG, UploadBatch, check_upload

PHOTO_NAME = "volet-roulant-chambre.png"


def create_messaging(world: DemoWorld) -> None:
    """Add the demo's intervention with a photo and the owner's quote, then set the markers."""
    _shutter_intervention(world)
    _boiler_quote(world)
    world.session.flush()
    settle_thread_markers(world)


def _thread_with(world: DemoWorld, thread: Thread, said: list[tuple[str, datetime, str]]):
    """Persist a thread and its messages; returns the messages, in order."""
    thread.created_at, thread.last_message_at = said[0][1], said[-1][1]
    world.session.add(thread)
    world.session.flush()
    messages = [
        Message(
            thread_id=thread.id,
            author_id=world.users_by_email[email].id,
            body=body,
            created_at=at,
        )
        for email, at, body in said
    ]
    world.session.add_all(messages)
    world.session.flush()
    return messages


def _shutter_intervention(world: DemoWorld) -> None:
    flat = world.special_leases["tenant_flat"]
    tenant = world.users_by_email[TENANT_LOGIN]
    said = [
        (TENANT_LOGIN, world.days_ago(1, 18, 42), (
            "Bonjour,\nLe volet roulant de la chambre est bloqué à mi-hauteur depuis ce matin : "
            "la sangle s'est détachée. Je joins une photo.\nLa notice du fabricant est ici : "
            "https://www.service-public.fr/particuliers/vosdroits/F31301\nCamille Durand"
        )),
    ]  # fmt: skip
    thread = Thread(
        person_user_id=tenant.id,
        person_role="tenant",
        subject="Volet roulant bloqué dans la chambre",
        category=ThreadCategory.INTERVENTION,
        status=ThreadStatus.NEW,
        lease_id=flat.lease.id,
        lot_id=flat.lot_plan.lot.id,
        property_id=flat.lot_plan.building.id,
        created_by_id=tenant.id,
        person_last_read_at=said[-1][1],
    )
    [message] = _thread_with(world, thread, said)
    photo = check_upload(filename=PHOTO_NAME, data=demo_photo(), declared_type=PNG)
    UploadBatch(world.session).save(
        photo,
        message_id=message.id,
        lease_id=thread.lease_id,
        lot_id=thread.lot_id,
        property_id=thread.property_id,
        category="photo",
        source="locataire",
        title=PHOTO_NAME,
        uploaded_by_id=tenant.id,
        created_at=message.created_at,
    )


def _boiler_quote(world: DemoWorld) -> None:
    let_flat = world.special_lots["owner_let_flat"]
    owner, julien = OWNER_LOGIN, world.staff[2].email
    said = [
        (julien, world.days_ago(3, 10, 5), (
            f"Bonjour Monsieur Garnier,\nLe ballon d'eau chaude de l'appartement "
            f"{let_flat.lot.reference} ({let_flat.building.name}) est hors service. Le devis de "
            "remplacement s'élève à 1 180,00 € TTC. Nous donnez-vous votre accord ?\n"
            "Julien Moreau"
        )),
        (owner, world.days_ago(2, 20, 31), "Bonjour, c'est d'accord. Merci de faire vite."),
        (julien, world.days_ago(1, 9, 12), (
            "Merci. L'installateur intervient jeudi ; nous vous enverrons la facture avec le "
            "prochain compte rendu de gestion."
        )),
    ]  # fmt: skip
    thread = Thread(
        person_user_id=world.users_by_email[owner].id,
        person_role="owner",
        subject=f"Ballon d'eau chaude de l'appartement {let_flat.lot.reference}",
        category=ThreadCategory.INTERVENTION,
        status=ThreadStatus.IN_PROGRESS,
        lot_id=let_flat.lot.id,
        property_id=let_flat.building.id,
        assigned_to_id=world.staff[2].id,
        created_by_id=world.staff[2].id,
        person_last_read_at=said[1][1],  # the agency's last message is still unread
        agency_last_read_at=said[-1][1],
    )
    _thread_with(world, thread, said)


def settle_thread_markers(world: DemoWorld) -> None:
    """Give every demo thread the markers the services keep: its last change, and whether the
    person wrote after the agency last read it."""
    threads = world.session.exec(select(Thread)).all()
    for thread in threads:
        last = world.session.exec(
            select(Message)
            .where(Message.thread_id == thread.id, Message.is_internal_note.is_(False))
            .order_by(Message.id.desc())
        ).first()
        from_person = last is not None and last.author_id == thread.person_user_id
        read = thread.agency_last_read_at
        thread.agency_unread = from_person and (read is None or read < last.created_at)
        marks = [thread.last_message_at, thread.person_last_read_at, read, thread.closed_at]
        thread.updated_at = max(mark for mark in marks if mark is not None)


def demo_photo(width: int = 160, height: int = 120) -> bytes:
    """A small grey PNG with horizontal slats, standing in for a phone photo of the shutter."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    rows = []
    for y in range(height):
        shade = 90 if (y // 8) % 2 else 170
        if y > height // 2:  # the lower half: the window behind, lighter
            shade = 230
        rows.append(b"\x00" + bytes([shade]) * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
