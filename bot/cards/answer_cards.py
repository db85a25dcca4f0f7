"""Answers as Adaptive Cards (version 1.4, which Teams renders on desktop, web and mobile).

A reply with a card is one message: the card and nothing else to show. Teams shows an
activity's `text` above its card, so the words would appear twice; the plain-text rendering
of the same answer goes instead into the activity's `summary` (what Teams shows in
notifications and the activity feed) and the card's `fallbackText` (what a client that
cannot render the card shows), so every fact still reaches them (`card_message`,
`shown_text`). Replies without a card are plain text (`bot.cards.plain`). Values that come
from the portfolio database or from users are made inert before they go into a card: no
markdown, links or card JSON of theirs is ever interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.cards.payloads import (
    AskPayload,
    CommandPayload,
    FollowupPayload,
    NoneOfThesePayload,
    StatusFormPayload,
)
from bot.cards.plain import reply_locale
from bot.cards.project_links import ProjectLinks
from knowledge.answers.answers import (
    Answer,
    Clarification,
    FaqAnswer,
    Followup,
    Greeting,
    Help,
    Intent,
    Language,
    MemberView,
    MyProjects,
    NotFound,
    NotUnderstood,
    PersonProjects,
    PortfolioSummary,
    ProgrammeFact,
    ProjectFact,
    ProjectList,
    ProjectOverview,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
    ProjectView,
    StatusPosted,
    Thanks,
    TransferView,
    WhichSubject,
)
from knowledge.answers.phrases import (
    HEALTH,
    PHASE,
    ROLE,
    TEXT,
    TRANSFER,
    command_help,
    format_age,
    format_date,
    say,
)
from knowledge.answers.plain_text import (
    list_head,
    page_line,
    person_label,
    project_label,
    render,
    summary_lines,
    transfer_sentence,
)
from knowledge.portfolio.model import Health, Role
from knowledge.portfolio.status_rules import MAX_SUMMARY

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
REFRESH_CARD_VERSION = "1.5"   # cards that stay current (refresh, Action.Execute)
REFRESH_VERB = "refreshProject"
HEALTH_COLOUR = {Health.GREEN: "Good", Health.YELLOW: "Warning", Health.RED: "Attention"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


class CardAttachment(Attachment):  # type: ignore[misc]
    """An Adaptive Card attachment whose finished content is shared, not copied.

    botbuilder deep-copies every outgoing activity; copying a card value by value costs more
    than everything else in the reply, and a finished card is never changed."""

    def __deepcopy__(self, memo: dict[int, Any]) -> CardAttachment:
        return CardAttachment(content_type=self.content_type, content=self.content,
                              content_url=self.content_url, name=self.name,
                              thumbnail_url=self.thumbnail_url)


def inert(value: str) -> str:
    """`value` with every markdown character escaped, so a TextBlock shows it literally."""
    return _MARKDOWN.sub(r"\\\1", value)


@dataclass
class CardBuilder:
    """Collects a card's body and actions; `build` returns the Adaptive Card JSON."""

    body: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    refresh: dict[str, Any] | None = None
    version: str = CARD_VERSION

    def title(self, text: str) -> CardBuilder:
        self.body.append({"type": "TextBlock", "text": inert(text), "weight": "Bolder",
                          "size": "Medium", "wrap": True})
        return self

    def text(self, text: str, *, colour: str | None = None, subtle: bool = False,
             bold: bool = False) -> CardBuilder:
        block: dict[str, Any] = {"type": "TextBlock", "text": inert(text), "wrap": True}
        if colour:
            block["color"] = colour
        if subtle:
            block["isSubtle"] = True
        if bold:
            block["weight"] = "Bolder"
        self.body.append(block)
        return self

    def facts(self, facts: Iterable[tuple[str, str]]) -> CardBuilder:
        items = [{"title": inert(k), "value": inert(v)} for k, v in facts if v]
        if items:
            self.body.append({"type": "FactSet", "facts": items})
        return self

    def ask_button(self, label: str, question: str) -> CardBuilder:
        """A button that sends `question` as if the user had typed it."""
        return self.data_button(label, AskPayload(question).to_value())

    def command_button(self, label: str, command: str) -> CardBuilder:
        """A button that sends the command `command` as if the user had typed it."""
        return self.data_button(label, CommandPayload(command).to_value())

    def followup_button(self, label: str, followup: Followup) -> CardBuilder:
        return self.data_button(label, FollowupPayload(followup).to_value())

    def data_button(self, label: str, data: dict[str, Any]) -> CardBuilder:
        """A button that sends `data`: a payload's value (`bot.cards.payloads`)."""
        self.actions.append({"type": "Action.Submit", "title": label[:80], "data": dict(data)})
        return self

    def link_button(self, label: str, url: str) -> CardBuilder:
        """A button that opens `url` in the browser."""
        self.actions.append({"type": "Action.OpenUrl", "title": label[:80], "url": url})
        return self

    def none_button(self, language: Language) -> CardBuilder:
        return self.data_button(TEXT["none_of_these"][language],
                                NoneOfThesePayload(language).to_value())

    def build(self, fallback: str) -> dict[str, Any]:
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": self.version, "body": self.body,
            "fallbackText": fallback, "msteams": {"width": "Full"},
        }
        if self.actions:
            card["actions"] = self.actions
        if self.refresh is not None:
            card["refresh"] = self.refresh
        return card

    def refreshed_by(self, verb: str, data: dict[str, Any], title: str,
                     fallback: dict[str, Any]) -> CardBuilder:
        """A card that stays current (Universal Actions): Teams sends `verb` with `data` when
        someone opens it (automatically in conversations of up to 60 people) and shows the
        card the bot answers; an "Oppdater" button does the same for everyone, falling back
        to `fallback`'s data as an Action.Submit where Action.Execute is unknown."""
        execute = {"type": "Action.Execute", "verb": verb, "data": data, "title": title}
        self.refresh = {"action": dict(execute)}
        self.actions.append({**execute, "fallback": {"type": "Action.Submit", "title": title,
                                                     "data": fallback}})
        self.version = REFRESH_CARD_VERSION
        return self


