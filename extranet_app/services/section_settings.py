"""The agency's switches for the sections of the tenant and owner spaces (administrators only).

Global switches are on or off; a building may follow them ("comme le réglage général") or
override them. Every change is journaled with its state before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from extranet_app.models import Property, SectionSetting
from extranet_app.models.base import utcnow
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space, require_admin
from extranet_app.services.errors import AccessDenied
from extranet_app.services.sections import SECTION_LABELS, SECTION_SPACES, is_section
from extranet_app.services.security import id_from_reference, opaque_reference

_REFERENCE_KIND = "property"


class SectionState(StrEnum):
    """A building's choice for one section."""

    INHERIT = "general"
    ON = "active"
    OFF = "desactive"


STATE_LABELS = {
    SectionState.INHERIT: "Comme le réglage général",
    SectionState.ON: "Activée",
    SectionState.OFF: "Désactivée",
}
SPACE_TITLES = {Space.TENANT: "Espace locataire", Space.OWNER: "Espace propriétaire"}


@dataclass(frozen=True)
class SectionSwitch:
    """One section as the settings page shows it, globally or for one building."""

    space: str
    section: str
    label: str
    enabled: bool  # the global switch
    state: str  # for a building: a SectionState value; globally "active" or "desactive"
    overrides: str  # globally: the buildings that differ, in words ("" when none)


@dataclass(frozen=True)
class BuildingChoice:
    """A building in the settings page's picker: an opaque reference, never its id."""

    reference: str
    name: str


def _all_settings(session: Session) -> list[SectionSetting]:
    return list(session.exec(select(SectionSetting)).all())


def list_buildings(*, session: Session, actor: SessionUser) -> list[BuildingChoice]:
    """Every building, by name, for the per-building overrides."""
    require_admin(actor, session=session)
    rows = session.exec(select(Property.id, Property.name).order_by(Property.name)).all()
    return [BuildingChoice(opaque_reference(_REFERENCE_KIND, pid), name) for pid, name in rows]


def building_id(reference: Any) -> int | None:
    """The building behind a picker reference (None if it is not one)."""
    return id_from_reference(_REFERENCE_KIND, reference)


def global_switches(*, session: Session, actor: SessionUser) -> list[SectionSwitch]:
    """Every section of both spaces with its global state and the buildings that differ."""
    require_admin(actor, session=session)
    settings = _all_settings(session)
    names = dict(session.exec(select(Property.id, Property.name)).all())
    switches = []
    for space in SECTION_SPACES:
        for section, label in SECTION_LABELS[space].items():
            mine = [row for row in settings if row.space == space and row.section == section]
            enabled = next((row.enabled for row in mine if row.property_id is None), True)
            differing = sorted(
                names.get(row.property_id, "?")
                for row in mine
                if row.property_id is not None and row.enabled != enabled
            )
            switches.append(
                SectionSwitch(
                    space=space.value,
                    section=section,
                    label=label,
                    enabled=enabled,
                    state=SectionState.ON if enabled else SectionState.OFF,
                    overrides=_differing_text(differing, enabled),
                )
            )
    return switches


def _differing_text(names: list[str], enabled: bool) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" et {len(names) - 3} autre(s)" if len(names) > 3 else "")
    return f"{'Désactivée' if enabled else 'Activée'} pour : {shown}"


def building_switches(
    *, session: Session, actor: SessionUser, property_id: int
) -> list[SectionSwitch]:
    """Every section of both spaces as one building sees it."""
    require_admin(actor, session=session)
    if session.get(Property, property_id) is None:
        raise AccessDenied("Immeuble introuvable.")
    settings = session.exec(
        select(SectionSetting).where(
            (col(SectionSetting.property_id) == property_id)
            | col(SectionSetting.property_id).is_(None)
        )
    ).all()
    found = {(row.space, row.section, row.property_id): row.enabled for row in settings}
    switches = []
    for space in SECTION_SPACES:
        for section, label in SECTION_LABELS[space].items():
            enabled = found.get((space.value, section, None), True)
            own = found.get((space.value, section, property_id))
            state = SectionState.INHERIT if own is None else _state(own)
            switches.append(SectionSwitch(space.value, section, label, enabled, state, ""))
    return switches


def _state(enabled: bool) -> SectionState:
    return SectionState.ON if enabled else SectionState.OFF


def _current_state(
    session: Session, space: str, section: str, property_id: int | None
) -> tuple[SectionSetting | None, SectionState]:
    same_building = (
        col(SectionSetting.property_id).is_(None)
        if property_id is None
        else col(SectionSetting.property_id) == property_id
    )
    row = session.exec(
        select(SectionSetting).where(
            SectionSetting.space == space, SectionSetting.section == section, same_building
        )
    ).first()
    if row is None:
        return None, SectionState.INHERIT if property_id is not None else SectionState.ON
    return row, _state(row.enabled)


def set_section(
    *,
    session: Session,
    actor: SessionUser,
    space: Any,
    section: Any,
    state: Any,
    property_id: int | None = None,
    ip: str = "",
) -> bool:
    """Turn a section on or off globally (`property_id` None), or choose a building's state;
    journaled with before and after, commits. Returns whether anything changed."""
    require_admin(actor, session=session)
    if not is_section(space, section):
        raise ValueError("Rubrique inconnue.")
    allowed = {SectionState.ON, SectionState.OFF} | (
        {SectionState.INHERIT} if property_id is not None else set()
    )
    if not isinstance(state, str) or state not in {choice.value for choice in allowed}:
        raise ValueError("Réglage invalide.")
    if property_id is not None and session.get(Property, property_id) is None:
        raise AccessDenied("Immeuble introuvable.")
    row, before = _current_state(session, space, section, property_id)
    wanted = SectionState(state)
    if wanted == before:
        return False
    _apply(session, row, space, section, property_id, wanted)
    label = f"{SPACE_TITLES[Space(space)]} · {SECTION_LABELS[Space(space)][section]}"
    record_event(
        session=session,
        action="section.changed",
        actor_user_id=actor.user_id,
        target_type="section",
        target_id=f"{space}:{section}"[:40],
        ip=ip,
        detail={
            "space": space,
            "section": section,
            "field_label": label,
            "building": _building_name(session, property_id),
            "before": STATE_LABELS[before],
            "after": STATE_LABELS[wanted],
        },
    )
    session.commit()
    return True


def _apply(
    session: Session,
    row: SectionSetting | None,
    space: str,
    section: str,
    property_id: int | None,
    wanted: SectionState,
) -> None:
    if wanted is SectionState.INHERIT:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = SectionSetting(space=space, section=section, property_id=property_id)
        session.add(row)
    row.enabled = wanted is SectionState.ON
    row.updated_at = utcnow()


def _building_name(session: Session, property_id: int | None) -> str:
    if property_id is None:
        return "tous les immeubles"
    building = session.get(Property, property_id)
    return building.name if building else ""
