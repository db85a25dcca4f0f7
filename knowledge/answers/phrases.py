"""All wording users see, in Norwegian bokmål and English: labels, templates, examples.

Renderers (plain text here, Adaptive Cards in `bot/`) take their words from this module only,
so a wording change is made once and both languages stay side by side. The commands the help
lists (`command_help`) come from the command table, `knowledge.commands.command_words`, which
the Teams command menu is made from too.
"""

from __future__ import annotations

from datetime import date, datetime

from knowledge.answers.answers import Language
from knowledge.commands.command_words import COMMANDS
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus
from knowledge.portfolio.status_rules import MAX_SUMMARY

NB, EN = Language.NB, Language.EN

PHASE = {
    Phase.CONCEPT: {NB: "konsept", EN: "concept"},
    Phase.PLANNING: {NB: "planlegging", EN: "planning"},
    Phase.EXECUTION: {NB: "gjennomføring", EN: "execution"},
    Phase.PAUSED: {NB: "pauset", EN: "paused"},
    Phase.CLOSED: {NB: "avsluttet", EN: "closed"},
}
HEALTH = {
    Health.GREEN: {NB: "grønn", EN: "green"},
    Health.YELLOW: {NB: "gul", EN: "yellow"},
    Health.RED: {NB: "rød", EN: "red"},
}
HEALTH_MARK = {Health.GREEN: "🟢", Health.YELLOW: "🟡", Health.RED: "🔴"}
TRANSFER = {
    TransferStatus.PLANNED: {NB: "planlagt", EN: "planned"},
    TransferStatus.IN_PROGRESS: {NB: "pågår", EN: "in progress"},
    TransferStatus.TRANSFERRED: {NB: "overført", EN: "transferred"},
    TransferStatus.COMPLETED_BEFORE_TRANSFER: {
        NB: "fullført før overføringen", EN: "completed before the transfer"},
    TransferStatus.NOT_TRANSFERRED: {NB: "ikke overført", EN: "not transferred"},
}
ROLE = {
    Role.OWNER: {NB: "prosjekteier", EN: "project owner"},
    Role.MANAGER: {NB: "prosjektleder", EN: "project manager"},
    Role.MEMBER: {NB: "deltaker", EN: "member"},
}

