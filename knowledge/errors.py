"""The knowledge package's error types: one base class, one subclass per failure callers handle."""


class KnowledgeError(Exception):
    """Base class for every error raised on purpose by `knowledge`."""


class SyncError(KnowledgeError):
    """A sync pass failed; the previous snapshot stays in use. The message names the cause."""


class DatabaseUrlError(KnowledgeError):
    """A database URL that cannot be used (unknown scheme, unparseable)."""


class DemoDatabaseError(KnowledgeError):
    """`demo-db` refused or failed (tables already there without --force, unreachable server)."""
