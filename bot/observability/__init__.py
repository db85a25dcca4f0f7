"""Metrics, log formatting and the record of unanswered questions (store, purge, recorder)."""
