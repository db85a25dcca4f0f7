"""Channel subscriptions as chat commands: reading them, and finding what they point to.

`parse_subscription_command(text)` recognises, in Norwegian (bokmål and nynorsk) and English,
by the words of the command table (`knowledge.commands.command_words`),

- subscribe: `abonner Regional radiologi 2.0`, `subscribe to radiology 2.0`, `abonner alle`,
  `abonner STIM` (a programme), optionally limited to kinds of change:
  `abonner DHO kun status`, `subscribe all only transfers`, `subscribe DHO status only`;
- list: `abonnementer`, `vis abonnementer`, `subscriptions`, `show our subscriptions`;
- unsubscribe: `avslutt abonnement DHO`, `avslutt alle abonnementer`, `unsubscribe all`,
  `unsubscribe from radiology 2.0`.

Anything else is None, so ordinary questions (`hva er status på DHO`, `hvilke abonnementer
finnes for sky?`) go on to the answerer. The command is only where the message starts: a
subscription word inside a question is not a command.

`resolve_target(answerer, snapshot, mention)` turns the mention into a `Target` (everything,
a project found the way questions find projects, or a programme by name or short name), a
`Clarification` when several fit, or `NotFound`. Pure: no botbuilder, no database.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Candidate, Clarification, Language, NotFound
from knowledge.commands.command_words import CommandName, command_for, text_after
from knowledge.language.name_index import EntityKind, NameMatch
from knowledge.language.text import tokens
from knowledge.portfolio.events import EventKind
from knowledge.portfolio.snapshot import Snapshot

NB, EN = Language.NB, Language.EN


class SubscriptionAction(enum.StrEnum):
    SUBSCRIBE = "subscribe"
    LIST = "list"
    UNSUBSCRIBE = "unsubscribe"


class TargetKind(enum.StrEnum):
    ALL = "all"
    PROJECT = "project"
    PROGRAMME = "programme"


# The kinds of change a subscription can be limited to, by the name users give them.
KIND_GROUPS: dict[str, frozenset[EventKind]] = {
    "status": frozenset({EventKind.STATUS_REPORTED, EventKind.HEALTH_CHANGED}),
    "transfer": frozenset({EventKind.TRANSFER_STATUS_CHANGED}),
    "phase": frozenset({EventKind.PHASE_CHANGED, EventKind.PROJECT_ADDED,
                        EventKind.PROJECT_REMOVED}),
    "people": frozenset({EventKind.OWNER_CHANGED, EventKind.MANAGER_CHANGED}),
}
_GROUP_WORDS: dict[str, str] = {
    **dict.fromkeys(("status", "statuser", "statusen", "statusrapport", "statusrapporter",
                     "statusrapportene", "rapport", "rapporter", "helse", "health", "report",
                     "reports", "statuses", "farge", "colour", "color"), "status"),
    **dict.fromkeys(("overforing", "overforinger", "overforingen", "overforingsstatus",
                     "transfer", "transfers", "transferstatus"), "transfer"),
    **dict.fromkeys(("fase", "faser", "fasen", "faseendring", "faseendringer", "phase", "phases"),
                    "phase"),
    **dict.fromkeys(("eier", "eiere", "leder", "ledere", "prosjekteier", "prosjektleder",
                     "prosjekteiere", "prosjektledere", "eierskap", "folk", "personer", "roller",
                     "people", "owner", "owners", "manager", "managers", "lead", "leads",
                     "roles", "persons"), "people"),
}
_KIND_FILLER = frozenset({
    "og", "and", "eller", "or", "samt", "pluss", "plus", "endring", "endringer", "change",
    "changes", "oppdatering", "oppdateringer", "updates", "update", "hendelser", "events",
    "varsler", "notifications", "om", "on", "of", "av", "i", "pa", "the", "nye", "new",
})
_EVERYTHING = frozenset({
    ("alle",), ("alt",), ("all",), ("everything",), ("alle", "prosjekter"),
    ("alle", "prosjektene"), ("all", "projects"), ("all", "the", "projects"),
    ("hele", "portefoljen"), ("portefoljen",), ("whole", "portfolio"),
    ("the", "whole", "portfolio"), ("portfolio",), ("the", "portfolio"),
})

_FLAGS = re.IGNORECASE | re.DOTALL
# What may stand between the command's words (`knowledge.commands.command_words`) and its
# target: `abonner på DHO`, `unsubscribe from STIM`.
_LEAD_WORDS = {
    (SubscriptionAction.SUBSCRIBE, NB): "på|pa|for",
    (SubscriptionAction.SUBSCRIBE, EN): "to|for",
    (SubscriptionAction.UNSUBSCRIBE, NB): "på|pa|for|til",
    (SubscriptionAction.UNSUBSCRIBE, EN): "from|to|for|on",
}
_LEADS = {key: re.compile(rf"\s+(?:{words})\b", _FLAGS) for key, words in _LEAD_WORDS.items()}
_ACTIONS = {CommandName.SUBSCRIBE: SubscriptionAction.SUBSCRIBE,
            CommandName.LIST_SUBSCRIPTIONS: SubscriptionAction.LIST,
            CommandName.UNSUBSCRIBE: SubscriptionAction.UNSUBSCRIBE}
_ALL_WORDS = frozenset({"alle", "all"})
_ONLY_BEFORE = re.compile(r"(?:^|[\s,;:–—-])(?:kun|bare|only|just)\s+(?P<kinds>[^,;:]*\S)\s*$", _FLAGS)
_ONLY_AFTER = re.compile(r"(?:^|[\s,;:–—-])(?P<kinds>[^,;:–—]*?\S)\s+only\s*$", _FLAGS)
_QUOTES = "«»\"“”„'‘’`"
_EDGE_NOUN = re.compile(
    r"^(?:(?:the\s+)?(?:prosjektet|programmet|project|programme|program)\s+)|"
    r"(?:[\s-](?:prosjektet|programmet|project|programme|program))$", _FLAGS)


@dataclass(frozen=True, slots=True)
class SubscriptionCommand:
    """A subscription command as written.

    `mention` is the target as the user wrote it (empty when none was given);
    `everything` is set for `alle`/`all`; `kinds` is the set of event kinds asked for, empty
    for every kind; `unknown_kinds` holds words after `kun`/`only` that name no kind.
    """

    action: SubscriptionAction
    language: Language
    mention: str = ""
    everything: bool = False
    kinds: frozenset[EventKind] = frozenset()
    unknown_kinds: tuple[str, ...] = ()

    @property
    def needs_target(self) -> bool:
        """Subscribe or unsubscribe without anything to act on: the user needs an example."""
        return self.action is not SubscriptionAction.LIST and not (self.mention or self.everything)


@dataclass(frozen=True, slots=True)
class Target:
    """What a subscription follows: everything (`id` 0), one project or one programme."""

    kind: TargetKind
    id: int
    label: str | None   # None for everything: renderers word it in the reply's language


EVERYTHING = Target(TargetKind.ALL, 0, None)


def _clean(text: str) -> str:
    text = text.strip().rstrip(",;:–—").strip()
    return text.strip(_QUOTES).strip().rstrip(".!?").strip().strip(_QUOTES).strip()


def _kinds_from(words: str) -> tuple[frozenset[EventKind], tuple[str, ...]] | None:
    """The kinds `words` name (`status og fase`, `eier/leder`), with the words it did not know."""
    found: set[EventKind] = set()
    unknown: list[str] = []
    for token in tokens(words):
        if token in _KIND_FILLER:
            continue
        group = _GROUP_WORDS.get(token)
        if group is None:
            unknown.append(token)
        else:
            found |= KIND_GROUPS[group]
    if not found and not unknown:
        return None
    return frozenset(found), tuple(unknown)


def _names_kinds(word: str) -> bool:
    kinds = _kinds_from(word)
    return kinds is not None and not kinds[1]


def _split_kinds(rest: str) -> tuple[str, frozenset[EventKind], tuple[str, ...]]:
    """`rest` without its kind filter, the kinds, and filter words that name no kind."""
    before = _ONLY_BEFORE.search(rest)
    if before is not None:
        kinds = _kinds_from(before.group("kinds"))
        if kinds is not None:
            return rest[: before.start()], *kinds
    after = _ONLY_AFTER.search(rest)
    if after is not None:
        # `DHO status only`: only the trailing words that name kinds are the filter.
        words = after.group("kinds").split()
        start = len(words)
        while start > 0 and _names_kinds(words[start - 1]):
            start -= 1
        kinds = _kinds_from(" ".join(words[start:]))
        if start < len(words) and kinds is not None:
            return " ".join([rest[: after.start("kinds")], *words[:start]]), *kinds
    return rest, frozenset(), ()


def is_everything(mention: str) -> bool:
    return tokens(mention) in _EVERYTHING


def _target_text(rest: str) -> tuple[str, bool]:
    mention = _clean(rest)
    if is_everything(mention):
        return "", True
    return _clean(_EDGE_NOUN.sub("", mention)), False


def parse_subscription_command(text: str) -> SubscriptionCommand | None:
    """The subscription command `text` is, or None when it is not one (a question, say).

    Which command it is comes from the command table (`command_words`): the list command is
    the whole message, subscribe and unsubscribe are the message's first words, and what
    follows them, as written, is the target and the kinds."""
    found = command_for(text)
    action = _ACTIONS.get(found.name) if found is not None else None
    if found is None or action is None:
        return None
    language = found.language or NB
    if action is SubscriptionAction.LIST:
        return SubscriptionCommand(action, language)
    rest = text_after(text, found.trigger)
    if rest is None:
        return None
    lead = _LEADS[action, language].match(rest)
    rest = rest[lead.end():] if lead is not None else rest
    if action is SubscriptionAction.UNSUBSCRIBE:
        everything = bool(_ALL_WORDS & set(found.trigger.words))
        mention, said_all = _target_text(rest)
        if everything and mention:
            return None   # `avslutt alle abonnementer på DHO`: unclear, leave it
        return SubscriptionCommand(action, language, mention, everything or said_all)
    rest, kinds, unknown = _split_kinds(rest)
    mention, everything = _target_text(rest)
    return SubscriptionCommand(action, language, mention, everything, kinds, unknown)


def kind_groups(kinds: frozenset[EventKind]) -> tuple[str, ...]:
    """The named groups (`status`, `transfer`, `phase`, `people`) that make up `kinds`."""
    return tuple(name for name, group in KIND_GROUPS.items() if kinds and group <= kinds)


def command_text(target: Target, kinds: frozenset[EventKind], language: Language,
                 name: str) -> str:
    """A subscribe command that names `target` by `name` (a code or short name) exactly."""
    words = {NB: {"status": "status", "transfer": "overføring", "phase": "fase",
                  "people": "eier/leder"},
             EN: {"status": "status", "transfer": "transfer", "phase": "phase",
                  "people": "people"}}[EN if language is EN else NB]
    verb, only = ("subscribe", "only") if language is EN else ("abonner", "kun")
    groups = kind_groups(kinds)
    filter_part = f" {only} " + " ".join(words[g] for g in groups) if groups else ""
    return f"{verb} {name}{filter_part}"


# ----------------------------------------------------------------- targets
ACCEPT_PROGRAMME_NAME = 0.5
ACCEPT_PROGRAMME_QUERY = 0.5
EXACT = 0.99
MAX_CANDIDATES = 5


def _programme_matches(snapshot: Snapshot, mention: str) -> list[NameMatch]:
    words = list(tokens(mention))
    if not words:
        return []
    found = snapshot.names.search(words, kinds=frozenset({EntityKind.PROGRAMME}), limit=5)
    return [m for m in found
            if m.name_coverage >= ACCEPT_PROGRAMME_NAME and m.query_coverage >= ACCEPT_PROGRAMME_QUERY]


def _programme_candidate(snapshot: Snapshot, programme_id: int) -> Candidate:
    programme = snapshot.programmes[programme_id]
    return Candidate(EntityKind.PROGRAMME, programme.id, programme.name, programme.short_name)


def programme_label(snapshot: Snapshot, programme_id: int) -> str:
    programme = snapshot.programmes[programme_id]
    return f"{programme.short_name} ({programme.name})" if programme.short_name else programme.name


def project_label(snapshot: Snapshot, project_id: int) -> str:
    project = snapshot.projects[project_id]
    return f"{project.name} ({project.code})"


def target_for(snapshot: Snapshot, kind: EntityKind, entity_id: int) -> Target:
    if kind is EntityKind.PROJECT:
        return Target(TargetKind.PROJECT, entity_id, project_label(snapshot, entity_id))
    return Target(TargetKind.PROGRAMME, entity_id, programme_label(snapshot, entity_id))


def _button_command(snapshot: Snapshot, candidate: Candidate, kinds: frozenset[EventKind],
                    language: Language, action: SubscriptionAction) -> str:
    """The command a candidate's button sends: this one again, naming the candidate by its
    code or short name."""
    if candidate.kind is EntityKind.PROJECT:
        name = snapshot.projects[candidate.id].code
    else:
        programme = snapshot.programmes[candidate.id]
        name = programme.short_name or programme.name
    target = target_for(snapshot, candidate.kind, candidate.id)
    if action is SubscriptionAction.UNSUBSCRIBE:
        return f"{'avslutt abonnement' if language is NB else 'unsubscribe'} {name}"
    return command_text(target, kinds, language, name)


def resolve_target(answerer: Answerer, snapshot: Snapshot, mention: str, *,
                   language: Language = NB, kinds: frozenset[EventKind] = frozenset(),
                   action: SubscriptionAction = SubscriptionAction.SUBSCRIBE,
                   ) -> Target | Clarification | NotFound:
    """What `mention` points to: everything, a project, or a programme.

    A project is found as questions find it (`Answerer.resolve_project`); a programme by its
    name or short name. When several fit about equally well (or a project and a programme
    fit exactly) the answer is a `Clarification` whose buttons send the command again with
    the chosen project's code or programme's short name (`Clarification.commands`: the text
    each button sends, as if typed; the host makes the buttons). Nothing that fits gives
    `NotFound` with the nearest project and programme names.
    """
    mention = mention.strip()
    if is_everything(mention):
        return EVERYTHING
    project = answerer.resolve_project(mention)
    programmes = _programme_matches(snapshot, mention)
    exact_programmes = [m for m in programmes
                        if m.name_coverage >= EXACT and m.query_coverage >= EXACT]

    def clarify(candidates: list[Candidate]) -> Clarification:
        chosen = tuple(candidates[:MAX_CANDIDATES])
        return Clarification(language, mention, chosen, commands=tuple(
            _button_command(snapshot, c, kinds, language, action) for c in chosen))

    if project.project_id is not None:
        if exact_programmes:
            return clarify([Candidate(EntityKind.PROJECT, project.project_id,
                                      snapshot.projects[project.project_id].name,
                                      snapshot.projects[project.project_id].code),
                            *(_programme_candidate(snapshot, m.entity_id) for m in exact_programmes)])
        return target_for(snapshot, EntityKind.PROJECT, project.project_id)
    if exact_programmes and len(exact_programmes) == 1:
        return target_for(snapshot, EntityKind.PROGRAMME, exact_programmes[0].entity_id)
    if project.candidates:
        return clarify([*project.candidates,
                        *(_programme_candidate(snapshot, m.entity_id) for m in programmes)])
    if len(programmes) == 1:
        return target_for(snapshot, EntityKind.PROGRAMME, programmes[0].entity_id)
    if programmes:
        top = programmes[0]
        close = [m for m in programmes if m.score >= top.score - 0.1]
        if len(close) == 1:
            return target_for(snapshot, EntityKind.PROGRAMME, top.entity_id)
        return clarify([_programme_candidate(snapshot, m.entity_id) for m in close])
    suggestions = list(project.suggestions)
    suggestions += [_programme_candidate(snapshot, form.entity_id) for form in
                    snapshot.names.suggestions(mention, frozenset({EntityKind.PROGRAMME}), limit=2)]
    return NotFound(language, mention, tuple(suggestions[:MAX_CANDIDATES]))