def card_message(card: dict[str, Any], summary: str, language: Language | str) -> Activity:
    """One message showing `card` only: `summary`, its plain-text form, is the activity's
    `summary` (Teams' notification and activity feed line), and the card's `fallbackText`
    when it has none; the activity has no `text`, which Teams would show above the card."""
    card.setdefault("fallbackText", summary)
    return Activity(   # textFormat plain: nothing of it is ever read as markdown
        type=ActivityTypes.message, summary=summary, text_format="plain",
        attachments=[CardAttachment(content_type=CARD_CONTENT_TYPE, content=card)],
        locale=reply_locale(language),
    )


def shown_text(activity: Activity) -> str:
    """What a person reads of a message built here, as plain text: its `text` when it has
    one (a plain reply), otherwise its summary or its card's fallback text."""
    if activity.text:
        return str(activity.text)
    if activity.summary:
        return str(activity.summary)
    for attachment in activity.attachments or []:
        card = attachment.content
        if isinstance(card, dict) and isinstance(card.get("fallbackText"), str):
            return str(card["fallbackText"])
    return ""


def reply_activity(answer: Answer, links: ProjectLinks | None = None) -> Activity:
    """The message activity for `answer`: its Adaptive Card, with the plain text as summary;
    with `links`, a card about one project has a button to its page in the portfolio."""
    text = render(answer)
    return card_message(project_card(answer, links).build(text), text, answer.language)


def project_card(answer: Answer, links: ProjectLinks | None) -> CardBuilder:
    """`answer`'s card; about one project and with `links`, with "Åpne i porteføljen"."""
    builder = answer_card(answer)
    project = getattr(answer, "project", None)
    if not isinstance(project, ProjectView):
        return builder
    if links is not None:
        builder.link_button(TEXT["open_in_portfolio"][answer.language],
                            links.url_for(project.code))
    view = refresh_view(answer)
    if view is not None:
        language = answer.language
        builder.refreshed_by(
            REFRESH_VERB, {"project": project.code, "view": view, "lang": language.value},
            TEXT["refresh"][language],
            AskPayload(REFRESH_QUESTION[view][language].format(code=project.code)).to_value())
    return builder


