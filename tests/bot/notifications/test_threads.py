"""The channel thread key: a channel id with and without its `;messageid=` thread suffix."""

from __future__ import annotations

from bot.notifications.threads import base_conversation_id, thread_conversation_id

CHANNEL = "19:3f6a9c2e5b8d4a1f7e0c9b2d5a8f1e4c@thread.tacv2"


def test_the_base_of_a_thread_is_its_channel() -> None:
    assert base_conversation_id(f"{CHANNEL};messageid=1700000000000") == CHANNEL
    assert base_conversation_id(CHANNEL) == CHANNEL
    assert base_conversation_id("a:1personal") == "a:1personal"


def test_a_thread_id_names_its_root_in_the_channel() -> None:
    assert thread_conversation_id(CHANNEL, "17") == f"{CHANNEL};messageid=17"
    # a thread of a thread is a thread of the channel: the old root is replaced
    assert thread_conversation_id(f"{CHANNEL};messageid=16", "17") == f"{CHANNEL};messageid=17"
    assert base_conversation_id(thread_conversation_id(CHANNEL, "17")) == CHANNEL
