"""Browser tests: the bot as a person sees it in Microsoft 365 Agents Playground (issue 13)."""
