"""Real PDFs in private storage for the demo logins and a sample of other leases and lots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from extranet_app.demo.world import DemoWorld, LeasePlan, LotPlan
from extranet_app.models import (
    Document,
    DocumentCategory,
    DocumentSource,
    LeaseKind,
    LotKind,
    ManagementMandate,
    Owner,
)
from extranet_app.pdf import (
    EnergyDiagnostic,
    InventoryRoom,
    LeasedPremises,
    Letterhead,
    letterhead_from,
    lot_label,
    render_co_ownership_rules_extract,
    render_energy_diagnostic,
    render_inventory,
    render_lease_summary,
    render_management_mandate,
    render_simple_document,
    render_tenancy_certificate,
)
from extranet_app.services.storage import store_bytes

SAMPLE_LEASES = 5
SAMPLE_LOTS = 4
RULES_BUILDINGS = 8
CONDITIONS = ("Neuf", "Bon état", "Bon état", "Bon état", "État d'usage")
REMARKS = ("", "", "", "Traces d'usure légères", "Petit éclat sur la plinthe", "Joint à reprendre")
DIAGNOSTICIANS = ("Rhône Diagnostics Immobiliers", "Diag Expertise Lyon", "Cabinet Bellevue")
NOTICE_PARAGRAPHS = (
    "Cette notice, annexée au contrat de location, rappelle les droits et obligations des "
    "locataires et des bailleurs (arrêté du 29 mai 2015).",
    "Le bailleur remet un logement décent, en bon état d'usage et de réparation. Il assure au "
    "locataire la jouissance paisible du logement et entretient les locaux.",
    "Le locataire paie le loyer et les charges aux termes convenus, use paisiblement des locaux, "
    "répond des dégradations survenues pendant le bail, prend à sa charge l'entretien courant et "
    "s'assure contre les risques locatifs.",
    "Une quittance est remise gratuitement au locataire qui en fait la demande. Le dépôt de "
    "garantie est restitué dans un délai d'un mois (deux mois en cas de différence entre les "
    "états des lieux d'entrée et de sortie).",
)


@dataclass(frozen=True)
class DocumentSpec:
    """One document to store: how to render it and what its row says."""

    render: Callable[[], bytes]
    title: str
    filename: str
    category: DocumentCategory
    created_at: datetime
    links: dict[str, int]  # tenant_id / owner_id / lease_id / lot_id / property_id
    visible_to_tenants: bool = True
    visible_to_owners: bool = True


def create_documents(world: DemoWorld) -> None:
    """Render and store the demo documents, one Document row (and file) each."""
    letterhead = letterhead_from(world.agency)
    leases = _documented_leases(world)
    specs = [
        *_co_ownership_rules(world, letterhead),
        *_lease_documents(world, letterhead, leases),
        *_diagnostics(world, letterhead),
        *_mandates(world, letterhead),
    ]
    world.session.add_all(store_document(world, spec) for spec in specs)
    world.session.add_all(_notice_copies(world, letterhead, leases))


def store_document(world: DemoWorld, spec: DocumentSpec) -> Document:
    """Render a spec, store the bytes and describe them in a Document row."""
    stored = store_bytes(data=spec.render(), extension="pdf")
    return Document(
        **spec.links,
        category=spec.category,
        source=DocumentSource.AGENCY,
        title=spec.title,
        visible_to_tenants=spec.visible_to_tenants,
        visible_to_owners=spec.visible_to_owners,
        storage_key=stored.storage_key,
        original_filename=spec.filename,
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        uploaded_by_id=world.admin.id,
        created_at=spec.created_at,
    )


def _documented_leases(world: DemoWorld) -> list[LeasePlan]:
    """The demo logins' leases first, then a sample of other current flat leases."""
    demo_emails = {user.email for user in world.users_by_email.values() if not user.is_agency}
    demo = [p for p in world.lease_plans if any(t.email in demo_emails for t in p.tenants)]
    demo += [world.special_leases["owner_vacated_flat"]]
    demo += [p for p in world.special_lots["owner_let_flat"].leases if p not in demo]
    others = [
        p
        for p in world.lease_plans
        if p not in demo and p.lease.end_date is None and p.lease.kind == LeaseKind.UNFURNISHED
    ]
    return demo + world.rng.sample(others, SAMPLE_LEASES)


