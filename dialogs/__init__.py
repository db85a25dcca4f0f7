"""Multi-turn conversations (botbuilder-dialogs): status updates, subscriptions, clarifications."""
