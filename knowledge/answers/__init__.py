"""Typed answers, how a question becomes one, their wording in each language, and evaluation."""