def _co_ownership_rules(world: DemoWorld, letterhead: Letterhead) -> list[DocumentSpec]:
    # Buildings owned by a single SCI or made of houses have no co-ownership rules.
    buildings = {id(p.building): p.building for p in world.lot_plans}
    in_co_ownership = [b for b in buildings.values() if b.external_ref < "PROP-014"]
    specs = []
    for building in in_co_ownership[:RULES_BUILDINGS]:
        established = date(world.rng.randint(1965, 2005), world.rng.randint(1, 12), 1)
        specs.append(
            DocumentSpec(
                render=_bind(
                    render_co_ownership_rules_extract,
                    letterhead=letterhead,
                    building=building,
                    established_on=established,
                    notary=f"Maître {world.rng.choice(('Dupuis', 'Rey', 'Vidal'))}, notaire à Lyon",
                ),
                title=f"Règlement de copropriété (extrait) — {building.name}",
                filename=f"reglement-copropriete-{building.external_ref}.pdf",
                category=DocumentCategory.CO_OWNERSHIP_RULES,
                created_at=world.days_ago(world.rng.randint(200, 600)),
                links={"property_id": building.id},
            )
        )
    return specs


def _bind(function: Callable[..., bytes], **kwargs) -> Callable[[], bytes]:
    return lambda: function(**kwargs)


def _premises(plan: LeasePlan) -> LeasedPremises:
    return LeasedPremises(
        lease=plan.lease,
        lot=plan.lot_plan.lot,
        building=plan.lot_plan.building,
        tenants=plan.tenants,
        owners=[owner for owner, _ in plan.lot_plan.owners],
    )


def _lease_documents(
    world: DemoWorld, letterhead: Letterhead, leases: list[LeasePlan]
) -> list[DocumentSpec]:
    specs = []
    for plan in leases:
        specs.append(_lease_summary_spec(world, letterhead, plan))
        if plan.lease.kind in (LeaseKind.UNFURNISHED, LeaseKind.FURNISHED):
            specs.append(_inventory_spec(world, letterhead, plan, is_move_in=True))
            if plan.lease.end_date is not None:
                specs.append(_inventory_spec(world, letterhead, plan, is_move_in=False))
    for key in ("tenant_flat", "mixed_tenant_flat"):
        specs.append(_certificate_spec(world, letterhead, world.special_leases[key]))
    return specs


def _lease_links(plan: LeasePlan) -> dict[str, int]:
    # Only the lease: a later tenant of the same lot must not see the former tenant's papers.
    return {"lease_id": plan.lease.id}


def _lease_summary_spec(world: DemoWorld, letterhead: Letterhead, plan: LeasePlan) -> DocumentSpec:
    lease = plan.lease
    return DocumentSpec(
        render=_bind(
            render_lease_summary,
            letterhead=letterhead,
            premises=_premises(plan),
            issued_on=lease.start_date,
        ),
        title=f"Bail — {lot_label(plan.lot_plan.lot)}, {plan.lot_plan.building.name}",
        filename=f"bail-{lease.external_ref}.pdf",
        category=DocumentCategory.LEASE,
        created_at=world.at(lease.start_date, hour=10),
        links=_lease_links(plan),
    )


def _inventory_spec(
    world: DemoWorld, letterhead: Letterhead, plan: LeasePlan, *, is_move_in: bool
) -> DocumentSpec:
    lease = plan.lease
    done_on = lease.start_date if is_move_in else lease.end_date + timedelta(days=1)
    moment = "entree" if is_move_in else "sortie"
    return DocumentSpec(
        render=_bind(
            render_inventory,
            letterhead=letterhead,
            premises=_premises(plan),
            is_move_in=is_move_in,
            done_on=done_on,
            rooms=_rooms(world, plan.lot_plan),
            meters=_meters(world),
            keys_count=world.rng.randint(2, 4),
        ),
        title="État des lieux d'entrée" if is_move_in else "État des lieux de sortie",
        filename=f"etat-des-lieux-{moment}-{lease.external_ref}.pdf",
        category=DocumentCategory.INVENTORY,
        created_at=world.at(done_on, hour=17),
        links=_lease_links(plan),
    )


def _rooms(world: DemoWorld, plan: LotPlan) -> list[InventoryRoom]:
    bedrooms = max((plan.lot.rooms or 1) - 1, 0)
    names = ["Entrée", "Séjour", "Cuisine"]
    names += [f"Chambre {number}" for number in range(1, bedrooms + 1)]
    names += ["Salle de bains", "WC"]
    return [
        InventoryRoom(name, world.rng.choice(CONDITIONS), world.rng.choice(REMARKS))
        for name in names
    ]


def _meters(world: DemoWorld) -> list[tuple[str, str]]:
    rng = world.rng
    return [
        ("Électricité (heures pleines)", f"{rng.randint(1_000, 60_000)} kWh"),
        ("Eau froide", f"{rng.randint(10, 900)} m³"),
        ("Eau chaude", f"{rng.randint(5, 400)} m³"),
    ]