def refresh_view(answer: Answer) -> str | None:
    """Which card of a project a refresh rebuilds: the intent the answer shows."""
    if isinstance(answer, ProjectPeople):
        return answer.focus.value
    if isinstance(answer, ProjectStatus):
        return Intent.STATUS.value
    if isinstance(answer, ProjectTransfer):
        return Intent.TRANSFER.value
    if isinstance(answer, ProjectOverview):
        return Intent.OVERVIEW.value
    return None


# What the refresh button asks where Teams cannot run Action.Execute (older clients).
REFRESH_QUESTION = {
    "owner": {Language.NB: "Hvem eier {code}?", Language.NN: "Kven eig {code}?",
              Language.EN: "Who owns {code}?"},
    "manager": {Language.NB: "Hvem leder {code}?", Language.NN: "Kven leier {code}?",
                Language.EN: "Who leads {code}?"},
    "people": {Language.NB: "Hvem er med i {code}?", Language.NN: "Kven er med i {code}?",
               Language.EN: "Who is on {code}?"},
    "status": {Language.NB: "Hva er status på {code}?", Language.NN: "Kva er status for {code}?",
               Language.EN: "What is the status of {code}?"},
    "transfer": {Language.NB: "Er {code} overført?", Language.NN: "Vart {code} overført?",
                 Language.EN: "Was {code} transferred?"},
    "overview": {Language.NB: "Fortell om {code}", Language.NN: "Fortel om {code}",
                 Language.EN: "Tell me about {code}"},
}


def with_note(activity: Activity, note: str) -> Activity:
    """`activity` (a reply built here) with `note` added below its card, its summary and its
    fallback text (or below its text, if it is a plain reply)."""
    if activity.text or not activity.attachments:
        activity.text = f"{activity.text}\n\n{note}" if activity.text else note
        return activity
    activity.summary = f"{activity.summary}\n\n{note}" if activity.summary else note
    for attachment in activity.attachments or []:
        card = attachment.content
        if attachment.content_type == CARD_CONTENT_TYPE and isinstance(card, dict):
            card["body"] = [*card.get("body", []), {
                "type": "TextBlock", "text": inert(note), "wrap": True, "isSubtle": True,
                "color": "Warning"}]
            card["fallbackText"] = activity.summary
    return activity


def _examples(builder: CardBuilder, examples: Sequence[str]) -> CardBuilder:
    """A button per example question (the connected portfolio's, `knowledge.answers.examples`)
    that asks it as if typed."""
    for question in examples:
        builder.ask_button(question, question)
    return builder


@singledispatch
def answer_card(answer: Answer) -> CardBuilder:
    """The card for an answer type without a dedicated layout: its plain text."""
    return CardBuilder().text(render(answer))


@answer_card.register
def _(answer: Greeting) -> CardBuilder:
    return _examples(CardBuilder().text(say("greeting", answer.language)), answer.examples)


@answer_card.register
def _(answer: Thanks) -> CardBuilder:
    return CardBuilder().text(say("thanks", answer.language))


@answer_card.register
def _(answer: Help) -> CardBuilder:
    # A card's buttons always come last, so the commands go first and the intro, which ends
    # "Prøv for eksempel:", stands right above its example buttons.
    builder = CardBuilder().text(say("help_card_commands", answer.language), bold=True).facts(
        command_help(answer.language))
    return _examples(builder.text(say("help_intro", answer.language)), answer.examples)


@answer_card.register
def _(answer: WhichSubject) -> CardBuilder:
    return _examples(CardBuilder().text(say("which_subject", answer.language)),
                     answer.examples[:3])


