"""All tables, imported here so that SQLModel.metadata (and Alembic) knows every one."""

from extranet_app.models.agency import AgencySettings
from extranet_app.models.audit import AuditEvent, LoginAttempt
from extranet_app.models.data_import import ImportMapping
from extranet_app.models.documents import (
    Document,
    DocumentCategory,
    DocumentRequest,
    DocumentRequestStatus,
    DocumentSource,
)
from extranet_app.models.leases import (
    Lease,
    LeaseKind,
    LeaseTenant,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    RentCall,
    RentCallLine,
)
from extranet_app.models.messaging import Message, Thread, ThreadCategory, ThreadStatus
from extranet_app.models.news import NewsAudience, NewsItem, NewsRead
from extranet_app.models.outbox import OutboxEmail, OutboxStatus
from extranet_app.models.people import Owner, Tenant
from extranet_app.models.properties import (
    Lot,
    LotKind,
    ManagementMandate,
    MandateLot,
    Ownership,
    Property,
    ReportingPeriod,
)
from extranet_app.models.reports import (
    ManagementReport,
    ManagementReportLine,
    OwnerExpense,
    ReportKind,
)
from extranet_app.models.sections import SectionSetting
from extranet_app.models.users import AuthSession, Invitation, RecoveryCode, User

__all__ = [
    "AgencySettings",
    "AuditEvent",
    "AuthSession",
    "Document",
    "DocumentCategory",
    "DocumentRequest",
    "DocumentRequestStatus",
    "DocumentSource",
    "ImportMapping",
    "Invitation",
    "Lease",
    "LeaseKind",
    "LeaseTenant",
    "LoginAttempt",
    "Lot",
    "LotKind",
    "ManagementMandate",
    "ManagementReport",
    "ManagementReportLine",
    "MandateLot",
    "Message",
    "NewsAudience",
    "NewsItem",
    "NewsRead",
    "OutboxEmail",
    "OutboxStatus",
    "Owner",
    "OwnerExpense",
    "Ownership",
    "Payment",
    "PaymentAllocation",
    "PaymentMethod",
    "Property",
    "RecoveryCode",
    "RentCall",
    "RentCallLine",
    "ReportKind",
    "ReportingPeriod",
    "SectionSetting",
    "Tenant",
    "Thread",
    "ThreadCategory",
    "ThreadStatus",
    "User",
]
