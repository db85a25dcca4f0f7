"""The words the understanding layer listens for, in folded form (see `knowledge.language.text.fold`).

General Norwegian bokmål and English only: question words, cue words for each kind of
question, filter words, and a small glossary of common hospital-ICT nouns so an English
question finds a Norwegian project name. Nothing here names a project, person or
organisation of any particular portfolio.
"""

from __future__ import annotations

from knowledge.portfolio.model import Health, Phase, TransferStatus


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no meaning for matching names, in either language.
STOPWORDS = _words(
    """
    hva hvem hvor hvilke hvilken hvilket hvordan hvorfor nar naer er var ble blir har hadde
    skal kan vil ma mon det den de dette disse der her en et ei og eller i pa til fra for
    med om av som at ikke sa seg sin sitt sine sine deres hans hennes min mitt mine jeg du
    dere oss meg deg vi man noen noe alle all alt enn nok da bare vel jo na fortsatt
    fremdeles enda egentlig gjerne kanskje takk hei hallo prosjekt prosjektet prosjekter
    prosjektene prosjektets gi gir si sier vis fortell forklar lurer lure paa ut inn opp
    aktuelle dagens gjeldende nye nyeste siste ny sist sa star
    what who whom whose where which when why how is are was were be been being has have had
    do does did the a an of in on at to from for with about by and or not any all this that
    these those there it its i me my we our you your he she they them their please tell
    show give list find get know want would could should can will shall may might still
    project projects projects' currently current latest newest now right just any some so
    hi
    """
)

GREETINGS = _words(
    "hei hallo heisann hoi god morgen dag kveld ettermiddag hello hi hey morning evening "
    "afternoon good day yo"
)
THANKS = _words("takk thanks thank ty cheers flott supert perfekt great nice")
# Words that may stand around a greeting or a thank-you without making it a question.
COURTESY_FILLER = _words(
    "tusen mange hjelpen hjelp svaret svarene bot boten portfoliobot you lot much very so "
    "for the help answer there folks everyone alle dere bra fint good kjempe"
)
HELP_WORDS = _words("hjelp help meny menu kommandoer commands eksempler examples")
HELP_PHRASES = (
    ("hva", "kan", "du"), ("what", "can", "you"), ("hvordan", "bruker"), ("how", "do", "i", "use"),
    ("hvem", "er", "du"), ("who", "are", "you"),
)

OWNER_WORDS = _words("eier eies eid eide eiere eieren eierne prosjekteier prosjekteieren owner "
                     "owns owned owning own")
MANAGER_WORDS = _words(
    "leder leders ledes ledet ledete lederen prosjektleder prosjektlederen pl manager managed manages "
    "lead leads led leading runs run running pm managing heads head"
)
PEOPLE_WORDS = _words(
    "jobber jobbar work works working arbeider deltakere deltaker medlemmer medlem folk personer team "
    "teamet bemanning involvert "
    "roller members member people staff staffed involved works working roles"
)
STATUS_WORDS = _words(
    "status statusen statusrapport tilstand going gar ligger progress "
    "rapport rapportert report reported update oppdatering doing skrev skreiv skrive wrote "
    "written rapporterte statusrapporten skjer"
)
TRANSFER_WORDS = _words(
    "overfort overfores overforing overforingen overfore overdratt overdragelse flyttet "
    "transferred transfer transfers transferring moved handed overforinger overforte"
)
WHEN_WORDS = _words("nar when dato date tidspunkt tid")
WHERE_WORDS = _words("hvor where hvem whom hvilken organisasjon organization organisation")
OVERVIEW_WORDS = _words(
    "fortell om info informasjon oversikt beskrivelse beskriv detaljer overview describe "
    "details about summary sammendrag"
)
HISTORY_WORDS = _words(
    "forrige tidligere historikk historie statushistorikk rapporthistorikk utviklet utvikling "
    "utviklingen endret endringer endring history historic previous earlier developed "
    "development trend changed changes evolved prior"
)
DESCRIPTION_WORDS = _words(
    "beskrivelse beskriv beskrive formal formalet hensikt hensikten innhold innholdet "
    "description describe purpose aim goal"
)
# Phrases that ask what a project is about: "hva går X ut på", "what is X about".
DESCRIPTION_PHRASES = (("ut", "pa"), ("handler", "om"), ("dreier", "seg", "om"),
                       ("gar", "ut"), ("is", "about"), ("about",))
PROGRAMME_WORDS = _words("program programmet programme programmes programs")
START_WORDS = _words("startet start startdato oppstart begynte started start starts began "
                     "begin begun kicked")