TEXT: dict[str, dict[Language, str]] = {
    "greeting": {
        NB: "Hei! Jeg er porteføljeboten. Spør meg om prosjektene i den regionale "
            "IKT-porteføljen: hvem som eier og leder dem, status og overføring.",
        EN: "Hi! I am the portfolio bot. Ask me about the projects in the regional ICT "
            "portfolio: who owns and leads them, their status and their transfer.",
    },
    "thanks": {NB: "Bare hyggelig!", EN: "You're welcome!"},
    "help_intro": {
        NB: "Jeg svarer på spørsmål om den regionale IKT-porteføljen. Prøv for eksempel:",
        EN: "I answer questions about the regional ICT portfolio. Try for example:",
    },
    "help_commands": {NB: "Dette kan du også skrive:", EN: "You can also write:"},
    "help_card_commands": {NB: "Dette kan du skrive:", EN: "You can write:"},
    "not_understood": {
        NB: "Det forstod jeg ikke helt. Prøv for eksempel:",
        EN: "I did not quite understand that. Try for example:",
    },
    "not_found": {
        NB: "Jeg fant ikke noe prosjekt eller noen person som passer til «{mention}».",
        EN: "I found no project or person that matches “{mention}”.",
    },
    "did_you_mean": {NB: "Mente du:", EN: "Did you mean:"},
    "clarify": {
        NB: "«{mention}» passer til flere. Hvilken mener du?",
        EN: "“{mention}” matches several. Which one do you mean?",
    },
    "none_of_these": {NB: "Ingen av disse", EN: "None of these"},
    "owner_is": {NB: "Prosjekteier for {project} er {person}.",
                 EN: "The project owner of {project} is {person}."},
    "manager_is": {NB: "Prosjektleder for {project} er {person}.",
                   EN: "The project manager of {project} is {person}."},
    "no_owner": {NB: "{project} har ingen registrert prosjekteier.",
                 EN: "{project} has no registered project owner."},
    "no_manager": {NB: "{project} har ingen registrert prosjektleder.",
                   EN: "{project} has no registered project manager."},
    "people_of": {NB: "Folk i {project}:", EN: "People on {project}:"},
    "status_of": {NB: "Status for {project}: {health} ({date}, {age}).",
                  EN: "Status of {project}: {health} ({date}, {age})."},
    "status_by": {NB: "Rapportert av {person}.", EN: "Reported by {person}."},
    "status_stale": {NB: "Merk: rapporten er eldre enn {days} dager.",
                     EN: "Note: the report is older than {days} days."},
    "no_status": {NB: "{project} har ingen statusrapport ennå.",
                  EN: "{project} has no status report yet."},
    "no_transfer": {NB: "Jeg har ingen opplysninger om overføring for {project}.",
                    EN: "I have no transfer information for {project}."},
    "transferred": {NB: "Ja, {project} ble overført fra {source} til {target} {date}.",
                    EN: "Yes, {project} was transferred from {source} to {target} on {date}."},
    "transfer_planned": {
        NB: "Overføringen av {project} fra {source} til {target} er planlagt{date_part}.",
        EN: "The transfer of {project} from {source} to {target} is planned{date_part}."},
    "transfer_in_progress": {
        NB: "Overføringen av {project} fra {source} til {target} pågår{date_part}.",
        EN: "The transfer of {project} from {source} to {target} is in progress{date_part}."},
    "transfer_completed_before": {
        NB: "Nei, {project} ble fullført før overføringen og ble ikke flyttet.",
        EN: "No, {project} was completed before the transfer and was not moved."},
    "transfer_not": {
        NB: "Nei, {project} er ikke overført{source_part}.",
        EN: "No, {project} has not been transferred{source_part}."},
    "transfer_note": {NB: "Merknad: {note}", EN: "Note: {note}"},
    "overview_phase": {NB: "Fase", EN: "Phase"},
    "overview_programme": {NB: "Program", EN: "Programme"},
    "overview_organization": {NB: "Organisasjon", EN: "Organisation"},
    "overview_period": {NB: "Periode", EN: "Period"},
    "overview_status": {NB: "Status", EN: "Status"},
    "overview_transfer": {NB: "Overføring", EN: "Transfer"},
    "overview_code": {NB: "Prosjektkode", EN: "Project code"},
    "unknown": {NB: "ukjent", EN: "unknown"},
    "open_ended": {NB: "ikke fastsatt", EN: "not set"},
    "none_registered": {NB: "ingen registrert", EN: "none registered"},
    "no_report_short": {NB: "ingen rapport", EN: "no report"},
    "person_projects": {NB: "{person} er med i {count} prosjekt(er):",
                        EN: "{person} is on {count} project(s):"},
    "person_projects_role": {NB: "{person} er {role} for {count} prosjekt(er):",
                             EN: "{person} is {role} of {count} project(s):"},
    "person_no_projects": {NB: "{person} har ingen prosjekter i porteføljen.",
                           EN: "{person} has no projects in the portfolio."},
    "person_no_projects_role": {NB: "{person} er ikke {role} for noe prosjekt.",
                                EN: "{person} is not {role} of any project."},
    "list_count": {NB: "{count} prosjekter{filters}.", EN: "{count} projects{filters}."},
    "list_count_one": {NB: "1 prosjekt{filters}.", EN: "1 project{filters}."},
    "list_none": {NB: "Ingen prosjekter{filters}.", EN: "No projects{filters}."},
    "list_more": {NB: "… og {more} til.", EN: "… and {more} more."},
    "filter_health": {NB: "med status {values}", EN: "with status {values}"},
    "filter_phase": {NB: "i fase {values}", EN: "in phase {values}"},
    "filter_transfer": {NB: "med overføringsstatus {values}",
                        EN: "with transfer status {values}"},
    "filter_programme": {NB: "i programmet {value}", EN: "in the programme {value}"},
    "filter_organization": {NB: "hos {value}", EN: "at {value}"},
    "faq_source": {NB: "Fra ofte stilte spørsmål: {question}",
                   EN: "From the FAQ (in Norwegian): {question}"},
    "today": {NB: "i dag", EN: "today"},
    "one_day": {NB: "1 dag siden", EN: "1 day ago"},
    "days_ago": {NB: "{days} dager siden", EN: "{days} days ago"},
    "or": {NB: "eller", EN: "or"},
    "turn_error": {
        NB: "Beklager, noe gikk galt da jeg skulle svare. Prøv igjen om litt; "
            "samtalen fortsetter som før.",
        EN: "Sorry, something went wrong while I was answering. Please try again in a moment; "
            "the conversation carries on as before.",
    },
    "database_unavailable": {
        NB: "Beklager, jeg får ikke kontakt med databasen akkurat nå, så jeg fikk ikke gjort "
            "dette ferdig. Prøv igjen om litt; samtalen fortsetter som før.",
        EN: "Sorry, I cannot reach the database right now, so I could not finish this. "
            "Please try again in a moment; the conversation carries on as before.",
    },
    "data_stale": {
        NB: "Merk: Jeg får ikke lest porteføljedatabasen akkurat nå. Svaret bygger på data "
            "som ble lest for {age} siden.",
        EN: "Note: I cannot read the portfolio database right now. This answer is based on "
            "data read {age} ago.",
    },
    "under_a_minute": {NB: "under ett minutt", EN: "less than a minute"},
    "minutes": {NB: "{n} minutter", EN: "{n} minutes"},
    "one_minute": {NB: "1 minutt", EN: "1 minute"},
    "hours": {NB: "{n} timer", EN: "{n} hours"},
    "one_hour": {NB: "1 time", EN: "1 hour"},
    "days": {NB: "{n} dager", EN: "{n} days"},
    "one_day_long": {NB: "1 dag", EN: "1 day"},
    "too_long": {
        NB: "Meldingen er for lang ({length} tegn). Skriv et kortere spørsmål (høyst {limit} tegn).",
        EN: "The message is too long ({length} characters). Please ask a shorter question "
            "(at most {limit} characters).",
    },
    "none_of_these_reply": {
        NB: "Greit. Prøv å skrive prosjektets fulle navn eller prosjektkode{example}.",
        EN: "All right. Try the project's full name or its code{example}.",
    },
    "for_example_code": {NB: ", for eksempel «{code}»", EN: ", for example “{code}”"},
    "stale_button": {
        NB: "Den knappen hører til et eldre svar som jeg ikke kan bruke lenger. Spør gjerne på nytt.",
        EN: "That button belongs to an older answer I can no longer use. Please ask again.",
    },
    "not_ready": {
        NB: "Jeg har ikke fått lest porteføljen ennå. Prøv igjen om et øyeblikk.",
        EN: "I have not been able to read the portfolio yet. Please try again in a moment.",
    },
    "status_posted": {
        NB: "Statusen for {project} er lagret: {health}.",
        EN: "The status of {project} is stored: {health}.",
    },
    "status_refused": {
        NB: "Du kan ikke rapportere status for {project}. Det kan prosjekteier og "
            "prosjektleder: {leads}.",
        EN: "You cannot post the status of {project}. Its project owner and project manager "
            "can: {leads}.",
    },
    "status_unknown_sender": {
        NB: "Jeg finner deg ikke i porteføljen, så jeg kan ikke lagre status for {project}. "
            "Prosjekteier og prosjektleder kan: {leads}.",
        EN: "I cannot find you in the portfolio, so I cannot store a status for {project}. "
            "Its project owner and project manager can: {leads}.",
    },
    "health_missing": {
        NB: "Skriv status som grønn, gul eller rød, for eksempel «status {example}: grønn – "
            "alt går etter planen».",
        EN: "Give the status as green, yellow or red, for example “status {example}: green - "
            "on track”.",
    },
    "summary_empty": {NB: "Skriv en kort oppsummering etter statusfargen.",
                      EN: "Add a short summary after the status colour."},
    "summary_too_long": {NB: "Oppsummeringen kan være høyst {limit} tegn.",
                         EN: "The summary can be at most {limit} characters."},
    "notify_status": {NB: "Ny status for {project}: {health}", EN: "New status for {project}: {health}"},
    "notify_health": {NB: "{project} har endret status fra {before} til {health}",
                      EN: "{project} changed status from {before} to {health}"},
    "notify_phase": {NB: "{project} har gått fra {before} til {after}",
                     EN: "{project} moved from {before} to {after}"},
    "notify_transfer": {NB: "Overføringsstatus for {project}: {after}",
                        EN: "Transfer status of {project}: {after}"},
    "notify_owner": {NB: "Ny prosjekteier for {project}: {person}",
                     EN: "New project owner of {project}: {person}"},
    "notify_manager": {NB: "Ny prosjektleder for {project}: {person}",
                       EN: "New project manager of {project}: {person}"},
    "notify_added": {NB: "Nytt prosjekt i porteføljen: {project}",
                     EN: "New project in the portfolio: {project}"},
    "notify_removed": {NB: "{project} er fjernet fra porteføljen",
                       EN: "{project} was removed from the portfolio"},
    "notify_changed": {NB: "{project} er oppdatert", EN: "{project} was updated"},
    "label_previous_status": {NB: "Forrige status", EN: "Previous status"},
    "digest_title": {NB: "Ukesoppsummering for porteføljen ({week})",
                     EN: "Weekly portfolio summary ({week})"},
    "digest_changes": {NB: "Endringer siste uke", EN: "Changes last week"},
    "digest_red": {NB: "Røde prosjekter", EN: "Red projects"},
    "digest_stale": {NB: "Rapporter eldre enn {days} dager", EN: "Reports older than {days} days"},
    "digest_none": {NB: "ingen", EN: "none"},
    "reminder_title": {NB: "Påminnelse om statusrapport", EN: "Status report reminder"},
    "reminder_text": {
        NB: "Siste statusrapport for {project} er {days} dager gammel. Skriv «oppdater status» "
            "for å rapportere.",
        EN: "The latest status report for {project} is {days} days old. Write “update status” "
            "to report.",
    },
    "form_project_missing": {NB: "Velg et prosjekt i skjemaet.",
                             EN: "Choose a project in the form."},
    "form_intro": {NB: "Ny statusrapport", EN: "New status report"},
    "form_project": {NB: "Prosjekt", EN: "Project"},
    "form_health": {NB: "Status", EN: "Status"},
    "form_summary": {NB: f"Oppsummering (høyst {MAX_SUMMARY} tegn)",
                     EN: f"Summary (at most {MAX_SUMMARY} characters)"},
    "form_submit": {NB: "Lagre status", EN: "Save status"},
    "dialog_choose_project": {NB: "Hvilket prosjekt vil du oppdatere status for?",
                              EN: "Which project do you want to update?"},
    "dialog_choose_health": {NB: "Hva er statusen: grønn, gul eller rød?",
                             EN: "What is the status: green, yellow or red?"},
    "dialog_write_summary": {NB: f"Skriv en kort oppsummering (høyst {MAX_SUMMARY} tegn).",
                             EN: f"Write a short summary (at most {MAX_SUMMARY} characters)."},
    "dialog_confirm": {NB: "Lagre status {health}: «{summary}»?",
                       EN: "Save status {health}: “{summary}”?"},
    "dialog_retry": {NB: "Det passet ikke.", EN: "That did not fit."},
    "dialog_cancelled": {NB: "Avbrutt. Ingenting er lagret.",
                         EN: "Cancelled. Nothing was stored."},
    "already_processing": {
        NB: "Denne oppdateringen er allerede mottatt og blir lagret. Se etter bekreftelsen.",
        EN: "This update was already received and is being stored. Look for the confirmation.",
    },
    "channel_not_allowed": {
        NB: "Status kan bare lagres eller angres i Microsoft Teams. Ingenting er endret.",
        EN: "Status can only be posted or undone in Microsoft Teams. Nothing was changed.",
    },
    "not_your_button": {
        NB: "Den knappen hører til en statusoppdatering som noen andre skrev, så bare de kan "
            "velge prosjekt med den. Ingenting er lagret; skriv din egen oppdatering.",
        EN: "That button belongs to a status update someone else wrote, so only they can "
            "choose its project. Nothing was stored; write your own update.",
    },
    "choice_stale": {
        NB: "Den knappen er fra en eldre versjon av meg. Ingenting er lagret; skriv "
            "statusoppdateringen på nytt.",
        EN: "That button is from an older version of me. Nothing was stored; write the status "
            "update again.",
    },
    "status_withdrawn": {NB: "Statusoppdateringen for {project} er trukket tilbake.",
                         EN: "The status update for {project} is withdrawn."},
    "nothing_to_undo": {
        NB: "Du har ingen statusoppdatering fra de siste {minutes} minuttene å angre.",
        EN: "You have no status update from the last {minutes} minutes to undo.",
    },
    "my_projects": {NB: "Prosjektene du eier eller leder:", EN: "The projects you own or lead:"},
    "my_projects_none": {NB: "Du er ikke prosjekteier eller prosjektleder for noe prosjekt.",
                         EN: "You are not the owner or manager of any project."},
    "my_projects_unknown": {NB: "Jeg finner deg ikke i porteføljen.",
                            EN: "I cannot find you in the portfolio."},
    "stale_flag": {NB: "eldre enn {days} dager", EN: "older than {days} days"},
    "label_date": {NB: "Dato", EN: "Date"},
    "label_from": {NB: "Fra", EN: "From"},
    "label_to": {NB: "Til", EN: "To"},
    "label_note": {NB: "Merknad", EN: "Note"},
    "label_reported_by": {NB: "Rapportert av", EN: "Reported by"},
    "subscribed": {NB: "Denne samtalen abonnerer nå på endringer i {target}{kinds}.",
                   EN: "This conversation is now subscribed to changes in {target}{kinds}."},
    "subscription_updated": {NB: "Abonnementet på {target} er endret{kinds}.",
                             EN: "The subscription to {target} is changed{kinds}."},
    "unsubscribed": {NB: "Abonnementet på {target} er avsluttet.",
                     EN: "The subscription to {target} is cancelled."},
    "unsubscribed_all": {NB: "Alle abonnementer i denne samtalen er avsluttet ({count}).",
                         EN: "Every subscription in this conversation is cancelled ({count})."},
    "not_subscribed": {NB: "Denne samtalen abonnerer ikke på {target}.",
                       EN: "This conversation is not subscribed to {target}."},
    "no_subscriptions": {NB: "Denne samtalen har ingen abonnementer.",
                         EN: "This conversation has no subscriptions."},
    "subscriptions": {NB: "Denne samtalen abonnerer på:", EN: "This conversation is subscribed to:"},
    "subscription_everything": {NB: "hele porteføljen", EN: "the whole portfolio"},
    "subscription_all_kinds": {NB: "alle endringer", EN: "all changes"},
    "subscription_only": {NB: " (kun {kinds})", EN: " (only {kinds})"},
    "subscription_help": {
        NB: "Skriv hva samtalen skal abonnere på, for eksempel:",
        EN: "Say what this conversation should subscribe to, for example:",
    },
    "subscription_unknown_kinds": {
        NB: "Jeg kjenner ikke «{words}». Du kan begrense til status, overføring, fase og "
            "eier/leder.",
        EN: "I do not know “{words}”. You can limit it to status, transfers, phase and people.",
    },
    "subscription_removed_target": {NB: "{kind} {id} (finnes ikke lenger i porteføljen)",
                                    EN: "{kind} {id} (no longer in the portfolio)"},
}

