"""Who may talk to the bot and how the bot proves who it is: inbound token checks, OpenID keys,
outbound tokens, cloud endpoints.
"""