END_WORDS = _words(
    "ferdig ferdigstilt ferdigstilles sluttdato slutt avsluttes ende ender end ends finish "
    "finishes finished due deadline completion complete"
)
CLOSED_WORDS = _words("avsluttet nedlagt lukket closed ended finished over active aktiv aktivt "
                      "avslutta")
SUMMARY_WORDS = _words(
    "oversikt oversikten sammendrag oppsummering oppsummer oppsummere sammenfatning overview "
    "summary summarise summarize totalt status tilstand state statusoversikt "
    "portefoljeoversikt portefoljestatus helhetsbilde"
)
PORTFOLIO_WORDS = _words("portefolje portefoljen portefoljer portfolio portfolios portefolja "
                         "portefoljeoversikt portefoljestatus")
# Words after which a name follows: "prosjektet Robotkirurgi", "the project Atlas".
NAME_LEAD_WORDS = _words("prosjektet prosjekt project programmet program programme")
# Conditions people ask about that the portfolio database does not hold: a list question
# with one of these says it cannot filter by it rather than guess.
UNSUPPORTED_WORDS = _words(
    "budsjett budsjettet budget budgets kostnad kostnader kostnadsramme kostnadsrammen cost "
    "costs mnok nok kroner krone millioner million millions mill risiko risk risks gevinst "
    "gevinster benefit benefits prioritet prioritert priority priorities storrelse size "
    "timer hours ressurser resources forbruk spend spending"
)
# Everyday words that name neither a project nor a topic, whatever the portfolio.
FILLER_WORDS = _words(
    "vaere blitt finnes fins totalt fortsatt gjelder ligger ansvarlig ansvarlige ansvar "
    "responsible responsibility charge deals deal dealing handles handle handling concerns "
    "concerning regarding about working work jobber arbeider holder driver drives running "
    "nevnt kalt called named heter sa ogsa also too every each hver hvert totalt total "
    "egentlig akkurat liksom litt mye lot lots kind sort type slags typen skal going will "
    "shall would should could kunne skulle ville burde matte gjort done doing does gjor "
    "hele whole entire finne find tell fortelle vite know lure lurte wonder wondering "
    "interessert interested trenger need needs gjerne mulig possible ok okay vennligst "
    "sjekk check se look see siden dette hvilket hvilken which whose som hvor hvordan hva "
    "nettopp like nylig recently just involving involves involved om pa the mange many "
    "antall number count portefolje portefoljen portfolio program programmet programme "
    "programmes prosjektet prosjekter prosjekt project projects horer tilhorer hort belongs "
    "belong belonging part del inngar over under mer enn than more less mindre handler "
    "handlar dreier dreiar seg gar ut inn beskjeftiger jobbes arbeides ansvaret ansvar "
    "ansvarlig ansvarleg skjer hender going doing new nye nytt satt satte sett blitt lagt "
    "whats whos wasn isn weren didn hasn doesn initiative initiatives work covers cover "
    "please thanks takk date dato last sist siste "
)
HOW_GOING_PHRASES = (("star", "det", "til"), ("hvordan", "gar", "det"), ("how", "is"),
                     ("how", "are"), ("how", "does"), ("hvordan", "ser"), ("ligger", "an"),
                     ("ligg", "an"), ("vi", "an"), ("me", "an"), ("det", "an"))
LIST_WORDS = _words("hvilke hvilket which list liste vis show alle all")
COUNT_PHRASES = (("hvor", "mange"), ("how", "many"), ("antall",), ("count",), ("number", "of"))
PLURAL_PROJECT_WORDS = _words("prosjekter prosjektene projects")

HEALTH_WORDS: dict[str, Health] = {
    "gronn": Health.GREEN, "gronne": Health.GREEN, "gront": Health.GREEN, "green": Health.GREEN,
    "gul": Health.YELLOW, "gule": Health.YELLOW, "gult": Health.YELLOW,
    "yellow": Health.YELLOW, "amber": Health.YELLOW, "orange": Health.YELLOW,
    "rod": Health.RED, "rode": Health.RED, "rodt": Health.RED, "red": Health.RED,
    # nynorsk, so "status DHO: raud – …" posts as written
    "gron": Health.GREEN, "grone": Health.GREEN, "raud": Health.RED, "raude": Health.RED,
    "raudt": Health.RED,
}

