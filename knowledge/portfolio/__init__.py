"""The portfolio database and its snapshot: contract, reading, validation, sync, model, events,
demo data.
"""
