"""The one permission table: which role may do what (PRODUCT.md, "Who uses it")."""

from enum import StrEnum

from models import Role, User

from .errors import PermissionDenied


class Action(StrEnum):
    VIEW = "view"
    EXPORT = "export"
    EDIT_CUSTOMER = "edit_customer"
    DELETE_CUSTOMER = "delete_customer"
    EDIT_PRODUCT = "edit_product"
    EDIT_DRAFT = "edit_draft"
    DELETE_DRAFT = "delete_draft"
    ISSUE = "issue"
    SEND = "send"
    RESEND = "resend"
    VOID = "void"
    CREDIT = "credit"
    RECORD_PAYMENT = "record_payment"
    VIEW_REPORTS = "view_reports"
    APPROVE = "approve"
    RETRY_JOBS = "retry_jobs"
    RUN_SYNC = "run_sync"
    RUN_BULK = "run_bulk"
    MANAGE_SETTINGS = "manage_settings"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.FINANCE: frozenset(
        {
            Action.VIEW,
            Action.EXPORT,
            Action.EDIT_CUSTOMER,
            Action.DELETE_CUSTOMER,
            Action.EDIT_PRODUCT,
            Action.EDIT_DRAFT,
            Action.DELETE_DRAFT,
            Action.ISSUE,
            Action.SEND,
            Action.RESEND,
            Action.VOID,
            Action.CREDIT,
            Action.RECORD_PAYMENT,
            Action.VIEW_REPORTS,
            Action.RETRY_JOBS,
            Action.RUN_SYNC,
            Action.RUN_BULK,
        }
    ),
    Role.SUPPORT: frozenset({Action.VIEW, Action.EDIT_CUSTOMER, Action.EDIT_DRAFT, Action.RESEND}),
    Role.MANAGER: frozenset({Action.VIEW, Action.EXPORT, Action.VIEW_REPORTS, Action.APPROVE}),
}


def can(user: User | None, action: Action) -> bool:
    """Tell whether an active user's role allows an action."""
    if user is None or not user.is_active:
        return False
    return action in ROLE_ACTIONS.get(Role(user.role), frozenset())


def require(user: User | None, action: Action) -> None:
    """Refuse with PermissionDenied unless the user may perform the action."""
    if not can(user, action):
        role = user.role if user is not None else "anonymous"
        allowed = " or ".join(roles_allowed(action))
        raise PermissionDenied(
            f"Your role ({role}) may not {action.value.replace('_', ' ')}; "
            f"ask someone with the {allowed} role."
        )


def roles_allowed(action: Action) -> list[Role]:
    """List the roles that may perform an action, to tell a refused user whom to ask."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


# What each role is for, in the words of PRODUCT.md: a refused person reads why.
ROLE_SUMMARIES: dict[Role, str] = {
    Role.ADMIN: "Admins may do everything.",
    Role.FINANCE: (
        "Finance staff run invoicing (customers, products, invoices, credit notes, payments, "
        "reports) but do not change users, companies or settings."
    ),
    Role.SUPPORT: (
        "Support staff can read customer-facing records, edit customers and draft invoices "
        "and resend invoices already sent, but cannot issue, send, void, credit, delete or "
        "record payments."
    ),
    Role.MANAGER: (
        "Managers can read every record, the reports and the dashboard, and approve credit "
        "notes, but cannot change records."
    ),
}
ACTION_WORDS: dict[Action, str] = {
    Action.VIEW: "Reading records",
    Action.EXPORT: "Exporting lists",
    Action.EDIT_CUSTOMER: "Changing customers",
    Action.DELETE_CUSTOMER: "Deleting customers",
    Action.EDIT_PRODUCT: "Changing products",
    Action.EDIT_DRAFT: "Creating and editing draft invoices",
    Action.DELETE_DRAFT: "Deleting draft invoices",
    Action.ISSUE: "Issuing invoices",
    Action.SEND: "Sending invoices",
    Action.RESEND: "Resending invoices",
    Action.VOID: "Voiding invoices",
    Action.CREDIT: "Issuing credit notes",
    Action.RECORD_PAYMENT: "Recording payments",
    Action.VIEW_REPORTS: "Reading reports",
    Action.APPROVE: "Approving credit notes and write-offs",
    Action.RETRY_JOBS: "Retrying background jobs",
    Action.RUN_BULK: "Running bulk actions on invoices",
    Action.MANAGE_SETTINGS: "Managing users, companies and settings",
}


def explain_refusal(user: User | None, action: Action | None) -> str:
    """Why a user was refused, from the role table: what their role is for, and who may."""
    parts = []
    if user is not None and getattr(user, "role", None):
        parts.append(ROLE_SUMMARIES.get(Role(user.role), ""))
    if action is not None:
        names = [role.value for role in roles_allowed(action)]
        allowed = " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
        parts.append(f"{ACTION_WORDS[action]} is for the {allowed} role.")
    parts.append("Ask an admin if you need it.")
    return " ".join(part for part in parts if part)
