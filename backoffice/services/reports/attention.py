"""What needs someone's attention: emails that failed for good, among the user's companies."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import EmailMessage, EmailStatus, User

from ..scoping import in_companies, scoped


def failed_emails(session: Session, user: User) -> int:
    """Emails the outbox gave up on (status failed), in the companies the user sees."""
    query = select(func.count()).where(EmailMessage.status == EmailStatus.FAILED.value)
    return session.scalar(scoped(query, user, in_companies(EmailMessage.company_id))) or 0
