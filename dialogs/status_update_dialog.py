"""The guided status update: choose one of your projects, its health, write the summary, confirm.

    oppdater status / update status
        │
    choose_project ── (you lead one project: skipped; none: told so, ends)
        │
    choose_health ── grønn / gul / rød
        │
    write_summary ── 1–1,000 characters
        │
    confirm ── lagre / avbryt
        │
    store ──▶ the same post as the one-message form (authorised, stored once, audited)

"avbryt" / "cancel" leaves at any step (the router, `bot.handlers.router`, checks it before
the dialog continues). The words that start, cancel, confirm and decline it are the command
table's (`knowledge.commands.command_words`).
The dialog keeps only plain values (ids, text, language) in its state, so the state survives
a restart of the bot and can continue on another replica.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext, TextPrompt
from botbuilder.schema import Activity

from knowledge.answers.answers import Answer, Language
from knowledge.answers.phrases import HEALTH, say
from knowledge.commands.command_words import CommandName, is_command
from knowledge.language.text import fold, tokens
from knowledge.language.vocabulary import HEALTH_WORDS
from knowledge.portfolio.model import Health
from knowledge.portfolio.status_rules import MAX_SUMMARY

DIALOG_ID = "status_update"


class StatusPresenter(Protocol):
    """How the dialog's questions and answers look: provided by the host (`bot/`)."""

    def choices(self, question: str, options: Sequence[tuple[str, str]],
                language: Language) -> Activity: ...

    def message(self, text: str, language: Language) -> Activity: ...

    def answer(self, answer: Answer) -> Activity: ...


class StatusPoster(Protocol):
    """Where the dialog gets the sender's projects and stores the update: provided by the host."""

    def own_projects(self, turn_context: TurnContext) -> list[tuple[int, str, str]]: ...

    async def post_from_dialog(self, turn_context: TurnContext, project_id: int, health: Health,
                               summary: str, language: Language) -> Answer: ...


def health_of(text: str) -> Health | None:
    words = tokens(text)
    return HEALTH_WORDS.get(words[0]) if len(words) == 1 else None


class StatusUpdateDialog(ComponentDialog):  # type: ignore[misc]
    """The guided status update as a waterfall of named steps."""

    def __init__(self, poster: StatusPoster, presenter: StatusPresenter) -> None:
        super().__init__(DIALOG_ID)
        self.poster = poster
        self.presenter = presenter
        self.add_dialog(WaterfallDialog("status_update_steps", [
            self.choose_project, self.choose_health, self.write_summary, self.confirm,
            self.store,
        ]))
        self.add_dialog(TextPrompt("project_prompt", self._valid_project))
        self.add_dialog(TextPrompt("health_prompt", self._valid_health))
        self.add_dialog(TextPrompt("summary_prompt", self._valid_summary))
        self.add_dialog(TextPrompt("confirm_prompt", self._valid_confirmation))
        self.initial_dialog_id = "status_update_steps"

    # ----------------------------------------------------------------- steps
    async def choose_project(self, step: WaterfallStepContext) -> DialogTurnResult:
        language = _language(step.options)
        step.values["lang"] = language.value
        projects = self.poster.own_projects(step.context)
        if not projects:
            await step.context.send_activity(
                self.presenter.message(say("my_projects_none", language), language))
            return await step.end_dialog()
        if len(projects) == 1:
            return await step.next(projects[0][1])
        return await step.prompt("project_prompt", self._prompt(
            self.presenter.choices(say("dialog_choose_project", language),
                                   [(f"{name} ({code})", code) for _, code, name in projects],
                                   language),
            say("dialog_choose_project", language), language))

    async def choose_health(self, step: WaterfallStepContext) -> DialogTurnResult:
        language = Language(step.values["lang"])
        project_id = self._project_id(step.context, str(step.result))
        step.values["project_id"] = project_id
        options = [(HEALTH[h][language].capitalize(), HEALTH[h][language]) for h in Health]
        return await step.prompt("health_prompt", self._prompt(
            self.presenter.choices(say("dialog_choose_health", language), options, language),
            say("dialog_choose_health", language), language))

    async def write_summary(self, step: WaterfallStepContext) -> DialogTurnResult:
        language = Language(step.values["lang"])
        health = health_of(str(step.result))
        step.values["health"] = health.value if health else None
        return await step.prompt("summary_prompt", PromptOptions(
            prompt=self.presenter.message(say("dialog_write_summary", language), language),
            retry_prompt=self.presenter.message(
                say("summary_too_long", language, limit=MAX_SUMMARY) + " "
                + say("dialog_write_summary", language), language)))

    async def confirm(self, step: WaterfallStepContext) -> DialogTurnResult:
        language = Language(step.values["lang"])
        step.values["summary"] = str(step.result).strip()
        health = Health(step.values["health"])
        question = say("dialog_confirm", language, health=HEALTH[health][language],
                       summary=step.values["summary"])
        save, cancel = ("Lagre", "lagre"), ("Avbryt", "avbryt")
        if language is Language.EN:
            save, cancel = ("Save", "save"), ("Cancel", "cancel")
        return await step.prompt("confirm_prompt", self._prompt(
            self.presenter.choices(question, [save, cancel], language), question, language))

    async def store(self, step: WaterfallStepContext) -> DialogTurnResult:
        language = Language(step.values["lang"])
        if is_command(str(step.result), CommandName.DECLINE):
            await step.context.send_activity(
                self.presenter.message(say("dialog_cancelled", language), language))
            return await step.end_dialog()
        answer = await self.poster.post_from_dialog(
            step.context, step.values["project_id"], Health(step.values["health"]),
            step.values["summary"], language)
        await step.context.send_activity(self.presenter.answer(answer))
        return await step.end_dialog()

    # ----------------------------------------------------------------- validation
    def _project_id(self, turn_context: TurnContext, text: str) -> int:
        chosen = fold(text).strip()
        for project_id, code, name in self.poster.own_projects(turn_context):
            if chosen in (fold(code), fold(name), fold(f"{name} ({code})")):
                return project_id
        raise ValueError(f"not one of the sender's projects: {text!r}")

    async def _valid_project(self, prompt: PromptValidatorContext) -> bool:
        try:
            self._project_id(prompt.context, str(prompt.recognized.value or ""))
        except ValueError:
            return False
        return True

    async def _valid_health(self, prompt: PromptValidatorContext) -> bool:
        return health_of(str(prompt.recognized.value or "")) is not None

    async def _valid_summary(self, prompt: PromptValidatorContext) -> bool:
        summary = str(prompt.recognized.value or "").strip()
        return 0 < len(summary) <= MAX_SUMMARY

    async def _valid_confirmation(self, prompt: PromptValidatorContext) -> bool:
        return is_command(str(prompt.recognized.value or ""), CommandName.CONFIRM,
                          CommandName.DECLINE)

    def _prompt(self, activity: Activity, question: str, language: Language) -> PromptOptions:
        retry = self.presenter.message(say("dialog_retry", language) + " " + question, language)
        return PromptOptions(prompt=activity, retry_prompt=retry)


def _language(options: Any) -> Language:
    value = options.get("lang") if isinstance(options, dict) else None
    return Language(value) if value in ("nb", "en") else Language.NB
