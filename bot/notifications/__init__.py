"""Subscriptions, the durable outbox, its delivery worker, rate limits and digests."""