# The example questions the welcome, the help and "did not understand" suggest, by what they
# ask; `knowledge.answers.examples` fills in names of the connected portfolio and keeps only
# those the bot answers right.
EXAMPLE_QUESTIONS: dict[str, dict[Language, str]] = {
    "owner": {NB: "Hvem eier {project}?", EN: "Who owns {project}?"},
    "status": {NB: "Hva er status på {project}?", EN: "What is the status of {project}?"},
    "transfer": {NB: "Er {project} overført?", EN: "Was {project} transferred?"},
    "red": {NB: "Hvilke prosjekter er røde?", EN: "Which projects are red?"},
    "person": {NB: "Hvilke prosjekter har {person}?", EN: "Which projects does {person} have?"},
    "programme": {NB: "Hvilke prosjekter er i {programme}?",
                  EN: "Which projects are in {programme}?"},
}


def say(key: str, language: Language, **values: object) -> str:
    """The phrase `key` in `language`, with `values` filled in."""
    return TEXT[key][language].format(**values)


def command_help(language: Language) -> tuple[tuple[str, str], ...]:
    """(what to write, what it does) for each command the help names, in the command table's
    order: the same entries the Teams command menu is made from."""
    return tuple((command.menu.title[language], command.menu.description[language])
                 for command in COMMANDS if command.menu is not None)


