"""Errors a user can act on; views show their message as it is."""


class DomainError(ValueError):
    """A rule refused the request; the message is written for the person who asked."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The acting user's role does not allow this."""
