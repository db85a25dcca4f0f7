"""Talking to the Bot Framework connector service: the adapter, outbound HTTP, retries, reading and
serialising activities.
"""
