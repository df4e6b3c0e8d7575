"""Accounting sync screens: the failures finance must look at, with Retry."""