ONGOING_PHASES = frozenset({Phase.CONCEPT, Phase.PLANNING, Phase.EXECUTION})
PHASE_WORDS: dict[str, frozenset[Phase]] = {
    "konsept": frozenset({Phase.CONCEPT}), "konseptfase": frozenset({Phase.CONCEPT}),
    "concept": frozenset({Phase.CONCEPT}),
    "planlegging": frozenset({Phase.PLANNING}), "planleggingsfase": frozenset({Phase.PLANNING}),
    "planning": frozenset({Phase.PLANNING}),
    "gjennomforing": frozenset({Phase.EXECUTION}), "gjennomforingsfase": frozenset({Phase.EXECUTION}),
    "execution": frozenset({Phase.EXECUTION}), "executing": frozenset({Phase.EXECUTION}),
    "pauset": frozenset({Phase.PAUSED}), "pausede": frozenset({Phase.PAUSED}),
    "pause": frozenset({Phase.PAUSED}), "pauses": frozenset({Phase.PAUSED}),
    "hold": frozenset({Phase.PAUSED}),
    "paused": frozenset({Phase.PAUSED}), "stoppet": frozenset({Phase.PAUSED}),
    "avsluttet": frozenset({Phase.CLOSED}), "avsluttede": frozenset({Phase.CLOSED}),
    "closed": frozenset({Phase.CLOSED}), "ferdig": frozenset({Phase.CLOSED}),
    "ferdige": frozenset({Phase.CLOSED}), "finished": frozenset({Phase.CLOSED}),
    "completed": frozenset({Phase.CLOSED}), "lukket": frozenset({Phase.CLOSED}),
    "pagar": ONGOING_PHASES, "pagaende": ONGOING_PHASES, "aktive": ONGOING_PHASES,
    "aktiv": ONGOING_PHASES, "ongoing": ONGOING_PHASES, "active": ONGOING_PHASES,
    "running": ONGOING_PHASES, "open": ONGOING_PHASES, "apne": ONGOING_PHASES,
    "continuing": ONGOING_PHASES, "continue": ONGOING_PHASES, "fortsetter": ONGOING_PHASES,
    "viderefort": ONGOING_PHASES, "videreforte": ONGOING_PHASES,
}

TRANSFER_STATUS_WORDS: dict[str, frozenset[TransferStatus]] = {
    "overfort": frozenset({TransferStatus.TRANSFERRED}),
    "overforte": frozenset({TransferStatus.TRANSFERRED}),
    "transferred": frozenset({TransferStatus.TRANSFERRED}),
    "planlagt": frozenset({TransferStatus.PLANNED}),
    "planned": frozenset({TransferStatus.PLANNED}),
}
NEGATION_WORDS = _words("ikke not never aldri un wasn isn weren didn hasn haven doesn")
TRANSFER_IN_PROGRESS_WORDS = _words("pagar underveis progress")

# English (and common spelling) → Norwegian folded nouns, used only to find names.
GLOSSARY: dict[str, str] = {
    "wireless": "tradlost", "wifi": "tradlost", "wlan": "tradlost", "network": "nett",
    "networks": "nett", "net": "nett", "phase": "fase", "cloud": "sky", "platform": "plattform",
    "radiology": "radiologi", "pathology": "patologi", "laboratory": "laboratorie",
    "lab": "laboratorie", "home": "hjemme", "monitoring": "oppfolging", "followup": "oppfolging",
    "modernisation": "modernisering", "modernization": "modernisering",
    "telecom": "telekom", "telephony": "telefoni", "migration": "migrering",
    "service": "tjeneste", "services": "tjenester", "security": "sikkerhet",
    "access": "tilgang", "privacy": "personvern", "programme": "program",
    "logistics": "logistikk", "health": "helse", "archive": "arkiv", "imaging": "bildediagnostikk",
    "ai": "ki", "artificial": "kunstig", "intelligence": "intelligens", "quality": "kvalitet",
    "registries": "kvalitetsregistre", "registry": "kvalitetsregistre",
    "ehr": "epj", "epr": "epj", "records": "journal", "record": "journal", "digital": "digital",
    "regional": "regional", "solution": "losning", "common": "felles", "shared": "felles",
    "public": "allmenn", "private": "privat", "upgrade": "oppgradering", "data": "data",
    "transfer": "overforing", "transferred": "overfort", "automated": "automatisert", "strategy": "strategi",
    "standard": "standard", "multimedia": "multimedia", "pathology's": "patologi",
    "hospital": "sykehus", "hospitals": "sykehus", "why": "hvorfor", "portfolio": "portefolje",
    "happened": "skjedde", "report": "rapportere", "colours": "statusfarger",
    "colors": "statusfarger", "mean": "betyr", "means": "betyr", "employees": "medarbeidere",
    "continue": "fortsetter", "continues": "fortsetter", "department": "avdeling",
    "ansatte": "medarbeidere", "people": "medarbeidere", "staff": "medarbeidere",
    "red": "rod", "green": "gronn", "yellow": "gul", "amber": "gul", "work": "jobber",
    "size": "storrelse", "many": "mange", "flyttet": "overfort", "moved": "overfort",
    "big": "storrelse", "large": "storrelse",
}

