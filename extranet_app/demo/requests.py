"""Documents à fournir: what the agency asks the demo people (and a few others) to send."""

from __future__ import annotations

from datetime import timedelta

from extranet_app.demo.catalog import OWNER_LOGIN, TENANT_LOGIN
from extranet_app.demo.documents import DocumentSpec, store_document
from extranet_app.demo.world import DemoWorld
from extranet_app.models import (
    Document,
    DocumentCategory,
    DocumentRequest,
    DocumentRequestStatus,
    DocumentSource,
    LeaseKind,
)
from extranet_app.pdf import letterhead_from, render_simple_document

OTHER_INSURANCE_REQUESTS = 6
RIB_TITLE = "Relevé d'identité bancaire (RIB)"


def create_document_requests(world: DemoWorld) -> None:
    """The demo tenant's and owner's requests in every status, and a few for other tenants."""
    identity = _identity_request(world)
    flat_lease_id = world.special_leases["tenant_flat"].lease.id
    last_year = _last_years_insurance(world, flat_lease_id)
    requests = [
        # Last year's accepted certificate first: this year's request is its renewal (a newer
        # request of the same kind), so the yearly renewal finds nothing more to ask.
        last_year,
        _insurance_request(world, flat_lease_id),
        identity,
        _refused_rib_request(world),
        _owner_rib_request(world),
        *_other_insurance_requests(world),
    ]
    world.session.add_all(requests)
    world.session.flush()
    world.session.add(_identity_document(world, identity))
    world.session.add(_insurance_certificate(world, last_year))


def _demo_tenant_id(world: DemoWorld) -> int:
    return next(t.id for t in world.tenants if t.email == TENANT_LOGIN)


def _insurance_request(world: DemoWorld, lease_id: int, *, days_ago: int = 10) -> DocumentRequest:
    tenant_id = next(plan.tenants[0].id for plan in world.lease_plans if plan.lease.id == lease_id)
    return DocumentRequest(
        tenant_id=tenant_id,
        lease_id=lease_id,
        category=DocumentCategory.INSURANCE,
        title=f"Attestation d'assurance habitation {world.today.year}",
        description=(
            "Le bail vous oblige à assurer le logement contre les risques locatifs et à en "
            "justifier chaque année (loi n° 89-462, art. 7 g)."
        ),
        due_date=world.today + timedelta(days=15),
        renews_yearly=True,
        created_by_id=world.admin.id,
        created_at=world.days_ago(days_ago),
    )


def _last_years_insurance(world: DemoWorld, lease_id: int) -> DocumentRequest:
    """Accepted a year ago; the certificate ends in a fortnight."""
    request = _insurance_request(world, lease_id, days_ago=380)
    request.title = f"Attestation d'assurance habitation {world.today.year - 1}"
    request.due_date = (world.today - timedelta(days=365)).replace(day=1)
    request.status = DocumentRequestStatus.ACCEPTED
    request.submitted_at = world.days_ago(372, hour=19, minute=12)
    request.reviewed_at = world.days_ago(371, hour=9, minute=40)
    request.reviewed_by_id = world.staff[1].id
    request.valid_until = world.today + timedelta(days=15)
    return request


def _identity_request(world: DemoWorld) -> DocumentRequest:
    return DocumentRequest(
        tenant_id=_demo_tenant_id(world),
        category=DocumentCategory.IDENTITY,
        title="Pièce d'identité en cours de validité",
        description="Carte d'identité ou passeport, recto verso.",
        status=DocumentRequestStatus.ACCEPTED,
        created_by_id=world.admin.id,
        created_at=world.days_ago(70),
        submitted_at=world.days_ago(62, hour=21, minute=4),
        reviewed_at=world.days_ago(61, hour=10, minute=30),
        reviewed_by_id=world.staff[1].id,
    )