@answer_card.register
def _(answer: NotUnderstood) -> CardBuilder:
    return _examples(CardBuilder().text(say("not_understood", answer.language)),
                     answer.examples)


@answer_card.register
def _(answer: NotFound) -> CardBuilder:
    builder = CardBuilder().text(say("not_found", answer.language, mention=answer.mention))
    if answer.followups:
        builder.text(say("did_you_mean", answer.language), subtle=True)
        for candidate, followup in zip(answer.suggestions, answer.followups, strict=False):
            builder.followup_button(candidate.label, followup)
    return builder


@answer_card.register
def _(answer: Clarification) -> CardBuilder:
    builder = CardBuilder().text(say("clarify", answer.language, mention=answer.mention))
    for index, candidate in enumerate(answer.candidates):
        label = f"{candidate.label} ({candidate.detail})" if candidate.detail else candidate.label
        if index < len(answer.button_data):
            builder.data_button(label, answer.button_data[index])
        elif index < len(answer.commands):
            builder.command_button(label, answer.commands[index])
        elif index < len(answer.followups):
            builder.followup_button(label, answer.followups[index])
    return builder.none_button(answer.language)


def member_facts(members: Iterable[MemberView], language: Language) -> list[tuple[str, str]]:
    """A project's other people as facts laid out like its owner and manager: the role as
    the label, the person (title, organisation) as the value."""
    return [((m.member_role or ROLE[m.role][language]).capitalize(),
             person_label(m.person, language)) for m in members]


@answer_card.register
def _(answer: ProjectPeople) -> CardBuilder:
    language = answer.language
    builder = CardBuilder().title(project_label(answer.project))
    if answer.focus in (Intent.OWNER, Intent.MANAGER):
        builder.text(render(answer))
    facts = [
        (ROLE[Role.OWNER][language].capitalize(), person_label(answer.owner, language)),
        (ROLE[Role.MANAGER][language].capitalize(), person_label(answer.manager, language)),
    ]
    facts += member_facts(answer.members, language)
    return builder.facts(facts)


@answer_card.register
def _(answer: ProjectStatus) -> CardBuilder:
    language, report = answer.language, answer.report
    builder = CardBuilder().title(project_label(answer.project))
    if report is None:
        return builder.text(say("no_status", language, project=project_label(answer.project)))
    builder.text(f"{TEXT['overview_status'][language]}: {HEALTH[report.health][language]}",
                 colour=HEALTH_COLOUR[report.health], bold=True)
    builder.text(report.summary)
    builder.facts([
        (TEXT["label_date"][language], f"{format_date(report.reported_at, language)} "
                                f"({format_age(report.age_days, language)})"),
        (TEXT["label_reported_by"][language], report.author.name if report.author else ""),
    ])
    if report.age_days > answer.stale_after_days:
        builder.text(say("status_stale", language, days=answer.stale_after_days),
                     colour="Warning", subtle=True)
    return builder


@answer_card.register
def _(answer: ProjectTransfer) -> CardBuilder:
    language, transfer = answer.language, answer.transfer
    builder = CardBuilder().title(project_label(answer.project))
    builder.text(transfer_sentence(answer.project, transfer, language))
    if transfer is not None:
        builder.facts(_transfer_facts(transfer, language))
    return builder


def _transfer_facts(transfer: TransferView, language: Language) -> list[tuple[str, str]]:
    return [
        (TEXT["overview_status"][language], TRANSFER[transfer.status][language]),
        (TEXT["label_from"][language], transfer.from_organization or ""),
        (TEXT["label_to"][language], transfer.to_organization or ""),
        (TEXT["label_date"][language], format_date(transfer.effective_date, language)
         if transfer.effective_date else ""),
        (TEXT["label_note"][language], transfer.note or ""),
    ]