# Phrases that name the transfer status "completed before the transfer".
COMPLETED_WORDS = _words("fullfort fullforte ferdig ferdige avsluttet avsluttede completed "
                         "finished done closed delivered levert")
BEFORE_WORDS = _words("for before prior")

# Cue words worth recognising through a typo ("statsu", "prosjektleer").
TYPO_CUES = (
    "status", "prosjektleder", "prosjekteier", "overfort", "overforing", "transferred",
    "statusrapport", "forrige", "historikk", "project", "prosjekt", "prosjektet",
    "gjennomforing", "planlegging", "avsluttet", "pauset",
    "transfer", "owner", "manager", "hvilke", "prosjekter", "projects",
)

# Words that only an English question would use; Norwegian is the default.
ENGLISH_MARKERS = _words(
    "history previous closed due finish finished started start programme about whats whos "
    "responsible charge managing managed red green yellow summary overview portfolio going "
    "deals handles which meant mean sorry "
    "good morning evening afternoon thanks thank lot much bot order work works people undo my cancel save "
    "who what which where when why how is are was were the does do did owns own owner lead "
    "leads manager managed status of projects project transferred transfer many list show "
    "tell me about please hello hi hey thanks thank you help latest can whose has have been "
    "to it its in on for and with any all"
)
NORWEGIAN_MARKERS = _words(
    "god morgen tusen hjelpen boten kan du jeg meg bestille jobber ansatte angre mine avbryt lagre oppdater "
    "hvem hva hvilke hvilken hvor hvordan hvorfor nar er eier eies leder prosjektleder "
    "prosjekteier prosjekter prosjektet overfort overforing ble har og til pa av for med om "
    "mange vis fortell meg takk hei hallo hjelp gar det den som ikke alle status en et"
)
NORWEGIAN_LETTERS = frozenset("æøåÆØÅ")

# Nynorsk words that bokmål uses too, with another meaning ("ei bok"): not a sign of nynorsk.
# Which words are nynorsk, and their bokmål, is the lexicon's `data/nynorsk.tsv`.
BOKMAL_TOO = frozenset({"ei", "leier", "fortel"})

# A project lacks a status report: "mangler statusrapport", "uten rapport", "no report".
REPORT_NOUNS = frozenset({"rapport", "rapporter", "statusrapport", "statusrapporter",
                          "statusrapporten", "rapporten", "report", "reports", "reporting",
                          "status", "statusoppdatering", "oppdatering", "update", "updates"})
LACKING_WORDS = frozenset({"mangler", "uten", "ingen", "without", "no", "lacking", "lack",
                           "missing", "lacks"})
NOT_REPORTED = frozenset({"rapportert", "reported", "rapporterer", "rapportere", "report",
                          "levert", "oppdatert", "updated"})

# How a follow-up names a new subject for the last question ('hva med fase I?') or corrects
# the last one ('nei, jeg mente fase I'): knowledge.answers.follow_ups.
CORRECTIONS = (("nei", "jeg", "mente"), ("nei", "eg", "meinte"), ("nei", "jeg", "meinte"),
               ("jeg", "meinte"), ("jeg", "mente"),
               ("sorry", "i", "meant"), ("sorry", "i", "mean"), ("oops", "i", "meant"),
               ("beklager", "jeg", "mente"), ("orsak", "eg", "meinte"), ("unnskyld", "jeg"),
               ("no", "sorry"), ("nei", "beklager"),
               ("eg", "meinte"), ("no", "i", "meant"), ("i", "meant"), ("nei", "mente"),
               ("nei", "jeg", "mener"), ("no", "i", "mean"), ("not", "that", "one"),
               ("ikke", "den"), ("ikkje", "den"))
NEW_SUBJECT_LEADS = (("hva", "med"), ("kva", "med"), ("what", "about"), ("how", "about"),
                     ("and", "what", "about"), ("og", "hva", "med"), ("enn",), ("og",),
                     ("and",), ("men",), ("but",), ("samme", "for"), ("same", "for"))
# The leads above that make a message a question about what follows them, whatever it is:
# "hva med dokumentskanning?" asks about dokumentskanning (a bare "og …" need not).
SUBJECT_LEADS = tuple(lead for lead in NEW_SUBJECT_LEADS if len(lead) > 1) + CORRECTIONS
