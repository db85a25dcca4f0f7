"""Telling a conversation, once and unasked, that notifications to it stopped arriving.

Notifications that stop with no sign why are what people complain about most in such apps.
When the delivery worker gives a row up (`dead`: attempts used up, the conversation gone, the
app removed), it queues a *trouble notice* for that conversation (`TroubleNotices.queue`): an
ordinary outbox row whose dedupe key is `delivery-trouble:<id of the conversation's last
delivered row>`. Every row that dies before the next delivery has the same key, so a run of
failures (a streak) gets one notice; the next streak, after something got through, gets its
own. The notice goes through the outbox like any notification, so it is sent when the
conversation can next be reached, within Teams' rate limits, by whichever replica delivers.
Its text is made when it is sent (`TroubleNotices.notification`): how many notifications of
the streak were lost, between which dates, and why in plain words; with nothing left to tell
(the rows were purged) it is withdrawn.

A notice that cannot be delivered either does not queue another (no notice about notices);
it is queued again (`queue`, a dead notice is revived) when another row of the streak dies,
and when the bot is added to the conversation again (`revive`), so it is said when it can be.

One imprecision is accepted: a row that dies after a notice was queued but before it was
sent is counted in that notice, and counted again in the next streak's notice if that
streak began before the row died.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from bot.notifications.outbox import Notification, OutboxRow, OutboxStore
from bot.notifications.threads import base_conversation_id
from bot.storage.schema import outbox
from knowledge.answers.answers import Language
from knowledge.answers.phrases import format_date, say
from knowledge.answers.plain_text import failure_reason

TROUBLE_KEY = "delivery-trouble:"


def is_trouble_notice(row: OutboxRow) -> bool:
    return row.dedupe_key.startswith(TROUBLE_KEY)


@dataclass(frozen=True)
class DeliveryTrouble:
    """The dead notifications of one streak: how many, the first and last queued, and the
    newest one's error."""

    count: int
    first: datetime
    last: datetime
    error: str


class TroubleNotices:
    """Queues, revives and words the trouble notices of one `OutboxStore`."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    async def queue(self, conversation_id: str, language: str) -> bool:
        """Queue the notice for the conversation's current streak, or queue it again if it
        died; True if a row was added or revived."""
        store = self.store
        conversation = base_conversation_id(conversation_id)
        now = store.now()
        async with store.engine.begin() as connection:
            streak = (await connection.execute(
                select(func.max(outbox.c.id)).where(outbox.c.conversation_id == conversation,
                                                    outbox.c.status == "delivered"))).scalar()
            again = {"status": "queued", "attempts": 0, "next_attempt_at": now,
                     "last_error": None, "claimed_until": None}
            statement = (store.database.insert(outbox)
                         .values(conversation_id=conversation,
                                 dedupe_key=f"{TROUBLE_KEY}{streak or 0}", project_id=None,
                                 payload=Notification("", "", language=language).to_json(),
                                 created_at=now, **again)
                         .on_conflict_do_update(index_elements=["conversation_id", "dedupe_key"],
                                                set_=again, where=outbox.c.status == "dead")
                         .returning(outbox.c.id))
            return (await connection.execute(statement)).first() is not None

    async def revive(self, conversation_id: str) -> int:
        """Queue again the conversation's notices that died (the bot is back in it); how many."""
        store = self.store
        statement = (update(outbox).where(
            outbox.c.conversation_id == base_conversation_id(conversation_id),
            outbox.c.dedupe_key.startswith(TROUBLE_KEY), outbox.c.status == "dead")
            .values(status="queued", attempts=0, next_attempt_at=store.now(), last_error=None,
                    claimed_until=None))
        async with store.engine.begin() as connection:
            return int((await connection.execute(statement)).rowcount)

    async def trouble(self, row: OutboxRow) -> DeliveryTrouble | None:
        """The dead notifications of the streak the notice `row` is about, or None."""
        streak = int(row.dedupe_key.removeprefix(TROUBLE_KEY) or 0)
        dead = (outbox.c.conversation_id == row.conversation_id, outbox.c.status == "dead",
                outbox.c.id > streak, ~outbox.c.dedupe_key.startswith(TROUBLE_KEY))
        async with self.store.engine.connect() as connection:
            count, first, last = (await connection.execute(
                select(func.count(), func.min(outbox.c.created_at),
                       func.max(outbox.c.created_at)).where(*dead))).one()
            if not count:
                return None
            error = (await connection.execute(select(outbox.c.last_error).where(*dead)
                                              .order_by(outbox.c.id.desc()).limit(1))).scalar()
        return DeliveryTrouble(int(count), first, last, error or "")

    @staticmethod
    def notification(trouble: DeliveryTrouble, language_code: str) -> Notification:
        """The notice's words, in the language of the notifications it is about."""
        language = Language(language_code) if language_code in {
            item.value for item in Language} else Language.NB
        first, last = format_date(trouble.first, language), format_date(trouble.last, language)
        when = first if first == last else say("trouble_between", language, first=first,
                                                 last=last)
        key = "trouble_text_one" if trouble.count == 1 else "trouble_text"
        return Notification(
            title=say("trouble_title", language),
            text=say(key, language, count=trouble.count, when=when,
                     why=failure_reason(trouble.error, language)),
            language=language.value)
