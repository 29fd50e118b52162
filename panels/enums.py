"""Enumerations shared by every app (pure: no ORM)."""

from django.db import models


class AgencyKind(models.TextChoices):
    YJS = "yjs", "Youth justice service"
    SECURE_ESTATE = "secure_estate", "Secure estate"
    PROBATION = "probation", "Probation"
    POLICE = "police", "Police"
    SOCIAL_CARE = "social_care", "Children's social care"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    VICTIM_SERVICES = "victim_services", "Victim services"
    VOLUNTARY = "voluntary", "Voluntary sector"


class EstablishmentType(models.TextChoices):
    YOI = "yoi", "Young offender institution"
    STC = "stc", "Secure training centre"
    SCH = "sch", "Secure children's home"


class UserRole(models.TextChoices):
    """A person's role in their own agency. Panel roles are on the membership."""

    MANAGER = "manager", "Service or operations manager"
    COORDINATOR = "coordinator", "Panel coordinator"
    CASE_MANAGER = "case_manager", "Case manager"
    PRACTITIONER = "practitioner", "Practitioner"
    PARTNER = "partner", "Partner agency staff"


# Roles of the owning youth justice service that see every child of the service.
SERVICE_WIDE_ROLES = frozenset({UserRole.MANAGER, UserRole.COORDINATOR})


class PanelKind(models.TextChoices):
    HIGH_RISK = "high_risk", "High Risk Panel"
    EDUCATION = "education", "Education Panel"
    Y2A = "y2a", "Youth to adult (Y2A) Panel"
    RESETTLEMENT = "resettlement", "Resettlement support panel"
    MAPPA = "mappa", "MAPPA liaison"
    CUSTOM = "custom", "Custom panel"


class MembershipRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"
    PARTNER = "partner", "Partner"


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class InviteeRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    REQUIRED = "required", "Required"
    OPTIONAL = "optional", "Optional"
    NON_PARTICIPANT = "non_participant", "For information"


class ResponseStatus(models.TextChoices):
    NEEDS_ACTION = "needs_action", "Not yet replied"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    TENTATIVE = "tentative", "Tentative"
    DELEGATED = "delegated", "Sent a deputy"


class LegalStatus(models.TextChoices):
    REMAND = "remand", "Remand"
    SENTENCED = "sentenced", "Sentenced"
    COMMUNITY = "community", "Community"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed"


class EpisodeKind(models.TextChoices):
    REMAND = "remand", "Remand"
    SENTENCE = "sentence", "Sentence"


class SentenceType(models.TextChoices):
    DTO = "dto", "Detention and Training Order"
    S250 = "s250", "Section 250 detention"
    S90 = "s90", "Section 90 detention"
    YRO = "yro", "Youth Rehabilitation Order"
    REFERRAL_ORDER = "referral_order", "Referral Order"
    REMAND_YDA = "remand_yda", "Remand to youth detention accommodation"
    REMAND_LA = "remand_la", "Remand to local authority accommodation"
    OTHER = "other", "Other"


REMAND_SENTENCE_TYPES = frozenset({SentenceType.REMAND_YDA, SentenceType.REMAND_LA})


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Rosh(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class MappaNumber(models.TextChoices):
    ONE = "1", "1"
    TWO = "2", "2"
    THREE = "3", "3"


class TransferDecision(models.TextChoices):
    TRANSFER = "transfer", "Transfer to probation"
    RETAIN = "retain", "Retain in the youth justice service"
    UNDECIDED = "undecided", "Undecided"


class ReleaseAddressStatus(models.TextChoices):
    """Where the child will live on release (cohort format v2)."""

    NONE = "none", "No address yet"
    PROPOSED = "proposed", "Proposed"
    ASSESSED = "assessed", "Assessed"
    CONFIRMED = "confirmed", "Confirmed"


class AddressKind(models.TextChoices):
    """What kind of place the release address is (the address itself is never stored here in full)."""

    FAMILY_HOME = "family_home", "Family home (parent or carer)"
    RELATIVE_FRIEND = "relative_friend", "Relative or family friend"
    FOSTER = "foster", "Foster care"
    CHILDRENS_HOME = "childrens_home", "Children's home"
    SUPPORTED = "supported", "Supported or semi-independent accommodation"
    INDEPENDENT = "independent", "Independent tenancy"
    HOSTEL = "hostel", "Hostel or approved premises"
    OTHER = "other", "Other"


class EteKind(models.TextChoices):
    """Education, training or employment on release (Enfield: "an education or employment opportunity ready on
    their release")."""

    EDUCATION = "education", "Education (school or college)"
    TRAINING = "training", "Training or apprenticeship"
    EMPLOYMENT = "employment", "Employment"


class Ethnicity(models.TextChoices):
    """The ONS 2021 high-level groups (cohort format v2); used only in reports, never by the agenda rules."""

    ASIAN = "asian", "Asian, Asian British or Asian Welsh"
    BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
    MIXED = "mixed", "Mixed or Multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class Section(models.TextChoices):
    """Confidentiality sections of a child's record and minutes."""

    GENERAL = "general", "General"
    VICTIM = "victim", "Victim"
    HEALTH = "health", "Health"
    POLICE_INTEL = "police_intel", "Police intelligence"


RESTRICTED_SECTIONS = frozenset({Section.VICTIM, Section.HEALTH, Section.POLICE_INTEL})


class NetworkRole(models.TextChoices):
    """The people around a child (Enfield's plan header "Who is in the child's network"; domain.md §4)."""

    SOCIAL_WORKER = "social_worker", "Social worker"
    IRO = "iro", "Independent reviewing officer (IRO)"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser (leaving care)"
    SEN_CASE_MANAGER = "sen_case_manager", "SEN case manager"
    ESTABLISHMENT_CASEWORKER = "establishment_caseworker", "Establishment caseworker"
    PROBATION_OFFICER = "probation_officer", "Probation officer"
    RESETTLEMENT_WORKER = "resettlement_worker", "Resettlement or in-reach worker"
    MENTOR = "mentor", "Mentor"
    PARENT_CARER = "parent_carer", "Parent or carer"
    OTHER = "other", "Other"


FAMILY_ROLES = frozenset({NetworkRole.PARENT_CARER})


class PlanSetting(models.TextChoices):
    """Each pathway of a resettlement plan has a custody row and a community row (Enfield appendix 1)."""

    CUSTODY = "custody", "Custody"
    COMMUNITY = "community", "Community"