def format_date(value: date | datetime | None, language: Language) -> str:
    """A date as people write it: 31.10.2026 in Norwegian, 2026-10-31 in English."""
    if value is None:
        return TEXT["unknown"][language]
    day = value.date() if isinstance(value, datetime) else value
    return day.strftime("%d.%m.%Y") if language is NB else day.isoformat()


def format_age(days: int, language: Language) -> str:
    if days <= 0:
        return TEXT["today"][language]
    if days == 1:
        return TEXT["one_day"][language]
    return say("days_ago", language, days=days)


def format_duration(seconds: float, language: Language) -> str:
    """A length of time in whole minutes, hours or days: `3 minutter`, `less than a minute`."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return TEXT["under_a_minute"][language]
    for size, one, many in ((24 * 60, "one_day_long", "days"), (60, "one_hour", "hours"),
                            (1, "one_minute", "minutes")):
        if minutes >= size:
            count = minutes // size
            return TEXT[one][language] if count == 1 else say(many, language, n=count)
    raise AssertionError("unreachable")   # pragma: no cover


def join_words(words: list[str], language: Language) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {TEXT['or'][language]} {words[-1]}"


SUBSCRIPTION_KIND = {
    "status": {NB: "status", EN: "status"},
    "transfer": {NB: "overføring", EN: "transfers"},
    "phase": {NB: "fase", EN: "phase"},
    "people": {NB: "eier/leder", EN: "owner/manager"},
}
SUBSCRIPTION_TARGET_KIND = {
    "project": {NB: "prosjekt", EN: "project"},
    "programme": {NB: "program", EN: "programme"},
}
# What the subscription help suggests; a line naming {project} or {programme} is left out when
# the connected portfolio gives no name for it (`subscription_examples`).
SUBSCRIPTION_EXAMPLES = {
    NB: ("abonner {project}", "abonner {programme} kun status", "abonner alle kun overføring",
         "abonnementer", "avslutt abonnement {project}", "avslutt alle abonnementer"),
    EN: ("subscribe {project}", "subscribe {programme} only status", "subscribe all only transfers",
         "subscriptions", "unsubscribe {project}", "unsubscribe all"),
}


def subscription_examples(language: Language, project: str | None,
                          programme: str | None) -> tuple[str, ...]:
    """The subscription help's examples, naming `project` and `programme` (the connected
    portfolio's); those that would need a missing name are left out."""
    names = {"project": project, "programme": programme}
    return tuple(line.format(**names) for line in SUBSCRIPTION_EXAMPLES[language]
                 if all(names[slot] for slot in ("project", "programme") if f"{{{slot}}}" in line))