@answer_card.register
def _(answer: ProjectOverview) -> CardBuilder:
    language = answer.language
    label = TEXT
    builder = CardBuilder().title(project_label(answer.project))
    if answer.description:
        builder.text(answer.description)
    end = (format_date(answer.planned_end_date, language) if answer.planned_end_date
           else label["open_ended"][language])
    facts = [
        (label["overview_phase"][language], PHASE[answer.phase][language]),
        (label["overview_programme"][language], answer.programme or ""),
        (label["overview_organization"][language], answer.organization or ""),
        (label["overview_period"][language],
         f"{format_date(answer.start_date, language)} – {end}"),
        (ROLE[Role.OWNER][language].capitalize(), person_label(answer.owner, language)),
        (ROLE[Role.MANAGER][language].capitalize(), person_label(answer.manager, language)),
    ]
    facts += member_facts(answer.members, language)
    report = answer.report
    facts.append((label["overview_status"][language],
                  f"{HEALTH[report.health][language]} ({format_date(report.reported_at, language)})"
                  f": {report.summary}" if report else label["no_report_short"][language]))
    facts.append((label["overview_transfer"][language],
                  transfer_sentence(answer.project, answer.transfer, language)))
    return builder.facts(facts)


@answer_card.register
def _(answer: PersonProjects) -> CardBuilder:
    language = answer.language
    builder = CardBuilder().title(person_label(answer.person, language))
    lines = render(answer).splitlines()
    builder.text(lines[0])
    return builder.facts(
        (project_label(a.project),
         f"{a.member_role or ROLE[a.role][language]} ({PHASE[a.phase][language]})")
        for a in answer.assignments
    )


@answer_card.register
def _(answer: ProjectList) -> CardBuilder:
    language = answer.language
    if answer.unsupported and answer.filters.is_empty():
        return CardBuilder().text(render(answer))
    builder = CardBuilder()
    if answer.unsupported:
        builder.text(say("cannot_filter", language, words=" ".join(answer.unsupported)),
                     colour="Warning")
    builder.text(list_head(answer), bold=True)
    if answer.count_only:
        return builder
    if answer.first and answer.first >= answer.total:
        builder.text(say("list_end", language, total=answer.total), subtle=True)
    elif answer.first:
        builder.text(page_line(answer), subtle=True)
    builder.facts(
        (project_label(item.project), f"{PHASE[item.phase][language]}, " + (
            HEALTH[item.health][language] if item.health else TEXT["no_report_short"][language]))
        for item in answer.shown
    )
    if answer.after_shown:
        builder.text(say("list_more", language, more=answer.after_shown), subtle=True)
    return builder


@answer_card.register
def _(answer: ProjectFact) -> CardBuilder:
    """The project as title, the fact below it; a status history as dated lines."""
    language = answer.language
    builder = CardBuilder().title(project_label(answer.project))
    if answer.fact is not Intent.HISTORY or not answer.reports:
        return builder.text(render(answer))
    builder.text(say("history_heading", language), subtle=True)
    for report in answer.reports:
        author = f" · {report.author.name}" if report.author else ""
        builder.text(f"{format_date(report.reported_at, language)}: "
                     f"{HEALTH[report.health][language]}{author}",
                     colour=HEALTH_COLOUR[report.health], bold=True)
        builder.text(report.summary)
    if len(answer.reports) == 1:
        builder.text(say("history_only_one", language), subtle=True)
    return builder


@answer_card.register
def _(answer: ProgrammeFact) -> CardBuilder:
    lines = render(answer).splitlines()
    label = f"{answer.short_name} ({answer.name})" if answer.short_name else answer.name
    builder = CardBuilder().title(label).text(lines[0], bold=True)
    for line in lines[1:]:
        builder.text(line, subtle=line == answer.description)
    return builder


@answer_card.register
def _(answer: PortfolioSummary) -> CardBuilder:
    """The total as title, a fact per dimension (status, phase, transfer), the red projects."""
    language = answer.language
    head, *rows = summary_lines(answer)
    builder = CardBuilder().title(head)
    builder.facts(_label_value(row) for row in rows)
    if not answer.red:
        return builder.text(say("summary_no_red", language), colour="Good")
    builder.text(say("summary_red", language), colour="Attention", bold=True)
    builder.facts((project_label(item.project), PHASE[item.phase][language])
                  for item in answer.red[: answer.shown_limit])
    if answer.red_total > answer.shown_limit:
        builder.text(say("list_more", language, more=answer.red_total - answer.shown_limit),
                     subtle=True)
    return builder


