"""The tables, one module per area. Importing this package registers them all with SQLAlchemy."""
from .base import utcnow  # noqa: F401
from .accounts import AuditEvent, Department, InspectorProfile, LoginAttempt, User, UserRole  # noqa: F401
from .directory import CheckItem, CheckPoint, Conflict, Entity  # noqa: F401
from .directory_imports import ImportBatch, ImportRow  # noqa: F401
from .plans import CalendarOverride, Plan, PlanDepartment, PlanItem  # noqa: F401
from .records import InspectionRecord, Media, RecordMember  # noqa: F401
from .draw import Draw, DrawConfirmation, DrawExclusion  # noqa: F401
from .field import FieldSubmission  # noqa: F401
from .publication import CredentialCheck, FollowUpTask, InspectorCredential, PublicationWithdrawal  # noqa: F401
from .review import Amendment, Feedback, ReviewEvent  # noqa: F401
