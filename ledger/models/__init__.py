"""The ledger's tables. Importing this package registers every model on ``Base.metadata``."""

from ledger.base import Base
from ledger.models.access import ApiKey, ServerSecret
from ledger.models.audit import AuditEntry
from ledger.models.history import Contribution, LifeEvent, Objection, OfficerRuling, PlacementConfirmation
from ledger.models.money import Claim, SubsidyDecision
from ledger.models.payments import ClaimLine, PaymentRun
from ledger.models.people import (
    AgencyAuthorisation,
    ConsentRecord,
    Household,
    Person,
    Recognition,
    RecognitionStepRow,
    ServiceContact,
    TierAssignment,
)
from ledger.models.work import (
    Employer,
    HrAgency,
    JobFair,
    JobPosting,
    JobPush,
    Placement,
    PostingChange,
    TrainingRecord,
)

__all__ = [
    "AgencyAuthorisation",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Claim",
    "ClaimLine",
    "Contribution",
    "ConsentRecord",
    "Employer",
    "HrAgency",
    "Household",
    "JobFair",
    "JobPosting",
    "JobPush",
    "LifeEvent",
    "Objection",
    "OfficerRuling",
    "PaymentRun",
    "Person",
    "Placement",
    "PlacementConfirmation",
    "PostingChange",
    "Recognition",
    "RecognitionStepRow",
    "ServerSecret",
    "ServiceContact",
    "SubsidyDecision",
    "TierAssignment",
    "TrainingRecord",
]
