"""Staff accounts, their sign-ins and their sessions."""
