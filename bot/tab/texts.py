"""The tab's words, in bokmål and English, and which of the two a request gets.

Teams puts the user's locale in the tab's URL (`contentUrl` `…/tab?lang={locale}`); `nb-NO`,
`nn-NO` and `no` get bokmål (the tab has no nynorsk), `en-*` English; without one, the
browser's `Accept-Language`, then bokmål. Health, phase, transfer status and role names come
from the chat's phrase tables, so the tab and the bot use the same words.
"""

from __future__ import annotations

from knowledge.answers.answers import Language

NB, EN = Language.NB, Language.EN

WORDS: dict[str, dict[Language, str]] = {
    "title": {NB: "Porteføljen", EN: "The portfolio"},
    "intro": {NB: "Alle prosjektene i porteføljen, slik porteføljedatabasen har dem nå.",
              EN: "Every project in the portfolio, as the portfolio database has it now."},
    "skip": {NB: "Hopp til innholdet", EN: "Skip to the content"},
    "health": {NB: "Helse", EN: "Health"},
    "phase": {NB: "Fase", EN: "Phase"},
    "transfer": {NB: "Overføring", EN: "Transfer"},
    "programme": {NB: "Program", EN: "Programme"},
    "owner": {NB: "Prosjekteier", EN: "Project owner"},
    "manager": {NB: "Prosjektleder", EN: "Project manager"},
    "code": {NB: "Kode", EN: "Code"},
    "name": {NB: "Prosjekt", EN: "Project"},
    "reported": {NB: "Siste rapport", EN: "Latest report"},
    "no_report": {NB: "ingen rapport", EN: "no report"},
    "none": {NB: "ingen", EN: "none"},
    "any": {NB: "Alle", EN: "All"},
    "not_transferred_row": {NB: "–", EN: "–"},
    "search": {NB: "Søk", EN: "Search"},
    "search_hint": {NB: "Navn, kode, person eller tema", EN: "Name, code, person or topic"},
    "filter": {NB: "Vis", EN: "Show"},
    "clear": {NB: "Nullstill", EN: "Clear"},
    "filters": {NB: "Filtre", EN: "Filters"},
    "counts": {NB: "Tall for utvalget", EN: "Counts for this selection"},
    "shown": {NB: "Viser {first}–{last} av {total} prosjekter",
              EN: "Showing {first}–{last} of {total} projects"},
    "of_portfolio": {NB: " (av {size} i porteføljen)", EN: " (of {size} in the portfolio)"},
    "nothing": {NB: "Ingen prosjekter passer til filtrene.",
                EN: "No project matches the filters."},
    "previous": {NB: "Forrige side", EN: "Previous page"},
    "next": {NB: "Neste side", EN: "Next page"},
    "page": {NB: "Side {page} av {pages}", EN: "Page {page} of {pages}"},
    "sort_by": {NB: "Sorter etter {column}", EN: "Sort by {column}"},
    "projects_table": {NB: "Prosjektene", EN: "The projects"},
    "mine": {NB: "Mine prosjekter", EN: "My projects"},
    "mine_sign_in": {
        NB: "Åpne fanen i Teams for å se prosjektene du eier eller leder.",
        EN: "Open the tab in Teams to see the projects you own or lead."},
    "mine_not_signed_in": {
        NB: "Du er ikke logget inn. Logg inn i Teams og åpne fanen igjen for å se dine "
            "prosjekter.",
        EN: "You are not signed in. Sign in to Teams and open the tab again to see your "
            "projects."},
    "mine_off": {
        NB: "«Mine prosjekter» er ikke slått på her ennå: innlogging i fanen er ikke satt opp.",
        EN: "“My projects” is not switched on here yet: sign-in for the tab is not set up."},
    "mine_unavailable": {
        NB: "Innloggingen kan ikke sjekkes akkurat nå. Prøv igjen om litt.",
        EN: "Your sign-in cannot be checked right now. Try again in a moment."},
    "mine_none": {NB: "{name}, du eier eller leder ingen prosjekter i porteføljen.",
                  EN: "{name}, you do not own or lead any project in the portfolio."},
    "mine_unknown": {NB: "Du finnes ikke i porteføljedatabasen.",
                     EN: "You are not in the portfolio database."},
    "mine_stale": {NB: "{days} dager gammel", EN: "{days} days old"},
    "mine_stale_count": {NB: "{count} av rapportene dine er eldre enn {days} dager.",
                         EN: "{count} of your reports are older than {days} days."},
    "mine_fresh": {NB: "Alle rapportene dine er nyere enn {days} dager.",
                   EN: "All your reports are newer than {days} days."},
    "post_status": {NB: "Rapporter status", EN: "Post a status"},
    "post_status_for": {NB: "Rapporter status for {project}", EN: "Post a status for {project}"},
    "role": {NB: "Rolle", EN: "Role"},
    "back": {NB: "Tilbake til porteføljen", EN: "Back to the portfolio"},
    "description": {NB: "Beskrivelse", EN: "Description"},
    "people": {NB: "Personer", EN: "People"},
    "history": {NB: "Statushistorikk", EN: "Status history"},
    "no_history": {NB: "Ingen statusrapporter ennå.", EN: "No status reports yet."},
    "reported_by": {NB: "rapportert av {name}", EN: "reported by {name}"},
    "period": {NB: "Periode", EN: "Period"},
    "organisation": {NB: "Organisasjon", EN: "Organisation"},
    "transfer_none": {NB: "Ingen overføring registrert.", EN: "No transfer recorded."},
    "transfer_from_to": {NB: "fra {source} til {target}", EN: "from {source} to {target}"},
    "transfer_on": {NB: "dato {date}", EN: "date {date}"},
    "not_found": {NB: "Fant ikke prosjektet {code}.", EN: "No project {code} was found."},
    "not_ready": {NB: "Porteføljen er ikke lastet ennå. Prøv igjen om litt.",
                  EN: "The portfolio is not loaded yet. Try again in a moment."},
    "open_ended": {NB: "uten sluttdato", EN: "no end date"},
    "chart": {NB: "{title}: {parts}", EN: "{title}: {parts}"},
    "person_hint": {NB: "Skriv et navn", EN: "Type a name"},
    "name_none": {NB: "Ingen {role} heter «{name}»; det filteret er ikke brukt.",
                  EN: "No {role} is called “{name}”; that filter is not used."},
    "name_several": {NB: "Flere passer til «{name}»: {names}. Skriv hele navnet; det filteret "
                         "er ikke brukt.",
                     EN: "Several match “{name}”: {names}. Type the whole name; that filter "
                         "is not used."},
}


def word(key: str, language: Language, **values: object) -> str:
    text = WORDS[key][language]
    return text.format(**values) if values else text


def language_for(lang: str | None, accept_language: str | None) -> Language:
    """Bokmål or English for a Teams locale (`nb-NO`, `en-US`), else Accept-Language."""
    for candidate in (lang or "", *(part.split(";")[0] for part in (accept_language or "")
                                    .split(","))):
        code = candidate.strip().lower()[:2]
        if code in ("nb", "nn", "no"):
            return NB
        if code == "en":
            return EN
    return NB
