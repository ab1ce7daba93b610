"""The data model; importing this package registers every table with the metadata."""

from .audit import AuditEntry, ImportRun, Source
from .common import Status, utcnow
from .gazetteer import PostcodePlace
from .location import Location
from .offer import CostKind, Offer, OfferSession, OfferType, offer_locations
from .organization import Organization, OrganizationKind
from .outbox import IndexOutbox
from .population import PopulationFigure
from .reach import ReachLayer, ReachResult, ReachRun
from .region import Region
from .report import ChangeReport, ReportKind, ReportStatus
from .taxonomy import Term, Vocabulary
from .user import LoginThrottle, Role, User

__all__ = [
    "AuditEntry",
    "ChangeReport",
    "CostKind",
    "ImportRun",
    "IndexOutbox",
    "Location",
    "LoginThrottle",
    "Offer",
    "OfferSession",
    "OfferType",
    "Organization",
    "OrganizationKind",
    "PopulationFigure",
    "PostcodePlace",
    "ReachLayer",
    "ReachResult",
    "ReachRun",
    "Region",
    "ReportKind",
    "ReportStatus",
    "Role",
    "Source",
    "Status",
    "Term",
    "User",
    "Vocabulary",
    "offer_locations",
    "utcnow",
]
