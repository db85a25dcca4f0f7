"""The host: settings, the aiohttp app, the Teams activity handler, cards and the command line."""
