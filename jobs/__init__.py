"""Background jobs run by RQ workers; each job is a thin wrapper around a service function."""