def _label_value(row: str) -> tuple[str, str]:
    label, _, value = row.partition(": ")
    return label, value


@answer_card.register
def _(answer: FaqAnswer) -> CardBuilder:
    builder = CardBuilder().text(answer.question, bold=True).text(answer.answer)
    if answer.language is Language.EN:
        builder.text(say("faq_source", answer.language, question=answer.question), subtle=True)
    return builder



@answer_card.register
def _(answer: StatusPosted) -> CardBuilder:
    language, report = answer.language, answer.report
    builder = CardBuilder().title(project_label(answer.project))
    builder.text(say("status_posted", language, project=project_label(answer.project),
                     health=HEALTH[report.health][language]),
                 colour=HEALTH_COLOUR[report.health], bold=True)
    builder.text(report.summary)
    return builder.facts([
        (TEXT["label_date"][language],
         f"{format_date(report.reported_at, language)} {report.reported_at:%H:%M} UTC"),
        (TEXT["label_reported_by"][language], report.author.name if report.author else ""),
    ])


@answer_card.register
def _(answer: MyProjects) -> CardBuilder:
    language = answer.language
    if answer.person is None or not answer.projects:
        return CardBuilder().text(render(answer))
    builder = CardBuilder().text(say("my_projects", language), bold=True)
    facts = []
    for led in answer.projects:
        status = TEXT["no_report_short"][language] if led.report is None else (
            f"{HEALTH[led.report.health][language]}, {format_age(led.report.age_days, language)}")
        if led.stale:
            status += f" ⚠ {say('stale_flag', language, days=answer.stale_after_days)}"
        facts.append((f"{project_label(led.project)} ({ROLE[led.role][language]})", status))
    return builder.facts(facts)


class CardPresenter:
    """Questions with buttons and plain messages as activities, for the dialogs."""

    def choices(self, question: str, options: Sequence[tuple[str, str]],
                language: Language) -> Activity:
        builder = CardBuilder().text(question)
        for label, send in options:
            builder.ask_button(label, send)
        return card_message(builder.build(question), question, language)

    def message(self, text: str, language: Language) -> Activity:
        return card_message(CardBuilder().text(text).build(text), text, language)

    def answer(self, answer: Answer) -> Activity:
        return reply_activity(answer)


def status_form(projects: Sequence[tuple[int, str, str]], language: Language) -> Activity:
    """The one-click status form: project, health and summary, submitted together."""
    intro = say("form_intro", language)
    health_choices = [{"title": HEALTH[h][language].capitalize(), "value": h.value}
                      for h in Health]
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": inert(intro), "wrap": True, "weight": "Bolder"},
        {"type": "Input.ChoiceSet", "id": "project", "style": "compact", "isRequired": True,
         "label": TEXT["form_project"][language],
         "choices": [{"title": f"{name} ({code})", "value": str(project_id)}
                     for project_id, code, name in projects],
         "value": str(projects[0][0]) if len(projects) == 1 else None},
        {"type": "Input.ChoiceSet", "id": "health", "style": "expanded", "isRequired": True,
         "label": TEXT["form_health"][language], "choices": health_choices},
        {"type": "Input.Text", "id": "summary", "isMultiline": True, "isRequired": True,
         "maxLength": MAX_SUMMARY, "label": TEXT["form_summary"][language]},
    ]
    body[1] = {k: v for k, v in body[1].items() if v is not None}
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": CARD_VERSION, "body": body,
        "fallbackText": intro,
        "actions": [{"type": "Action.Submit", "title": TEXT["form_submit"][language],
                     "data": StatusFormPayload(language).to_value()}],
    }
    return card_message(card, intro, language)
