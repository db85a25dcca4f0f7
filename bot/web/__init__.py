"""The aiohttp application: routes, start-up and shut-down wiring, the tenant gate, the notify API.
"""
