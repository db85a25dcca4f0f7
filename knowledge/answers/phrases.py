"""All wording users see, in Norwegian bokmål, nynorsk and English: labels, templates, examples.

Renderers (plain text here, Adaptive Cards in `bot/`) take their words from this module only,
so a wording change is made once and the three languages stay side by side. Every phrase is a
`Wording`; one with no nynorsk text falls back to bokmål. The commands the help lists
(`command_help`) come from the command table, `knowledge.commands.command_words`, which the
Teams command menu is made from too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TypeVar

from knowledge.answers.answers import Language
from knowledge.commands.command_words import COMMANDS
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus
from knowledge.portfolio.status_rules import MAX_SUMMARY

NB, NN, EN = Language.NB, Language.NN, Language.EN
K = TypeVar("K")


class Wording(dict[Language, str]):
    """One phrase in each language; nynorsk falls back to bokmål where it has no wording yet."""

    def __missing__(self, language: Language) -> str:
        if language is NN:
            return self[NB]
        raise KeyError(language)


def _wordings(table: dict[K, dict[Language, str]]) -> dict[K, Wording]:
    """`table` with each phrase a `Wording`, so every language can be looked up."""
    return {key: Wording(value) for key, value in table.items()}


PHASE = _wordings({
    Phase.CONCEPT: {NB: "konsept", NN: "konsept", EN: "concept"},
    Phase.PLANNING: {NB: "planlegging", NN: "planlegging", EN: "planning"},
    Phase.EXECUTION: {NB: "gjennomføring", NN: "gjennomføring", EN: "execution"},
    Phase.PAUSED: {NB: "pauset", NN: "pausa", EN: "paused"},
    Phase.CLOSED: {NB: "avsluttet", NN: "avslutta", EN: "closed"},
})
HEALTH = _wordings({
    Health.GREEN: {NB: "grønn", NN: "grøn", EN: "green"},
    Health.YELLOW: {NB: "gul", NN: "gul", EN: "yellow"},
    Health.RED: {NB: "rød", NN: "raud", EN: "red"},
})
HEALTH_MARK = {Health.GREEN: "🟢", Health.YELLOW: "🟡", Health.RED: "🔴"}
TRANSFER = _wordings({
    TransferStatus.PLANNED: {NB: "planlagt", NN: "planlagt", EN: "planned"},
    TransferStatus.IN_PROGRESS: {NB: "pågår", NN: "pågår", EN: "in progress"},
    TransferStatus.TRANSFERRED: {NB: "overført", NN: "overført", EN: "transferred"},
    TransferStatus.COMPLETED_BEFORE_TRANSFER: {
        NB: "fullført før overføringen",
        NN: "fullført før overføringa",
        EN: "completed before the transfer"},
    TransferStatus.NOT_TRANSFERRED: {NB: "ikke overført",
                                     NN: "ikkje overført",
                                     EN: "not transferred"},
})
ROLE = _wordings({
    Role.OWNER: {NB: "prosjekteier", NN: "prosjekteigar", EN: "project owner"},
    Role.MANAGER: {NB: "prosjektleder", NN: "prosjektleiar", EN: "project manager"},
    Role.MEMBER: {NB: "deltaker", NN: "deltakar", EN: "member"},
})

TEXT: dict[str, Wording] = _wordings({
    "greeting": {
        NB: "Hei! Jeg er porteføljeboten. Spør meg om prosjektene i den regionale "
            "IKT-porteføljen: hvem som eier og leder dem, status og overføring.",
        NN: "Hei! Eg er porteføljeboten. Spør meg om prosjekta i den regionale "
            "IKT-porteføljen: kven som eig og leier dei, status og overføring.",
        EN: "Hi! I am the portfolio bot. Ask me about the projects in the regional ICT "
            "portfolio: who owns and leads them, their status and their transfer.",
    },
    "thanks": {NB: "Bare hyggelig!", NN: "Berre hyggeleg!", EN: "You're welcome!"},
    "help_intro": {
        NB: "Jeg svarer på spørsmål om den regionale IKT-porteføljen. Prøv for eksempel:",
        NN: "Eg svarar på spørsmål om den regionale IKT-porteføljen. Prøv til dømes:",
        EN: "I answer questions about the regional ICT portfolio. Try for example:",
    },
    "help_commands": {NB: "Dette kan du også skrive:",
                      NN: "Dette kan du òg skrive:",
                      EN: "You can also write:"},
    "help_card_commands": {NB: "Dette kan du skrive:",
                           NN: "Dette kan du skrive:",
                           EN: "You can write:"},
    "not_understood": {
        NB: "Det forstod jeg ikke helt. Prøv for eksempel:",
        NN: "Det forstod eg ikkje heilt. Prøv til dømes:",
        EN: "I did not quite understand that. Try for example:",
    },
    "not_found": {
        NB: "Jeg fant ikke noe prosjekt eller noen person som passer til «{mention}».",
        NN: "Eg fann ikkje noko prosjekt eller nokon person som passar til «{mention}».",
        EN: "I found no project or person that matches “{mention}”.",
    },
    "refresh": {NB: "Oppdater", NN: "Oppdater", EN: "Refresh"},
    "refresh_gone": {NB: "Prosjektet {code} finnes ikke lenger i porteføljen.",
                     NN: "Prosjektet {code} finst ikkje lenger i porteføljen.",
                     EN: "The project {code} is no longer in the portfolio."},
    "refresh_unknown": {NB: "Dette kortet kan ikke oppdateres.",
                        NN: "Dette kortet kan ikkje oppdaterast.",
                        EN: "This card cannot be refreshed."},
    "open_in_portfolio": {NB: "Åpne i porteføljen", NN: "Opne i porteføljen",
                          EN: "Open in portfolio"},
    "search_unknown_command": {NB: "Denne søkekommandoen kjenner jeg ikke.",
                               NN: "Denne søkjekommandoen kjenner eg ikkje.",
                               EN: "I do not know this search command."},
    "search_nothing": {NB: "Ingen prosjekter passer til «{query}».",
                       NN: "Ingen prosjekt passar til «{query}».",
                       EN: "No project matches “{query}”."},
    "which_subject": {NB: "Hvilket prosjekt mener du? Skriv navnet på det, for eksempel:",
                      NN: "Kva prosjekt meiner du? Skriv namnet på det, til dømes:",
                      EN: "Which project do you mean? Write its name, for example:"},
    "did_you_mean": {NB: "Mente du:", NN: "Meinte du:", EN: "Did you mean:"},
    "clarify": {
        NB: "«{mention}» passer til flere. Hvilken mener du?",
        NN: "«{mention}» passar til fleire. Kva for ein meiner du?",
        EN: "“{mention}” matches several. Which one do you mean?",
    },
    "none_of_these": {NB: "Ingen av disse", NN: "Ingen av desse", EN: "None of these"},
    "owner_is": {NB: "Prosjekteier for {project} er {person}.",
                 NN: "Prosjekteigar for {project} er {person}.",
                 EN: "The project owner of {project} is {person}."},
    "manager_is": {NB: "Prosjektleder for {project} er {person}.",
                   NN: "Prosjektleiar for {project} er {person}.",
                   EN: "The project manager of {project} is {person}."},
    "no_owner": {NB: "{project} har ingen registrert prosjekteier.",
                 NN: "{project} har ingen registrert prosjekteigar.",
                 EN: "{project} has no registered project owner."},
    "no_manager": {NB: "{project} har ingen registrert prosjektleder.",
                   NN: "{project} har ingen registrert prosjektleiar.",
                   EN: "{project} has no registered project manager."},
    "people_of": {NB: "Folk i {project}:", NN: "Folk i {project}:", EN: "People on {project}:"},
    "status_of": {NB: "Status for {project}: {health} ({date}, {age}).",
                  NN: "Status for {project}: {health} ({date}, {age}).",
                  EN: "Status of {project}: {health} ({date}, {age})."},
    "status_by": {NB: "Rapportert av {person}.",
                  NN: "Rapportert av {person}.",
                  EN: "Reported by {person}."},
    "status_stale": {NB: "Merk: rapporten er eldre enn {days} dager.",
                     NN: "Merk: rapporten er eldre enn {days} dagar.",
                     EN: "Note: the report is older than {days} days."},
    "no_status": {NB: "{project} har ingen statusrapport ennå.",
                  NN: "{project} har ingen statusrapport enno.",
                  EN: "{project} has no status report yet."},
    "no_transfer": {NB: "Jeg har ingen opplysninger om overføring for {project}.",
                    NN: "Eg har ingen opplysningar om overføring for {project}.",
                    EN: "I have no transfer information for {project}."},
    "transferred": {NB: "Ja, {project} ble overført fra {source} til {target} {date}.",
                    NN: "Ja, {project} vart overført frå {source} til {target} {date}.",
                    EN: "Yes, {project} was transferred from {source} to {target} on {date}."},
    "transfer_planned": {
        NB: "Overføringen av {project} fra {source} til {target} er planlagt{date_part}.",
        NN: "Overføringa av {project} frå {source} til {target} er planlagd{date_part}.",
        EN: "The transfer of {project} from {source} to {target} is planned{date_part}."},
    "transfer_in_progress": {
        NB: "Overføringen av {project} fra {source} til {target} pågår{date_part}.",
        NN: "Overføringa av {project} frå {source} til {target} pågår{date_part}.",
        EN: "The transfer of {project} from {source} to {target} is in progress{date_part}."},
    "transfer_completed_before": {
        NB: "Nei, {project} ble fullført før overføringen og ble ikke flyttet.",
        NN: "Nei, {project} vart fullført før overføringa og vart ikkje flytta.",
        EN: "No, {project} was completed before the transfer and was not moved."},
    "transfer_not": {
        NB: "Nei, {project} er ikke overført{source_part}.",
        NN: "Nei, {project} er ikkje overført{source_part}.",
        EN: "No, {project} has not been transferred{source_part}."},
    "transfer_note": {NB: "Merknad: {note}", NN: "Merknad: {note}", EN: "Note: {note}"},
    "overview_phase": {NB: "Fase", NN: "Fase", EN: "Phase"},
    "overview_programme": {NB: "Program", NN: "Program", EN: "Programme"},
    "overview_organization": {NB: "Organisasjon", NN: "Organisasjon", EN: "Organisation"},
    "overview_period": {NB: "Periode", NN: "Periode", EN: "Period"},
    "overview_status": {NB: "Status", NN: "Status", EN: "Status"},
    "overview_transfer": {NB: "Overføring", NN: "Overføring", EN: "Transfer"},
    "overview_code": {NB: "Prosjektkode", NN: "Prosjektkode", EN: "Project code"},
    "unknown": {NB: "ukjent", NN: "ukjend", EN: "unknown"},
    "open_ended": {NB: "ikke fastsatt", NN: "ikkje fastsett", EN: "not set"},
    "none_registered": {NB: "ingen registrert", NN: "ingen registrert", EN: "none registered"},
    "no_report_short": {NB: "ingen rapport", NN: "ingen rapport", EN: "no report"},
    "person_projects": {NB: "{person} er med i {count} prosjekter:",
                        NN: "{person} er med i {count} prosjekt:",
                        EN: "{person} is on {count} projects:"},
    "person_projects_one": {NB: "{person} er med i 1 prosjekt:",
                            NN: "{person} er med i 1 prosjekt:",
                            EN: "{person} is on 1 project:"},
    "person_projects_role": {NB: "{person} er {role} for {count} prosjekter:",
                             NN: "{person} er {role} for {count} prosjekt:",
                             EN: "{person} is {role} of {count} projects:"},
    "person_projects_role_one": {NB: "{person} er {role} for 1 prosjekt:",
                                 NN: "{person} er {role} for 1 prosjekt:",
                                 EN: "{person} is {role} of 1 project:"},
    "person_no_projects": {NB: "{person} har ingen prosjekter i porteføljen.",
                           NN: "{person} har ingen prosjekt i porteføljen.",
                           EN: "{person} has no projects in the portfolio."},
    "person_no_projects_role": {NB: "{person} er ikke {role} for noe prosjekt.",
                                NN: "{person} er ikkje {role} for noko prosjekt.",
                                EN: "{person} is not {role} of any project."},
    "list_count": {NB: "{count} prosjekter{filters}.",
                   NN: "{count} prosjekt{filters}.",
                   EN: "{count} projects{filters}."},
    "list_count_one": {NB: "1 prosjekt{filters}.",
                       NN: "1 prosjekt{filters}.",
                       EN: "1 project{filters}."},
    "list_none": {NB: "Ingen prosjekter{filters}.",
                  NN: "Ingen prosjekt{filters}.",
                  EN: "No projects{filters}."},
    "list_more": {NB: "… og {more} til. Skriv «vis flere» eller «vis alle».",
                  NN: "… og {more} til. Skriv «vis fleire» eller «vis alle».",
                  EN: "… and {more} more. Say “more” or “show all”."},
    "list_end": {NB: "Det var alle {total}.", NN: "Det var alle {total}.",
                 EN: "That was all {total}."},
    "list_page": {NB: "Prosjekt {first}–{last} av {total}:",
                  NN: "Prosjekt {first}–{last} av {total}:",
                  EN: "Projects {first}–{last} of {total}:"},
    "filter_health": {NB: "med status {values}",
                      NN: "med status {values}",
                      EN: "with status {values}"},
    "filter_phase": {NB: "i fase {values}", NN: "i fase {values}", EN: "in phase {values}"},
    "filter_transfer": {NB: "med overføringsstatus {values}",
                        NN: "med overføringsstatus {values}",
                        EN: "with transfer status {values}"},
    "filter_programme": {NB: "i programmet {value}",
                         NN: "i programmet {value}",
                         EN: "in the programme {value}"},
    "filter_organization": {NB: "hos {value}", NN: "hos {value}", EN: "at {value}"},
    "filter_owner": {NB: "eid av {value}", NN: "eigd av {value}", EN: "owned by {value}"},
    "filter_manager": {NB: "ledet av {value}", NN: "leia av {value}", EN: "managed by {value}"},
    "filter_person": {NB: "der {value} er med", NN: "der {value} er med",
                      EN: "with {value} on them"},
    "filter_no_report": {NB: "uten statusrapport", NN: "utan statusrapport",
                         EN: "without a status report"},
    "filter_topic": {NB: "om «{value}»", NN: "om «{value}»", EN: "about “{value}”"},
    "date_start": {NB: "med start", NN: "med start", EN: "starting"},
    "date_planned_end": {NB: "planlagt ferdig", NN: "planlagd ferdig",
                         EN: "planned to finish"},
    "date_transfer": {NB: "overført", NN: "overført", EN: "transferred"},
    "date_report": {NB: "sist rapportert", NN: "sist rapportert", EN: "last reported"},
    "date_not": {NB: "ikke {condition}", NN: "ikkje {condition}", EN: "not {condition}"},
    "range_in": {NB: "i {value}", NN: "i {value}", EN: "in {value}"},
    "range_on": {NB: "{value}", NN: "{value}", EN: "on {value}"},
    "range_before": {NB: "før {value}", NN: "før {value}", EN: "before {value}"},
    "range_after": {NB: "etter {value}", NN: "etter {value}", EN: "after {value}"},
    "range_between": {NB: "mellom {first} og {last}", NN: "mellom {first} og {last}",
                      EN: "between {first} and {last}"},
    "cannot_filter": {
        NB: "Jeg kan ikke filtrere på «{words}» ennå. Dette er det jeg fant med filtrene jeg "
            "kunne bruke:",
        NN: "Eg kan ikkje filtrere på «{words}» enno. Dette er det eg fann med filtera eg "
            "kunne bruke:",
        EN: "I can't filter by “{words}” yet. This is what I found with the filters I could "
            "use:"},
    "cannot_filter_alone": {
        NB: "Jeg kan ikke filtrere på «{words}» ennå. Jeg kan finne prosjekter etter status, "
            "fase, overføring, eier, leder, program, organisasjon, start- og sluttdato, "
            "siste rapport og hva de handler om.",
        NN: "Eg kan ikkje filtrere på «{words}» enno. Eg kan finne prosjekt etter status, "
            "fase, overføring, eigar, leiar, program, organisasjon, start- og sluttdato, "
            "siste rapport og kva dei handlar om.",
        EN: "I can't filter by “{words}” yet. I can find projects by status, phase, transfer, "
            "owner, manager, programme, organisation, start and end date, latest report and "
            "what they are about."},
    "fact_description": {NB: "{project}: {description}", NN: "{project}: {description}",
                         EN: "{project}: {description} (description in Norwegian)"},
    "fact_no_description": {NB: "{project} har ingen beskrivelse i porteføljen.",
                            NN: "{project} har inga skildring i porteføljen.",
                            EN: "{project} has no description in the portfolio."},
    "fact_programme": {NB: "{project} hører til programmet {programme}.",
                       NN: "{project} høyrer til programmet {programme}.",
                       EN: "{project} belongs to the programme {programme}."},
    "fact_programme_closed": {NB: "Programmet ble avsluttet {date}.",
                              NN: "Programmet vart avslutta {date}.",
                              EN: "The programme was closed on {date}."},
    "fact_no_programme": {NB: "{project} hører ikke til noe program.",
                          NN: "{project} høyrer ikkje til noko program.",
                          EN: "{project} does not belong to a programme."},
    "fact_start": {NB: "{project} startet {date}.", NN: "{project} starta {date}.",
                   EN: "{project} started on {date}."},
    "fact_no_start": {NB: "{project} har ingen registrert startdato.",
                      NN: "{project} har ingen registrert startdato.",
                      EN: "{project} has no registered start date."},
    "fact_planned_end": {NB: "{project} er planlagt ferdig {date}.",
                         NN: "{project} er planlagd ferdig {date}.",
                         EN: "{project} is planned to finish on {date}."},
    "fact_no_planned_end": {NB: "{project} har ingen planlagt sluttdato.",
                            NN: "{project} har inga planlagd sluttdato.",
                            EN: "{project} has no planned end date."},
    "fact_history": {NB: "Statushistorikk for {project}, nyeste først:",
                     NN: "Statushistorikk for {project}, nyaste først:",
                     EN: "Status history of {project}, newest first:"},
    "history_heading": {NB: "Statushistorikk, nyeste først:", NN: "Statushistorikk, nyaste først:",
                        EN: "Status history, newest first:"},
    "history_only_one": {NB: "Det finnes ingen tidligere statusrapport.",
                         NN: "Det finst ingen tidlegare statusrapport.",
                         EN: "There is no earlier status report."},
    "programme_closed": {NB: "{programme} er avsluttet ({date}).",
                         NN: "{programme} er avslutta ({date}).",
                         EN: "{programme} is closed (closed on {date})."},
    "programme_closed_undated": {NB: "{programme} er avsluttet.", NN: "{programme} er avslutta.",
                                 EN: "{programme} is closed."},
    "programme_active": {NB: "{programme} er aktivt.", NN: "{programme} er aktivt.",
                         EN: "{programme} is active."},
    "programme_projects": {NB: "Programmet har {count} prosjekter i porteføljen.",
                           NN: "Programmet har {count} prosjekt i porteføljen.",
                           EN: "The programme has {count} projects in the portfolio."},
    "summary_head": {NB: "Porteføljen{scope}: {count} prosjekter.",
                     NN: "Porteføljen{scope}: {count} prosjekt.",
                     EN: "The portfolio{scope}: {count} projects."},
    "summary_head_one": {NB: "Porteføljen{scope}: 1 prosjekt.",
                         NN: "Porteføljen{scope}: 1 prosjekt.",
                         EN: "The portfolio{scope}: 1 project."},
    "summary_health": {NB: "Status", NN: "Status", EN: "Status"},
    "summary_phase": {NB: "Fase", NN: "Fase", EN: "Phase"},
    "summary_transfer": {NB: "Overføring", NN: "Overføring", EN: "Transfer"},
    "summary_no_transfer": {NB: "ingen overføring", NN: "inga overføring",
                            EN: "no transfer"},
    "summary_red": {NB: "Røde prosjekter:", NN: "Raude prosjekt:", EN: "Red projects:"},
    "summary_no_red": {NB: "Ingen prosjekter er røde.", NN: "Ingen prosjekt er raude.",
                       EN: "No project is red."},
    "faq_source": {NB: "Fra ofte stilte spørsmål: {question}",
                   NN: "Frå ofte stilte spørsmål: {question}",
                   EN: "From the FAQ (in Norwegian): {question}"},
    "today": {NB: "i dag", NN: "i dag", EN: "today"},
    "one_day": {NB: "1 dag siden", NN: "1 dag sidan", EN: "1 day ago"},
    "days_ago": {NB: "{days} dager siden", NN: "{days} dagar sidan", EN: "{days} days ago"},
    "or": {NB: "eller", NN: "eller", EN: "or"},
    "turn_error": {
        NB: "Beklager, noe gikk galt da jeg skulle svare. Prøv igjen om litt; "
            "samtalen fortsetter som før.",
        NN: "Beklagar, noko gjekk gale då eg skulle svare. Prøv igjen om litt; "
            "samtalen held fram som før.",
        EN: "Sorry, something went wrong while I was answering. Please try again in a moment; "
            "the conversation carries on as before.",
    },
    "database_unavailable": {
        NB: "Beklager, jeg får ikke kontakt med databasen akkurat nå, så jeg fikk ikke gjort "
            "dette ferdig. Prøv igjen om litt; samtalen fortsetter som før.",
        NN: "Beklagar, eg får ikkje kontakt med databasen akkurat no, så eg fekk ikkje "
            "gjort dette ferdig. Prøv igjen om litt; samtalen held fram som før.",
        EN: "Sorry, I cannot reach the database right now, so I could not finish this. "
            "Please try again in a moment; the conversation carries on as before.",
    },
    "data_stale": {
        NB: "Merk: Jeg får ikke lest porteføljedatabasen akkurat nå. Svaret bygger på data "
            "som ble lest for {age} siden.",
        NN: "Merk: Eg får ikkje lese porteføljedatabasen akkurat no. Svaret byggjer på data "
            "som vart henta for {age} sidan.",
        EN: "Note: I cannot read the portfolio database right now. This answer is based on "
            "data read {age} ago.",
    },
    "under_a_minute": {NB: "under ett minutt", NN: "under eitt minutt", EN: "less than a minute"},
    "minutes": {NB: "{n} minutter", NN: "{n} minutt", EN: "{n} minutes"},
    "one_minute": {NB: "1 minutt", NN: "1 minutt", EN: "1 minute"},
    "hours": {NB: "{n} timer", NN: "{n} timar", EN: "{n} hours"},
    "one_hour": {NB: "1 time", NN: "1 time", EN: "1 hour"},
    "days": {NB: "{n} dager", NN: "{n} dagar", EN: "{n} days"},
    "one_day_long": {NB: "1 dag", NN: "1 dag", EN: "1 day"},
    "too_long": {
        NB: "Meldingen er for lang ({length} tegn). Skriv et kortere spørsmål (høyst {limit} tegn).",
        NN: "Meldinga er for lang ({length} teikn). Skriv eit kortare spørsmål "
            "(høgst {limit} teikn).",
        EN: "The message is too long ({length} characters). Please ask a shorter question "
            "(at most {limit} characters).",
    },
    "none_of_these_reply": {
        NB: "Greit. Prøv å skrive prosjektets fulle navn eller prosjektkode{example}.",
        NN: "Greitt. Prøv å skrive heile namnet på prosjektet eller prosjektkoden{example}.",
        EN: "All right. Try the project's full name or its code{example}.",
    },
    "for_example_code": {NB: ", for eksempel «{code}»",
                         NN: ", til dømes «{code}»",
                         EN: ", for example “{code}”"},
    "stale_button": {
        NB: "Den knappen hører til et eldre svar som jeg ikke kan bruke lenger. Spør gjerne på nytt.",
        NN: "Den knappen høyrer til eit eldre svar som eg ikkje kan bruke lenger. "
            "Spør gjerne på nytt.",
        EN: "That button belongs to an older answer I can no longer use. Please ask again.",
    },
    "not_ready": {
        NB: "Jeg har ikke fått lest porteføljen ennå. Prøv igjen om et øyeblikk.",
        NN: "Eg har ikkje fått lese porteføljen enno. Prøv igjen om eit augeblink.",
        EN: "I have not been able to read the portfolio yet. Please try again in a moment.",
    },
    "status_posted": {
        NB: "Statusen for {project} er lagret: {health}.",
        NN: "Statusen for {project} er lagra: {health}.",
        EN: "The status of {project} is stored: {health}.",
    },
    "status_refused": {
        NB: "Du kan ikke rapportere status for {project}. Det kan prosjekteier og "
            "prosjektleder: {leads}.",
        NN: "Du kan ikkje rapportere status for {project}. Det kan prosjekteigar og "
            "prosjektleiar: {leads}.",
        EN: "You cannot post the status of {project}. Its project owner and project manager "
            "can: {leads}.",
    },
    "status_unknown_sender": {
        NB: "Jeg finner deg ikke i porteføljen, så jeg kan ikke lagre status for {project}. "
            "Prosjekteier og prosjektleder kan: {leads}.",
        NN: "Eg finn deg ikkje i porteføljen, så eg kan ikkje lagre status for {project}. "
            "Prosjekteigar og prosjektleiar kan: {leads}.",
        EN: "I cannot find you in the portfolio, so I cannot store a status for {project}. "
            "Its project owner and project manager can: {leads}.",
    },
    "health_missing": {
        NB: "Skriv status som grønn, gul eller rød, for eksempel «status {example}: grønn – "
            "alt går etter planen».",
        NN: "Skriv status som grøn, gul eller raud, til dømes «status {example}: grøn – "
            "alt går etter planen».",
        EN: "Give the status as green, yellow or red, for example “status {example}: green - "
            "on track”.",
    },
    "summary_empty": {NB: "Skriv en kort oppsummering etter statusfargen.",
                      NN: "Skriv ei kort oppsummering etter statusfargen.",
                      EN: "Add a short summary after the status colour."},
    "summary_too_long": {NB: "Oppsummeringen kan være høyst {limit} tegn.",
                         NN: "Oppsummeringa kan vere høgst {limit} teikn.",
                         EN: "The summary can be at most {limit} characters."},
    "notify_status": {NB: "Ny status for {project}: {health}",
                      NN: "Ny status for {project}: {health}",
                      EN: "New status for {project}: {health}"},
    "notify_health": {NB: "{project} har endret status fra {before} til {health}",
                      NN: "{project} har endra status frå {before} til {health}",
                      EN: "{project} changed status from {before} to {health}"},
    "notify_phase": {NB: "{project} har gått fra {before} til {after}",
                     NN: "{project} har gått frå {before} til {after}",
                     EN: "{project} moved from {before} to {after}"},
    "notify_transfer": {NB: "Overføringsstatus for {project}: {after}",
                        NN: "Overføringsstatus for {project}: {after}",
                        EN: "Transfer status of {project}: {after}"},
    "notify_owner": {NB: "Ny prosjekteier for {project}: {person}",
                     NN: "Ny prosjekteigar for {project}: {person}",
                     EN: "New project owner of {project}: {person}"},
    "notify_manager": {NB: "Ny prosjektleder for {project}: {person}",
                       NN: "Ny prosjektleiar for {project}: {person}",
                       EN: "New project manager of {project}: {person}"},
    "notify_added": {NB: "Nytt prosjekt i porteføljen: {project}",
                     NN: "Nytt prosjekt i porteføljen: {project}",
                     EN: "New project in the portfolio: {project}"},
    "notify_removed": {NB: "{project} er fjernet fra porteføljen",
                       NN: "{project} er fjerna frå porteføljen",
                       EN: "{project} was removed from the portfolio"},
    "notify_changed": {NB: "{project} er oppdatert",
                       NN: "{project} er oppdatert",
                       EN: "{project} was updated"},
    "label_previous_status": {NB: "Forrige status", NN: "Førre status", EN: "Previous status"},
    "digest_title": {NB: "Ukesoppsummering for porteføljen ({week})",
                     NN: "Vekeoppsummering for porteføljen ({week})",
                     EN: "Weekly portfolio summary ({week})"},
    "digest_changes": {NB: "Endringer siste uke",
                       NN: "Endringar den siste veka",
                       EN: "Changes last week"},
    "digest_red": {NB: "Røde prosjekter", NN: "Raude prosjekt", EN: "Red projects"},
    "digest_stale": {NB: "Rapporter eldre enn {days} dager",
                     NN: "Rapportar eldre enn {days} dagar",
                     EN: "Reports older than {days} days"},
    "digest_none": {NB: "ingen", NN: "ingen", EN: "none"},
    "reminder_title": {NB: "Påminnelse om statusrapport",
                       NN: "Påminning om statusrapport",
                       EN: "Status report reminder"},
    "reminder_text": {
        NB: "Siste statusrapport for {project} er {days} dager gammel. Skriv «oppdater status» "
            "for å rapportere.",
        NN: "Siste statusrapport for {project} er {days} dagar gammal. Skriv «oppdater status» "
            "for å rapportere.",
        EN: "The latest status report for {project} is {days} days old. Write “update status” "
            "to report.",
    },
    "form_project_missing": {NB: "Velg et prosjekt i skjemaet.",
                             NN: "Vel eit prosjekt i skjemaet.",
                             EN: "Choose a project in the form."},
    "form_intro": {NB: "Ny statusrapport", NN: "Ny statusrapport", EN: "New status report"},
    "form_project": {NB: "Prosjekt", NN: "Prosjekt", EN: "Project"},
    "form_health": {NB: "Status", NN: "Status", EN: "Status"},
    "form_summary": {NB: f"Oppsummering (høyst {MAX_SUMMARY} tegn)",
                     NN: f"Oppsummering (høgst {MAX_SUMMARY} teikn)",
                     EN: f"Summary (at most {MAX_SUMMARY} characters)"},
    "form_submit": {NB: "Lagre status", NN: "Lagre status", EN: "Save status"},
    "dialog_choose_project": {NB: "Hvilket prosjekt vil du oppdatere status for?",
                              NN: "Kva for eit prosjekt vil du oppdatere status for?",
                              EN: "Which project do you want to update?"},
    "dialog_choose_health": {NB: "Hva er statusen: grønn, gul eller rød?",
                             NN: "Kva er statusen: grøn, gul eller raud?",
                             EN: "What is the status: green, yellow or red?"},
    "dialog_write_summary": {NB: f"Skriv en kort oppsummering (høyst {MAX_SUMMARY} tegn).",
                             NN: f"Skriv ei kort oppsummering (høgst {MAX_SUMMARY} teikn).",
                             EN: f"Write a short summary (at most {MAX_SUMMARY} characters)."},
    "dialog_confirm": {NB: "Lagre status {health}: «{summary}»?",
                       NN: "Lagre status {health}: «{summary}»?",
                       EN: "Save status {health}: “{summary}”?"},
    "dialog_retry": {NB: "Det passet ikke.", NN: "Det passa ikkje.", EN: "That did not fit."},
    "dialog_cancelled": {NB: "Avbrutt. Ingenting er lagret.",
                         NN: "Avbrote. Ingenting er lagra.",
                         EN: "Cancelled. Nothing was stored."},
    "already_processing": {
        NB: "Denne oppdateringen er allerede mottatt og blir lagret. Se etter bekreftelsen.",
        NN: "Denne oppdateringa er allereie motteken og blir lagra. "
            "Sjå etter stadfestinga.",
        EN: "This update was already received and is being stored. Look for the confirmation.",
    },
    "channel_not_allowed": {
        NB: "Status kan bare lagres eller angres i Microsoft Teams. Ingenting er endret.",
        NN: "Status kan berre lagrast eller angrast i Microsoft Teams. Ingenting er endra.",
        EN: "Status can only be posted or undone in Microsoft Teams. Nothing was changed.",
    },
    "not_your_button": {
        NB: "Den knappen hører til en statusoppdatering som noen andre skrev, så bare de kan "
            "velge prosjekt med den. Ingenting er lagret; skriv din egen oppdatering.",
        NN: "Den knappen høyrer til ei statusoppdatering som nokon andre skreiv, så berre dei "
            "kan velje prosjekt med den. Ingenting er lagra; skriv di eiga oppdatering.",
        EN: "That button belongs to a status update someone else wrote, so only they can "
            "choose its project. Nothing was stored; write your own update.",
    },
    "choice_stale": {
        NB: "Den knappen er fra en eldre versjon av meg. Ingenting er lagret; skriv "
            "statusoppdateringen på nytt.",
        NN: "Den knappen er frå ein eldre versjon av meg. Ingenting er lagra; skriv "
            "statusoppdateringa på nytt.",
        EN: "That button is from an older version of me. Nothing was stored; write the status "
            "update again.",
    },
    "status_withdrawn": {NB: "Statusoppdateringen for {project} er trukket tilbake.",
                         NN: "Statusoppdateringa for {project} er trekt tilbake.",
                         EN: "The status update for {project} is withdrawn."},
    "nothing_to_undo": {
        NB: "Du har ingen statusoppdatering fra de siste {minutes} minuttene å angre.",
        NN: "Du har inga statusoppdatering frå dei siste {minutes} minutta å angre.",
        EN: "You have no status update from the last {minutes} minutes to undo.",
    },
    "my_projects": {NB: "Prosjektene du eier eller leder:",
                    NN: "Prosjekta du eig eller leier:",
                    EN: "The projects you own or lead:"},
    "my_projects_none": {NB: "Du er ikke prosjekteier eller prosjektleder for noe prosjekt.",
                         NN: "Du er ikkje prosjekteigar eller prosjektleiar for noko prosjekt.",
                         EN: "You are not the owner or manager of any project."},
    "my_projects_unknown": {NB: "Jeg finner deg ikke i porteføljen.",
                            NN: "Eg finn deg ikkje i porteføljen.",
                            EN: "I cannot find you in the portfolio."},
    "stale_flag": {NB: "eldre enn {days} dager",
                   NN: "eldre enn {days} dagar",
                   EN: "older than {days} days"},
    "label_date": {NB: "Dato", NN: "Dato", EN: "Date"},
    "label_from": {NB: "Fra", NN: "Frå", EN: "From"},
    "label_to": {NB: "Til", NN: "Til", EN: "To"},
    "label_note": {NB: "Merknad", NN: "Merknad", EN: "Note"},
    "label_reported_by": {NB: "Rapportert av", NN: "Rapportert av", EN: "Reported by"},
    "subscribed": {NB: "Denne samtalen abonnerer nå på endringer i {target}{kinds}.",
                   NN: "Denne samtalen abonnerer no på endringar i {target}{kinds}.",
                   EN: "This conversation is now subscribed to changes in {target}{kinds}."},
    "subscription_updated": {NB: "Abonnementet på {target} er endret{kinds}.",
                             NN: "Abonnementet på {target} er endra{kinds}.",
                             EN: "The subscription to {target} is changed{kinds}."},
    "unsubscribed": {NB: "Abonnementet på {target} er avsluttet.",
                     NN: "Abonnementet på {target} er avslutta.",
                     EN: "The subscription to {target} is cancelled."},
    "unsubscribed_all": {NB: "Alle abonnementer i denne samtalen er avsluttet ({count}).",
                         NN: "Alle abonnementa i denne samtalen er avslutta ({count}).",
                         EN: "Every subscription in this conversation is cancelled ({count})."},
    "not_subscribed": {NB: "Denne samtalen abonnerer ikke på {target}.",
                       NN: "Denne samtalen abonnerer ikkje på {target}.",
                       EN: "This conversation is not subscribed to {target}."},
    "no_subscriptions": {NB: "Denne samtalen har ingen abonnementer.",
                         NN: "Denne samtalen har ingen abonnement.",
                         EN: "This conversation has no subscriptions."},
    "subscriptions": {NB: "Denne samtalen abonnerer på:",
                      NN: "Denne samtalen abonnerer på:",
                      EN: "This conversation is subscribed to:"},
    "subscription_last": {NB: "sist varslet {date}", NN: "sist varsla {date}",
                          EN: "last notified {date}"},
    "subscription_never": {NB: "ingen varsler ennå", NN: "ingen varsel enno",
                           EN: "no notices yet"},
    "subscription_failing": {NB: "⚠ leveringen feiler: {why}", NN: "⚠ leveringa feilar: {why}",
                             EN: "⚠ delivery is failing: {why}"},
    "subscription_stopped": {
        NB: "⚠ Varsler når ikke fram hit: {why}. Legg til appen igjen for å få dem.",
        NN: "⚠ Varsel kjem ikkje fram hit: {why}. Legg til appen igjen for å få dei.",
        EN: "⚠ Notices no longer reach this conversation: {why}. Add the app again to get "
            "them."},
    "why_removed": {NB: "appen er fjernet fra samtalen", NN: "appen er fjerna frå samtalen",
                    EN: "the app was removed from it"},
    "why_throttled": {NB: "Teams avviser for mange forespørsler", NN: "Teams avviser for mange "
                      "førespurnader", EN: "Teams refuses too many requests"},
    "why_dead": {NB: "gitt opp etter gjentatte forsøk", NN: "gitt opp etter fleire forsøk",
                 EN: "given up after repeated attempts"},
    "why_error": {NB: "feil hos Teams", NN: "feil hos Teams", EN: "an error at Teams"},
    "trouble_title": {NB: "Varsler kom ikke fram", NN: "Varsel kom ikkje fram",
                      EN: "Notices did not arrive"},
    "trouble_text": {
        NB: "{count} varsler til denne samtalen kunne ikke leveres ({when}): {why}. Skriv "
            "«abonnementer» for å se hvordan leveringen går nå.",
        NN: "{count} varsel til denne samtalen kunne ikkje leverast ({when}): {why}. Skriv "
            "«abonnementer» for å sjå korleis leveringa går no.",
        EN: "{count} notices to this conversation could not be delivered ({when}): {why}. "
            "Type “subscriptions” to see how delivery goes now."},
    "trouble_text_one": {
        NB: "Ett varsel til denne samtalen kunne ikke leveres ({when}): {why}. Skriv "
            "«abonnementer» for å se hvordan leveringen går nå.",
        NN: "Eitt varsel til denne samtalen kunne ikkje leverast ({when}): {why}. Skriv "
            "«abonnementer» for å sjå korleis leveringa går no.",
        EN: "One notice to this conversation could not be delivered ({when}): {why}. "
            "Type “subscriptions” to see how delivery goes now."},
    "trouble_between": {NB: "{first}–{last}", NN: "{first}–{last}", EN: "{first} to {last}"},
    "subscription_everything": {NB: "hele porteføljen",
                                NN: "heile porteføljen",
                                EN: "the whole portfolio"},
    "subscription_all_kinds": {NB: "alle endringer", NN: "alle endringar", EN: "all changes"},
    "subscription_only": {NB: " (kun {kinds})", NN: " (kun {kinds})", EN: " (only {kinds})"},
    "subscription_help": {
        NB: "Skriv hva samtalen skal abonnere på, for eksempel:",
        NN: "Skriv kva samtalen skal abonnere på, til dømes:",
        EN: "Say what this conversation should subscribe to, for example:",
    },
    "subscription_unknown_kinds": {
        NB: "Jeg kjenner ikke «{words}». Du kan begrense til status, overføring, fase og "
            "eier/leder.",
        NN: "Eg kjenner ikkje «{words}». Du kan avgrense til status, overføring, fase og "
            "eigar/leiar.",
        EN: "I do not know “{words}”. You can limit it to status, transfers, phase and people.",
    },
    "subscription_removed_target": {NB: "{kind} {id} (finnes ikke lenger i porteføljen)",
                                    NN: "{kind} {id} (finst ikkje lenger i porteføljen)",
                                    EN: "{kind} {id} (no longer in the portfolio)"},
})

# The example questions the welcome, the help and "did not understand" suggest, by what they
# ask; `knowledge.answers.examples` fills in names of the connected portfolio and keeps only
# those the bot answers right.
EXAMPLE_QUESTIONS: dict[str, Wording] = _wordings({
    "owner": {NB: "Hvem eier {project}?", NN: "Kven eig {project}?", EN: "Who owns {project}?"},
    "status": {NB: "Hva er status på {project}?",
               NN: "Kva er status for {project}?",
               EN: "What is the status of {project}?"},
    "transfer": {NB: "Er {project} overført?",
                 NN: "Vart {project} overført?",
                 EN: "Was {project} transferred?"},
    "red": {NB: "Hvilke prosjekter er røde?",
            NN: "Kva prosjekt er raude?",
            EN: "Which projects are red?"},
    "person": {NB: "Hvilke prosjekter har {person}?",
               NN: "Kva prosjekt har {person}?",
               EN: "Which projects does {person} have?"},
    "programme": {NB: "Hvilke prosjekter er i {programme}?",
                  NN: "Kva prosjekt er i {programme}?",
                  EN: "Which projects are in {programme}?"},
})


def say(key: str, language: Language, **values: object) -> str:
    """The phrase `key` in `language`, with `values` filled in."""
    return TEXT[key][language].format(**values)


def command_help(language: Language) -> tuple[tuple[str, str], ...]:
    """(what to write, what it does) for each command the help names, in the command table's
    order: the same entries the Teams command menu is made from. A language the menu has no
    wording for (nynorsk) gets the bokmål entry, whose command words it understands too."""
    return tuple((_menu_text(command.menu.title, language),
                  _menu_text(command.menu.description, language))
                 for command in COMMANDS if command.menu is not None)


def _menu_text(texts: Mapping[Language, str], language: Language) -> str:
    return texts[language] if language in texts else texts[NB]


def format_date(value: date | datetime | None, language: Language) -> str:
    """A date as people write it: 31.10.2026 in Norwegian (bokmål and nynorsk), 2026-10-31 in
    English."""
    if value is None:
        return TEXT["unknown"][language]
    day = value.date() if isinstance(value, datetime) else value
    return day.isoformat() if language is EN else day.strftime("%d.%m.%Y")


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


SUBSCRIPTION_KIND = _wordings({
    "status": {NB: "status", NN: "status", EN: "status"},
    "transfer": {NB: "overføring", NN: "overføring", EN: "transfers"},
    "phase": {NB: "fase", NN: "fase", EN: "phase"},
    "people": {NB: "eier/leder", NN: "eigar/leiar", EN: "owner/manager"},
})
SUBSCRIPTION_TARGET_KIND = _wordings({
    "project": {NB: "prosjekt", NN: "prosjekt", EN: "project"},
    "programme": {NB: "program", NN: "program", EN: "programme"},
})
# What the subscription help suggests; a line naming {project} or {programme} is left out when
# the connected portfolio gives no name for it (`subscription_examples`).
SUBSCRIPTION_EXAMPLES = {
    NB: ("abonner {project}", "abonner {programme} kun status", "abonner alle kun overføring",
         "abonnementer", "avslutt abonnement {project}", "avslutt alle abonnementer"),
    NN: ("abonner {project}", "abonner {programme} kun status", "abonner alle kun overføring",
         "abonnement", "avslutt abonnement {project}", "avslutt alle abonnementa"),
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