def _certificate_spec(world: DemoWorld, letterhead: Letterhead, plan: LeasePlan) -> DocumentSpec:
    issued_on = world.today - timedelta(days=world.rng.randint(10, 40))
    return DocumentSpec(
        render=_bind(
            render_tenancy_certificate,
            letterhead=letterhead,
            premises=_premises(plan),
            issued_on=issued_on,
        ),
        title="Attestation de location",
        filename=f"attestation-location-{plan.lease.external_ref}.pdf",
        category=DocumentCategory.CERTIFICATE,
        created_at=world.at(issued_on, hour=11),
        links=_lease_links(plan),
        visible_to_owners=False,
    )


def _diagnostics(world: DemoWorld, letterhead: Letterhead) -> list[DocumentSpec]:
    special = world.special_lots
    keys = (
        "tenant_flat",
        "owner_let_flat",
        "owner_vacant_flat",
        "mixed_owned_flat",
        "mixed_tenant_flat",
    )
    lots = [special[key] for key in keys]
    homes = [
        p
        for p in world.lot_plans
        if p.lot.kind in (LotKind.APARTMENT, LotKind.HOUSE) and p not in lots
    ]
    lots += world.rng.sample(homes, SAMPLE_LOTS)
    return [_diagnostic_spec(world, letterhead, plan) for plan in lots]


def _diagnostic_spec(world: DemoWorld, letterhead: Letterhead, plan: LotPlan) -> DocumentSpec:
    rng = world.rng
    performed_on = date(2021, 9, 1) + timedelta(days=rng.randint(0, 1_200))
    performed_on = min(performed_on, world.today - timedelta(days=90))
    diagnostic = EnergyDiagnostic(
        performed_on=performed_on,
        energy_kwh_m2=rng.randint(85, 320),
        ghg_kg_m2=rng.randint(6, 55),
        diagnostician=rng.choice(DIAGNOSTICIANS),
        certification=f"CPDI{rng.randint(1_000, 9_999)}",
    )
    return DocumentSpec(
        render=_bind(
            render_energy_diagnostic,
            letterhead=letterhead,
            lot=plan.lot,
            building=plan.building,
            diagnostic=diagnostic,
        ),
        title=f"Diagnostic de performance énergétique — {lot_label(plan.lot)}",
        filename=f"dpe-{plan.lot.external_ref}.pdf",
        category=DocumentCategory.DIAGNOSTIC,
        created_at=world.at(performed_on, hour=15),
        links={"lot_id": plan.lot.id},
    )


def _mandates(world: DemoWorld, letterhead: Letterhead) -> list[DocumentSpec]:
    pairs = list(zip(world.owners, world.mandates, strict=True))
    chosen = pairs[:2] + world.rng.sample(pairs[2:], 2)  # the demo owners, then two others
    return [_mandate_spec(world, letterhead, owner, mandate) for owner, mandate in chosen]


def _mandate_spec(
    world: DemoWorld, letterhead: Letterhead, owner: Owner, mandate: ManagementMandate
) -> DocumentSpec:
    lots = [
        (plan.lot, plan.building)
        for plan in world.lot_plans
        if any(lot_owner is owner for lot_owner, _ in plan.owners)
    ]
    signed_on = mandate.signed_on or mandate.start_date
    return DocumentSpec(
        render=_bind(
            render_management_mandate,
            letterhead=letterhead,
            mandate=mandate,
            owner=owner,
            lots=lots,
        ),
        title=f"Mandat de gestion n° {mandate.number}",
        filename=f"mandat-{mandate.number}.pdf",
        category=DocumentCategory.MANDATE,
        created_at=world.at(signed_on, hour=16),
        links={"owner_id": owner.id},
        visible_to_tenants=False,
    )


def _notice_copies(
    world: DemoWorld, letterhead: Letterhead, leases: list[LeasePlan]
) -> list[Document]:
    """The same legal notice annexed to each documented home lease, one stored copy each."""
    data = render_simple_document(
        letterhead=letterhead,
        title="Notice d'information relative aux droits et obligations des locataires",
        paragraphs=NOTICE_PARAGRAPHS,
    )
    homes = [p for p in leases if p.lease.kind in (LeaseKind.UNFURNISHED, LeaseKind.FURNISHED)]
    return [
        store_document(
            world,
            DocumentSpec(
                render=lambda: data,
                title="Notice d'information du locataire",
                filename=f"notice-information-{plan.lease.external_ref}.pdf",
                category=DocumentCategory.LEASE,
                created_at=world.at(plan.lease.start_date, hour=10, minute=5),
                links=_lease_links(plan),
            ),
        )
        for plan in homes
    ]
