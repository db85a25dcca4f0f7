"""The bot's own database: schema, migrations, idempotency keys, audit trail, dialog state storage.
"""
