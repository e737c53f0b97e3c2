"""One probe per (resource, action) of the policy: every way a browser could reach person A's
object, tried with the role's own session and forged ids. A probe answers True when the object
was reached (listed, read, sent, changed) and False when every way was refused.

Entry points of every space are tried whatever the role, as a malicious browser may call any
event handler of any state; the handlers' gate (SessionState._session_user) is checked apart.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from extranet_app.models import AuditEvent, DocumentRequest, OwnerExpense, Tenant, User
from extranet_app.models.base import utcnow
from extranet_app.models.documents import DocumentRequestStatus
from extranet_app.services import (
    access_management,
    account_security,
    agency_data,
    agency_documents,
    agency_settings,
    auth,
    data_import,
    document_requests,
    documents,
    invoices,
    journal,
    management_reports,
    messaging,
    messaging_inbox,
    news,
    outbox,
    owner_expenses,
    owner_reports,
    owner_submissions,
    personal_data,
    receipts,
    rent_ledger,
    rental_tracking,
    request_review,
    staff,
    tenant_billing,
)
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.data_kinds import DataKind
from extranet_app.services.errors import AccessDenied
from extranet_app.services.security import opaque_reference
from extranet_app.services.uploads import CheckedFile
from tests.authorization.world import TODAY, World
from tests.reports_support import MARCH

PERSON_SPACES = (Space.TENANT, Space.OWNER)
PDF = CheckedFile(filename="piece.pdf", data=b"%PDF-1.4 piece", mime_type="application/pdf")


@dataclass
class Ctx:
    """What a probe works with: a session, the world's ids and the acting user; it counts the
    refusals (AccessDenied) that left no row in the audit journal."""

    session: Session
    world: World
    actor: SessionUser
    tried: int = 0  # attempts through a space the user may enter
    refused: int = 0
    unjournaled: int = 0
    # Refusals in a space the user cannot enter: the handlers' gate stops those first.
    gated: set[Space] = field(default_factory=set)


def refusals(session: Session) -> int:
    """How many refused accesses the audit journal holds."""
    return session.exec(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.allowed).is_(False))
    ).one()


def reached(ctx: Ctx, space: Space | None, attempt: Callable[[], object]) -> bool:
    """Run one attempt through a handler of `space` (None: a page open to every logged-in
    person, Mon compte); a refusal (AccessDenied) is "not reached", anything truthy returned
    is. Refusals are counted, and whether they journaled."""
    entered = space is None or ctx.actor.can_enter(space)
    if entered:
        ctx.tried += 1
    else:
        ctx.gated.add(space)
    before = refusals(ctx.session)
    try:
        result = attempt()
    except AccessDenied:
        ctx.session.rollback()
        if entered:
            ctx.refused += 1
            ctx.unjournaled += refusals(ctx.session) == before
        return False
    return bool(result)


def any_reached(ctx: Ctx, *attempts: tuple[Space, Callable[[], object]]) -> bool:
    """Every attempt is made (each refusal journals), True if one of them reached the object."""
    results = [reached(ctx, space, attempt) for space, attempt in attempts]
    return any(results)


def _s(ctx: Ctx) -> dict:
    return {"session": ctx.session}


TEN, OWN, AGY = Space.TENANT, Space.OWNER, Space.AGENCY


def in_spaces(spaces, make: Callable[[Space], Callable[[], object]]):
    """The same attempt through the handlers of each space."""
    return [(space, make(space)) for space in spaces]


# --- Leases and rent calls ---------------------------------------------------------------------


def leases_list(ctx: Ctx) -> bool:
    w, u = ctx.world, ctx.actor
    return any_reached(
        ctx,
        (
            TEN,
            lambda: (
                w.lease_a
                in [
                    i
                    for i, _ in tenant_billing.tenant_lease_choices(**_s(ctx), user=u, today=TODAY)
                ]
            ),
        ),
        (
            OWN,
            lambda: any(
                "A12" in r.lot_label
                for r in rental_tracking.rental_tracking(**_s(ctx), user=u, today=TODAY)
            ),
        ),
        (
            AGY,
            lambda: (
                w.lease_a
                in [m.lease_id for m in rent_ledger.search_leases(**_s(ctx), user=u, text="A12")]
            ),
        ),
    )


def leases_change(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: rent_ledger.record_payment(
            **_s(ctx),
            user=ctx.actor,
            lease_id=ctx.world.lease_a,
            paid_on=TODAY,
            amount_cents=1_000,
            method="virement",
            note="",
            today=TODAY,
        ),
    )


def rent_calls_list(ctx: Ctx) -> bool:
    u = ctx.actor
    return any_reached(
        ctx,
        (TEN, lambda: rent_ledger.unpaid_periods(**_s(ctx), user=u, today=TODAY).periods),
        (
            AGY,
            lambda: rent_ledger.lease_open_periods(
                **_s(ctx), user=u, lease_id=ctx.world.lease_a, today=TODAY
            ),
        ),
    )


# --- Quittances, reçus, invoices ---------------------------------------------------------------


def receipts_list(ctx: Ctx) -> bool:
    query = receipts.ReceiptsQuery()
    return reached(
        ctx,
        TEN,
        lambda: (
            ctx.world.call_a
            in receipts.receipts_page(**_s(ctx), user=ctx.actor, query=query).call_ids
        ),
    )


def receipts_create(ctx: Ctx) -> bool:
    return reached(
        ctx,
        TEN,
        lambda: receipts.issue_receipt(
            **_s(ctx), user=ctx.actor, rent_call_id=ctx.world.call_a, today=TODAY
        ),
    )


def invoices_list(ctx: Ctx) -> bool:
    return reached(
        ctx,
        TEN,
        lambda: ctx.world.call_a in invoices.invoices_page(**_s(ctx), user=ctx.actor).call_ids,
    )


def invoices_create(ctx: Ctx) -> bool:
    return reached(
        ctx,
        TEN,
        lambda: invoices.issue_invoice_document(
            **_s(ctx), user=ctx.actor, rent_call_id=ctx.world.call_a
        ),
    )


def downloading(reference_of: Callable[[World], str]) -> Callable[[Ctx], bool]:
    """The probe of the service behind GET /api/documents/{reference}, in every space."""

    def probe(ctx: Ctx) -> bool:
        reference = reference_of(ctx.world)
        return any_reached(
            ctx,
            *in_spaces(
                (AGY, TEN, OWN),
                lambda space: (
                    lambda: documents.downloadable_document(
                        **_s(ctx), user=ctx.actor, space=space, reference=reference, today=TODAY
                    )
                ),
            ),
        )

    return probe


# --- Documents ---------------------------------------------------------------------------------


def documents_list(ctx: Ctx) -> bool:
    ref, u = ctx.world.document_a_ref, ctx.actor
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: (
                    ref
                    in [
                        d.reference
                        for d in documents.list_documents(
                            **_s(ctx), user=u, space=space, today=TODAY
                        )
                    ]
                )
            ),
        ),
        (
            AGY,
            lambda: (
                ctx.world.document_a
                in [
                    e.document_id
                    for e in agency_documents.list_agency_documents(**_s(ctx), user=u).entries
                ]
            ),
        ),
    )


def documents_create(ctx: Ctx) -> bool:
    target = agency_documents.DocumentTarget(
        kind=agency_documents.TargetKind.LEASE, target_id=ctx.world.lease_a
    )
    return reached(
        ctx,
        AGY,
        lambda: agency_documents.upload_documents(
            **_s(ctx),
            user=ctx.actor,
            target=target,
            category="autre",
            title="Avenant",
            comment="",
            audience=agency_documents.Audience.BOTH,
            files=[PDF],
            today=TODAY,
        ),
    )


def documents_delete(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: (
            agency_documents.delete_document(
                **_s(ctx), user=ctx.actor, document_id=ctx.world.document_a
            )
            or True
        ),
    )


# --- Documents à fournir and uploads -----------------------------------------------------------


def requests_list(ctx: Ctx) -> bool:
    u, rid = ctx.actor, ctx.world.request_a
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: (
                    rid
                    in [
                        x.request_id
                        for x in document_requests.list_requests(
                            **_s(ctx), user=u, space=space, today=TODAY
                        ).listings
                    ]
                )
            ),
        ),
        (
            AGY,
            lambda: (
                rid
                in [
                    x.request_id
                    for x in request_review.list_agency_requests(
                        **_s(ctx), actor=u, today=TODAY, status=DocumentRequestStatus.PENDING
                    ).listings
                ]
            ),
        ),
    )


def requests_create(ctx: Ctx) -> bool:
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: document_requests.submit_files(
                    **_s(ctx),
                    user=ctx.actor,
                    space=space,
                    request_id=ctx.world.request_a,
                    files=[PDF],
                    today=TODAY,
                )
            ),
        ),
    )


def requests_change(ctx: Ctx) -> bool:
    # The agency decides on a request once the person has sent something.
    ctx.session.exec(
        update(DocumentRequest)
        .where(col(DocumentRequest.id) == ctx.world.request_a)
        .values(status=DocumentRequestStatus.SUBMITTED, submitted_at=utcnow())
    )
    ctx.session.commit()
    return reached(
        ctx,
        AGY,
        lambda: (
            request_review.accept_request(
                **_s(ctx), actor=ctx.actor, request_id=ctx.world.request_a, today=TODAY
            )
            or True
        ),
    )


def uploads_list(ctx: Ctx) -> bool:
    ref = ctx.world.upload_ref
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: (
                    ref
                    in [
                        d.reference
                        for d in document_requests.list_sent_documents(
                            **_s(ctx), user=ctx.actor, space=space, today=TODAY
                        ).documents
                    ]
                )
            ),
        ),
    )


def owner_uploads_create(ctx: Ctx) -> bool:
    return reached(
        ctx,
        OWN,
        lambda: owner_submissions.send_documents(
            **_s(ctx),
            user=ctx.actor,
            lot_id=ctx.world.lot_a,
            category="autre",
            comment="",
            files=[PDF],
        ),
    )


# --- Messagerie --------------------------------------------------------------------------------


def conversations_list(ctx: Ctx) -> bool:
    u, tid = ctx.actor, ctx.world.thread_a
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: tid in messaging.list_person_threads(**_s(ctx), user=u, space=space).ids
            ),
        ),
        (AGY, lambda: tid in messaging_inbox.list_inbox(**_s(ctx), actor=u).ids),
    )


def conversations_view(ctx: Ctx) -> bool:
    u, tid = ctx.actor, ctx.world.thread_a
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: messaging.open_for_person(**_s(ctx), user=u, space=space, thread_id=tid)
            ),
        ),
        (AGY, lambda: messaging.open_for_staff(**_s(ctx), actor=u, thread_id=tid)),
    )


def conversations_change(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: (
            messaging.set_status(
                **_s(ctx), actor=ctx.actor, thread_id=ctx.world.thread_a, status="resolue"
            )
            or True
        ),
    )


def messages_create(ctx: Ctx) -> bool:
    u, tid = ctx.actor, ctx.world.thread_a
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: (
                    messaging.person_reply(
                        **_s(ctx), user=u, space=space, thread_id=tid, text="Réponse"
                    )
                    or True
                )
            ),
        ),
        (
            AGY,
            lambda: (
                messaging.staff_reply(**_s(ctx), actor=u, thread_id=tid, text="Réponse") or True
            ),
        ),
    )


# --- Rapport de gestion ------------------------------------------------------------------------


def reports_list(ctx: Ctx) -> bool:
    return reached(
        ctx,
        OWN,
        lambda: (
            ctx.world.report_a
            in [r.report_id for r in owner_reports.list_owner_reports(**_s(ctx), user=ctx.actor)]
        ),
    )


def reports_view(ctx: Ctx) -> bool:
    return reached(
        ctx,
        OWN,
        lambda: owner_reports.report_detail(
            **_s(ctx), user=ctx.actor, report_id=ctx.world.report_a
        ),
    )


def reports_create(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: management_reports.publish(**_s(ctx), user=ctx.actor, choice=MARCH) or True,
    )


# --- Actualités --------------------------------------------------------------------------------


def news_list(ctx: Ctx) -> bool:
    u, ref = ctx.actor, ctx.world.news_ref
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: ref in [c.reference for c in news.list_news(**_s(ctx), user=u, space=space)]
            ),
        ),
        (AGY, lambda: ref in [r.reference for r in news.list_agency_news(**_s(ctx), actor=u)]),
    )


def news_view(ctx: Ctx) -> bool:
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN),
            lambda space: (
                lambda: news.open_news(
                    **_s(ctx), user=ctx.actor, space=space, reference=ctx.world.news_ref
                )
            ),
        ),
    )


def news_image(ctx: Ctx) -> bool:
    return any_reached(
        ctx,
        *in_spaces(
            (TEN, OWN, AGY),
            lambda space: (
                lambda: news.news_image(
                    **_s(ctx), user=ctx.actor, space=space, reference=ctx.world.news_ref
                )
            ),
        ),
    )


def _draft() -> news.NewsDraft:
    return news.NewsDraft(title="Coupure d'eau", body="<p>Mardi</p>", audience="tous")


def news_create(ctx: Ctx) -> bool:
    return reached(ctx, AGY, lambda: news.create_news(**_s(ctx), actor=ctx.actor, draft=_draft()))


def news_change(ctx: Ctx) -> bool:
    news_id = ctx.world.news_a
    return any_reached(
        ctx,
        (
            AGY,
            lambda: (
                news.update_news(**_s(ctx), actor=ctx.actor, news_id=news_id, draft=_draft())
                or True
            ),
        ),
        (AGY, lambda: news.unpublish_news(**_s(ctx), actor=ctx.actor, news_id=news_id) or True),
    )


# --- Agency back office ------------------------------------------------------------------------


def outbox_list(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: (
            ctx.world.email_a in [r.id for r in outbox.list_outbox(**_s(ctx), actor=ctx.actor).rows]
        ),
    )


def outbox_view(ctx: Ctx) -> bool:
    return reached(
        ctx, AGY, lambda: outbox.get_preview(**_s(ctx), actor=ctx.actor, email_id=ctx.world.email_a)
    )


def outbox_change(ctx: Ctx) -> bool:
    return reached(
        ctx, AGY, lambda: outbox.cancel(**_s(ctx), actor=ctx.actor, email_ids=[ctx.world.email_a])
    )


def journal_list(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: (
            journal.list_events(**_s(ctx), actor=ctx.actor, filters=journal.JournalFilter()).rows
        ),
    )


def access_list(ctx: Ctx) -> bool:
    query = access_management.AccessQuery()
    return reached(
        ctx,
        AGY,
        lambda: access_management.list_people(**_s(ctx), actor=ctx.actor, query=query).rows,
    )


def access_change(ctx: Ctx) -> bool:
    tenant_a = ctx.session.exec(
        select(Tenant.id).where(Tenant.user_id == ctx.world.user_ids["tenant_a"])
    ).one()
    return reached(
        ctx,
        AGY,
        lambda: (
            access_management.set_logins_active(
                **_s(ctx),
                actor=ctx.actor,
                kind=access_management.PersonKind.TENANT,
                person_ids=[tenant_a],
                active=False,
            )
            or True
        ),
    )


def staff_list(ctx: Ctx) -> bool:
    return reached(ctx, AGY, lambda: staff.list_staff(**_s(ctx), actor=ctx.actor))


def staff_create(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: staff.invite_staff(
            **_s(ctx), actor=ctx.actor, email="nouveau@agence.test", display_name="N", admin=True
        ),
    )


# --- Account security (Mon compte, and the agency's reset of a second factor) ----------------


def _session_of(ctx: Ctx, role: str) -> int:
    return auth.resolve_session(**_s(ctx), token=ctx.world.tokens[role], touch=False).session_id


def login_sessions_list(ctx: Ctx) -> bool:
    session_a = _session_of(ctx, "tenant_a")
    return reached(
        ctx,
        None,
        lambda: any(
            item.session_id == session_a
            for item in account_security.list_sessions(**_s(ctx), user=ctx.actor)
        ),
    )


def login_sessions_change(ctx: Ctx) -> bool:
    session_a = _session_of(ctx, "tenant_a")
    return reached(
        ctx,
        None,
        lambda: account_security.end_session(**_s(ctx), user=ctx.actor, session_id=session_a),
    )


def _with_two_factor(ctx: Ctx, user_id: int) -> None:
    ctx.session.exec(update(User).where(col(User.id) == user_id).values(totp_enabled_at=utcnow()))
    ctx.session.commit()


def two_factor_change(ctx: Ctx) -> bool:
    tenant_a = ctx.world.user_ids["tenant_a"]
    _with_two_factor(ctx, tenant_a)
    return reached(
        ctx,
        AGY,
        lambda: (
            (
                staff.reset_staff_two_factor(**_s(ctx), actor=ctx.actor, user_id=tenant_a)
                if ctx.session.get(User, tenant_a).is_agency
                else account_security.reset_two_factor(**_s(ctx), actor=ctx.actor, user_id=tenant_a)
            )
            or True
        ),
    )


def staff_two_factor_change(ctx: Ctx) -> bool:
    _with_two_factor(ctx, ctx.actor.user_id)  # the admin must use it before requiring it
    return reached(
        ctx,
        AGY,
        lambda: agency_settings.update_staff_two_factor(**_s(ctx), actor=ctx.actor, required=True),
    )


# --- Owner expenses (Dépenses propriétaires) -------------------------------------------------


def _expense_on_lot_a(ctx: Ctx) -> int:
    expense = OwnerExpense(
        lot_id=ctx.world.lot_a, spent_on=TODAY, label="Chauffe-eau A12", amount_cents=45_000
    )
    ctx.session.add(expense)
    ctx.session.commit()
    return expense.id


def owner_expenses_list(ctx: Ctx) -> bool:
    _expense_on_lot_a(ctx)
    query = owner_expenses.ExpenseQuery(search="A12")
    return reached(
        ctx,
        AGY,
        lambda: any(
            row.label == "Chauffe-eau A12"
            for row in owner_expenses.list_expenses(**_s(ctx), actor=ctx.actor, query=query).rows
        ),
    )


def owner_expenses_create(ctx: Ctx) -> bool:
    reference = opaque_reference(owner_expenses.LOT_KIND, ctx.world.lot_a)
    return reached(
        ctx,
        AGY,
        lambda: owner_expenses.add_expense(
            **_s(ctx),
            actor=ctx.actor,
            lot_reference=reference,
            spent_on_text=TODAY.strftime("%d/%m/%Y"),
            label="Serrurier",
            supplier="",
            amount_text="120,00",
            today=TODAY,
        ),
    )


def owner_expenses_delete(ctx: Ctx) -> bool:
    reference = opaque_reference(owner_expenses.EXPENSE_KIND, _expense_on_lot_a(ctx))
    return reached(
        ctx,
        AGY,
        lambda: owner_expenses.delete_expense(**_s(ctx), actor=ctx.actor, reference=reference),
    )


# --- Personal data (RGPD) --------------------------------------------------------------------


def _tenant_a_profile(ctx: Ctx) -> int:
    return ctx.session.exec(
        select(Tenant.id).where(Tenant.user_id == ctx.world.user_ids["tenant_a"])
    ).one()


def _holds_tenant_a(ctx: Ctx, export: personal_data.PersonalExport) -> bool:
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        data = json.loads(archive.read("donnees.json"))
    tenant_a = ctx.session.get(User, ctx.world.user_ids["tenant_a"])
    return (data.get("compte") or {}).get("email") == tenant_a.email


def personal_data_download(ctx: Ctx) -> bool:
    return any_reached(
        ctx,
        *in_spaces(
            PERSON_SPACES,
            lambda _space: (
                lambda: _holds_tenant_a(
                    ctx, personal_data.export_own_data(**_s(ctx), user=ctx.actor)
                )
            ),
        ),
        (
            AGY,
            lambda: _holds_tenant_a(
                ctx,
                personal_data.export_person_data(
                    **_s(ctx), actor=ctx.actor, tenant_id=_tenant_a_profile(ctx)
                ),
            ),
        ),
    )


def _anonymise_tenant_a(ctx: Ctx) -> bool:
    try:
        personal_data.anonymise_person(
            **_s(ctx), actor=ctx.actor, tenant_id=_tenant_a_profile(ctx), today=TODAY
        )
    except personal_data.StillUnderContract:
        return True  # allowed to ask: the law, not the role, keeps lease A's tenant as is
    return True


def personal_data_delete(ctx: Ctx) -> bool:
    return reached(ctx, AGY, lambda: _anonymise_tenant_a(ctx))


CSV = "nom;prenom;email\nDupont;Léa;lea@example.test\n".encode()


def import_create(ctx: Ctx) -> bool:
    return any_reached(
        ctx,
        (
            AGY,
            lambda: data_import.inspect_file(
                **_s(ctx), actor=ctx.actor, kind=DataKind.TENANTS, data=CSV
            ),
        ),
        (
            AGY,
            lambda: data_import.import_file(
                **_s(ctx), actor=ctx.actor, kind=DataKind.TENANTS, data=CSV, dry_run=True
            ),
        ),
    )


def data_list(ctx: Ctx) -> bool:
    return reached(
        ctx,
        AGY,
        lambda: agency_data.list_records(**_s(ctx), actor=ctx.actor, kind=DataKind.TENANTS).ids,
    )


def data_export(ctx: Ctx) -> bool:
    return reached(
        ctx, AGY, lambda: agency_data.export_csv(**_s(ctx), actor=ctx.actor, kind=DataKind.TENANTS)
    )


SERVICE_PROBES: dict[tuple[str, str], Callable[[Ctx], bool]] = {
    ("leases", "list"): leases_list,
    ("leases", "change"): leases_change,
    ("rent_calls", "list"): rent_calls_list,
    ("receipts", "list"): receipts_list,
    ("receipts", "create"): receipts_create,
    ("receipts", "download"): downloading(lambda w: w.receipt_ref),
    ("invoices", "list"): invoices_list,
    ("invoices", "create"): invoices_create,
    ("invoices", "download"): downloading(lambda w: w.invoice_ref),
    ("documents", "list"): documents_list,
    ("documents", "download"): downloading(lambda w: w.document_a_ref),
    ("documents", "create"): documents_create,
    ("documents", "delete"): documents_delete,
    ("mandate_documents", "download"): downloading(lambda w: w.mandate_ref),
    ("document_requests", "list"): requests_list,
    ("document_requests", "create"): requests_create,
    ("document_requests", "change"): requests_change,
    ("uploads", "list"): uploads_list,
    ("uploads", "download"): downloading(lambda w: w.upload_ref),
    ("owner_uploads", "create"): owner_uploads_create,
    ("conversations", "list"): conversations_list,
    ("conversations", "view"): conversations_view,
    ("conversations", "change"): conversations_change,
    ("messages", "create"): messages_create,
    ("management_reports", "list"): reports_list,
    ("management_reports", "view"): reports_view,
    ("management_reports", "create"): reports_create,
    ("news", "list"): news_list,
    ("news", "view"): news_view,
    ("news", "download"): news_image,
    ("news", "create"): news_create,
    ("news", "change"): news_change,
    ("outbox", "list"): outbox_list,
    ("outbox", "view"): outbox_view,
    ("outbox", "change"): outbox_change,
    ("audit_journal", "list"): journal_list,
    ("access_management", "list"): access_list,
    ("access_management", "change"): access_change,
    ("staff_accounts", "list"): staff_list,
    ("staff_accounts", "create"): staff_create,
    ("login_sessions", "list"): login_sessions_list,
    ("login_sessions", "change"): login_sessions_change,
    ("two_factor", "change"): two_factor_change,
    ("personal_data", "download"): personal_data_download,
    ("owner_expenses", "list"): owner_expenses_list,
    ("owner_expenses", "create"): owner_expenses_create,
    ("owner_expenses", "delete"): owner_expenses_delete,
    ("personal_data", "delete"): personal_data_delete,
    ("staff_two_factor", "change"): staff_two_factor_change,
    ("import", "create"): import_create,
    ("data_screens", "list"): data_list,
    ("data_screens", "download"): data_export,
}
