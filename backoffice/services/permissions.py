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
