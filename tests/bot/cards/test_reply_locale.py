"""The locale a reply carries: one per language, the same for answers, plain messages and
notifications."""

from __future__ import annotations

from bot.cards.answer_cards import reply_activity
from bot.cards.plain import plain_message, reply_locale
from bot.notifications.delivery import notification_activity
from bot.notifications.outbox import Notification
from knowledge.answers.answers import Greeting, Language


def test_each_language_has_its_locale() -> None:
    assert reply_locale(Language.NB) == "nb-NO"
    assert reply_locale(Language.EN) == "en-US"
    assert reply_locale("nb") == "nb-NO"   # a notification stores the language's code
    assert reply_locale("de") == "en-US"   # anything else is answered in English


def test_every_kind_of_reply_carries_it() -> None:
    for language, locale in ((Language.NB, "nb-NO"), (Language.EN, "en-US")):
        assert reply_activity(Greeting(language)).locale == locale
        assert plain_message("hei", language).locale == locale
        notice = Notification(title="Endret", text="", language=language.value)
        assert notification_activity(notice).locale == locale