def _refused_rib_request(world: DemoWorld) -> DocumentRequest:
    return DocumentRequest(
        tenant_id=_demo_tenant_id(world),
        lease_id=world.special_leases["tenant_flat"].lease.id,
        category=DocumentCategory.OTHER,
        title=RIB_TITLE,
        description="Pour mettre en place le prélèvement automatique de votre loyer.",
        due_date=world.today + timedelta(days=7),
        status=DocumentRequestStatus.REFUSED,
        refusal_reason=(
            "Le RIB transmis n'est pas au nom d'un titulaire du bail. "
            "Merci de nous envoyer un RIB à votre nom."
        ),
        created_by_id=world.admin.id,
        created_at=world.days_ago(25),
        submitted_at=world.days_ago(12, hour=8, minute=47),
        reviewed_at=world.days_ago(11, hour=14),
        reviewed_by_id=world.staff[1].id,
    )


def _owner_rib_request(world: DemoWorld) -> DocumentRequest:
    owner = next(owner for owner in world.owners if owner.email == OWNER_LOGIN)
    return DocumentRequest(
        owner_id=owner.id,
        category=DocumentCategory.OTHER,
        title=RIB_TITLE,
        description="Votre banque a changé ? Envoyez-nous votre nouveau RIB pour vos virements.",
        due_date=world.today + timedelta(days=30),
        created_by_id=world.staff[2].id,
        created_at=world.days_ago(5),
    )


def _other_insurance_requests(world: DemoWorld) -> list[DocumentRequest]:
    current = [
        plan
        for plan in world.lease_plans
        if plan.lease.end_date is None
        and plan.lease.kind in (LeaseKind.UNFURNISHED, LeaseKind.FURNISHED)
        and TENANT_LOGIN not in {tenant.email for tenant in plan.tenants}
    ]
    chosen = world.rng.sample(current, OTHER_INSURANCE_REQUESTS)
    requests = [_insurance_request(world, plan.lease.id, days_ago=40) for plan in chosen]
    expired = requests[-1]  # one nobody answered in time
    expired.title = f"Attestation d'assurance habitation {world.today.year - 1}"
    expired.due_date = world.today - timedelta(days=200)
    expired.created_at = world.days_ago(230)
    expired.status = DocumentRequestStatus.EXPIRED
    return requests


def _insurance_certificate(world: DemoWorld, request: DocumentRequest) -> Document:
    """The certificate the demo tenant sent last year, accepted by the agency."""
    tenant_user = world.users_by_email[TENANT_LOGIN]
    data = render_simple_document(
        letterhead=letterhead_from(world.agency),
        title="Attestation d'assurance habitation — copie de démonstration",
        paragraphs=(
            f"Ce fichier remplace, pour la démonstration, l'attestation transmise par "
            f"{tenant_user.display_name}, valable jusqu'au {request.valid_until:%d/%m/%Y}.",
        ),
    )
    spec = DocumentSpec(
        render=lambda: data,
        title=request.title,
        filename="attestation-assurance.pdf",
        category=DocumentCategory.INSURANCE,
        created_at=request.submitted_at,
        links={
            "tenant_id": request.tenant_id,
            "lease_id": request.lease_id,
            "document_request_id": request.id,
        },
        visible_to_owners=False,
    )
    document = store_document(world, spec)
    document.source = DocumentSource.TENANT
    document.uploaded_by_id = tenant_user.id
    document.filed_at = request.reviewed_at
    return document


def _identity_document(world: DemoWorld, request: DocumentRequest) -> Document:
    """The file the demo tenant sent for the accepted identity request."""
    tenant_user = world.users_by_email[TENANT_LOGIN]
    data = render_simple_document(
        letterhead=letterhead_from(world.agency),
        title="Pièce d'identité — copie de démonstration",
        paragraphs=(
            "Ce fichier remplace, pour la démonstration, la copie de pièce d'identité "
            f"transmise par {tenant_user.display_name}.",
        ),
    )
    spec = DocumentSpec(
        render=lambda: data,
        title="Pièce d'identité",
        filename="carte-identite.pdf",
        category=DocumentCategory.IDENTITY,
        created_at=request.submitted_at or world.days_ago(62),
        links={"tenant_id": request.tenant_id, "document_request_id": request.id},
        visible_to_owners=False,
    )
    document = store_document(world, spec)
    document.source = DocumentSource.TENANT
    document.uploaded_by_id = tenant_user.id
    document.filed_at = request.reviewed_at
    return document
