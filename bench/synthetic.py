"""A synthetic portfolio of any size, shaped like `knowledge/data/demo.json`.

`generate(n, seed)` returns the same tables as the demo file (organization, person, programme,
project, project_transfer, project_member, status_report, faq) for `n` projects, the same for
the same seed. Names are composed from Norwegian hospital-ICT vocabulary: a prefix or an
action, a topic, sometimes a hospital trust or a site, sometimes a phase suffix
(`Regional radiologiløsning ved Sykehuset Innlandet fase 2`). About a third of the projects
have a short name and some have aliases; codes run `RP-00001`, `RP-00002`, … (`ST-` for the
STIM programme's projects). There are about n/3 persons (at least 20) with Norwegian names,
2–3 status reports and on average one member per project, and one transfer row per project.

`load(url, data)` loads it with `knowledge.portfolio.demo_database.load_portfolio` (100,000 projects,
about 600,000 rows, take some ten seconds on SQLite).
"""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timedelta
from typing import Any

from knowledge.language.text import fold
from knowledge.portfolio.demo_database import PortfolioData, demo_portfolio, load_portfolio

# ------------------------------------------------------------------ vocabulary
PREFIXES = (
    "Regional", "Digital", "Felles", "Ny", "Nasjonal", "Lokal", "Helhetlig", "Sikker",
    "Mobil", "Moderne", "Standardisert", "Automatisert", "Integrert", "Sentral", "Klinisk",
    "Forbedret", "Samordnet", "Fremtidig",
)
ACTIONS = (
    "Modernisering av", "Innføring av", "Oppgradering av", "Utskifting av",
    "Konsolidering av", "Etablering av", "Anskaffelse av", "Utrulling av",
    "Videreutvikling av", "Standardisering av", "Migrering av", "Sanering av",
    "Harmonisering av", "Gevinstrealisering for", "Forprosjekt for", "Pilot for",
)
TOPICS = (
    "radiologiløsning", "pasientjournal", "legemiddelhåndtering", "trådløst nett",
    "skyplattform", "multimediearkiv", "laboratoriesystem", "patologiløsning", "kurveløsning",
    "elektronisk kurve", "helselogistikk", "pasientvarsling", "innsjekk og betaling",
    "telefoniløsning", "telekomplattform", "datasenter", "nettverk", "lagringsplattform",
    "sikkerhetsovervåking", "tilgangsstyring", "identitetshåndtering", "arbeidsflate",
    "klientplattform", "skrivertjeneste", "integrasjonsplattform", "meldingsutveksling",
    "henvisningsløsning", "digital hjemmeoppfølging", "videokonsultasjon", "pasientportal",
    "timebestilling", "kjernejournal", "medikamentmodul", "blodbankløsning",
    "mikrobiologisystem", "operasjonsplanlegging", "intensivkurve", "anestesijournal",
    "fødejournal", "ambulansejournal", "AMK-løsning", "beslutningsstøtte",
    "kunstig intelligens i radiologi", "talegjenkjenning", "dokumentskanning", "arkivløsning",
    "kvalitetsregistre", "styringsdata", "datavarehus", "analyseplattform", "ressursstyring",
    "bemanningsplanlegging", "økonomisystem", "innkjøpssystem", "logistikksystem",
    "sporing av utstyr", "medisinsk-teknisk utstyr", "sterilsentral", "kjøkkensystem",
    "e-læring", "intranett", "samhandlingsløsning", "kommunikasjonsplattform", "e-post",
    "Windows 11", "Microsoft 365", "mobil arbeidsflate", "sikker sone", "nettverkssegmentering",
    "brannmurer", "sikkerhetskopiering", "logganalyse", "samtykkehåndtering",
    "hendelsesregistrering", "smittevernsystem", "dialyseløsning", "onkologisystem",
    "strålebehandling", "genetikkløsning", "biobank", "forskningsplattform",
    "bildediagnostikk", "digital patologi", "EPJ", "pasientsikkerhetssystem",
    "prehospital journal", "tolketjeneste", "pasientreiser", "legevaktløsning",
)
PLACES = (
    "i Helse Sør-Øst", "ved Sykehuset Innlandet", "i Vestre Viken", "ved Oslo universitetssykehus",
    "ved OUS", "ved Ahus", "ved Akershus universitetssykehus", "ved Sykehuset i Vestfold",
    "ved Sykehuset Telemark", "ved Sykehuset Østfold", "ved Sørlandet sykehus",
    "ved Sunnaas sykehus", "for Sykehusapotekene", "ved Rikshospitalet", "ved Ullevål",
    "ved Radiumhospitalet", "ved Aker", "i Drammen", "på Gjøvik", "på Hamar", "på Lillehammer",
    "i Tønsberg", "i Skien", "på Kalnes", "i Kristiansand", "i Arendal", "i Bærum",
    "på Kongsberg", "på Ringerike", "på Elverum", "på Tynset", "på Notodden",
    "for akuttmottak", "for barneklinikken", "for psykisk helsevern", "for prehospitale tjenester",
    "for laboratoriemedisin", "for kirurgisk klinikk", "for medisinsk klinikk",
)
SUFFIXES = (
    "fase 2", "fase 3", "fase II", "fase III", "trinn 1", "trinn 2", "del 2", "2.0", "pilot",
    "2025", "2026", "2027", "forprosjekt", "videreføring", "etappe 2", "utvidelse",
)
PRODUCTS = (
    "DIPS Arena", "Sectra PACS", "Metavision", "Imatis", "Pega", "Ascom", "Cisco DNA",
    "ServiceNow", "Visma", "Tieto Lifecare", "Helseplattformen", "Azure", "Unit4",
    "Mediq", "Cosmic", "Epic", "Nuance", "Agfa", "Philips IntelliSpace", "MetaVision",
)
ENGLISH = {
    "radiologiløsning": "radiology solution", "pasientjournal": "patient record",
    "legemiddelhåndtering": "medication management", "trådløst nett": "wireless network",
    "skyplattform": "cloud platform", "laboratoriesystem": "lab system",
    "datasenter": "data centre", "nettverk": "network", "tilgangsstyring": "access control",
    "videokonsultasjon": "video consultation", "pasientportal": "patient portal",
    "telefoniløsning": "telephony", "e-post": "email", "datavarehus": "data warehouse",
}

FIRST_NAMES = (
    "Kari", "Ola", "Ingrid", "Øystein", "Åse", "Per", "Mona", "Thomas", "Hilde", "Jonas",
    "Siri", "Anders", "Lise", "Erik", "Nina", "Magnus", "Guro", "Bjørn", "Camilla", "Knut",
    "Astrid", "Lars", "Solveig", "Håkon", "Marit", "Eirik", "Ragnhild", "Sindre", "Tone",
    "Geir", "Kjersti", "Trond", "Heidi", "Stian", "Bente", "Morten", "Liv", "Espen", "Anne",
    "Jørgen", "Sigrid", "Vegard", "Torill", "Øyvind", "Ingvild", "Halvor", "Randi", "Rune",
    "Silje", "Terje", "Åsmund", "Gunn", "Petter", "Mette", "Sverre", "Hanne", "Kristoffer",
    "Turid", "Audun", "Elin", "Frode", "Gro", "Henrik", "Ida", "Jan", "Kristin", "Leif",
    "Maren", "Nils", "Oda", "Pål", "Ragnar", "Sunniva", "Tor", "Unni", "Vidar", "Wenche",
    "Ylva", "Åshild", "Ørjan", "Mathias", "Emma", "Nora", "Sofie", "Jakob", "Emil", "Tuva",
)
LAST_NAMES = (
    "Nordmann", "Hansen", "Sæther", "Ødegård", "Bråten", "Lunde", "Kristiansen", "Berg",
    "Nilsen", "Johansen", "Bakke", "Haugen", "Pedersen", "Olsen", "Solberg", "Dahl", "Eriksen",
    "Strand", "Aas", "Holm", "Larsen", "Andersen", "Jensen", "Karlsen", "Johnsen", "Halvorsen",
    "Jørgensen", "Moen", "Gundersen", "Iversen", "Jakobsen", "Mathisen", "Sørensen", "Lie",
    "Rasmussen", "Kristoffersen", "Ellingsen", "Amundsen", "Næss", "Fredriksen", "Ruud",
    "Knutsen", "Bakken", "Thorsen", "Martinsen", "Myhre", "Paulsen", "Aasen", "Sandvik",
    "Vik", "Fjeld", "Brekke", "Tangen", "Rønning", "Hagen", "Løken", "Nygård", "Østby",
    "Haugland", "Søreide", "Kvamme", "Bø", "Årdal", "Grønli", "Fosse", "Rustad", "Helland",
    "Tveit", "Engen", "Sletten", "Dalen", "Hovland", "Skogen", "Lindberg", "Mørk", "Våge",
    "Hauge", "Berge", "Tønnessen", "Stokke", "Myklebust", "Eide", "Aune", "Foss", "Kleven",
)
TITLES = (
    "Prosjektleder", "Prosjektleder", "Prosjektleder", "Seniorrådgiver", "Rådgiver",
    "Arkitekt", "Løsningsarkitekt", "Programleder", "Avdelingsdirektør", "Fagdirektør",
    "Klinikkleder", "Seksjonsleder", "Teamleder", "Økonomirådgiver", "Testleder",
)
MEMBER_ROLES = (
    "deltaker", "deltaker", "deltaker", "arkitekt", "styringsgruppeleder", "økonomi",
    "testleder", "fagansvarlig", "løsningsarkitekt", "innføringsleder", "sikkerhetsrådgiver",
)
EXTRA_ORGANIZATIONS = (
    ("Infrastruktur og drift", "ID", 2), ("Applikasjonsforvaltning", "AF", 2),
    ("Sikkerhet og personvern", "SOP", 2), ("Kundeservice", "KS", 2),
    ("Arkitektur og teknologi", "ART", 3), ("Prosjektkontoret", "PMO", 4),
)
EXTRA_PROGRAMMES = (
    ("Regional klinisk dokumentasjon", "RKD"),
    ("Digital samhandling", "DISA"),
    ("Infrastrukturmodernisering 2030", "IM2030"),
    ("Regional laboratoriemodernisering", "RLM"),
)
SUMMARIES = (
    "Fremdrift i henhold til plan.",
    "Leveransen fra leverandøren er forsinket med {n} uker; tiltak er satt inn.",
    "Testing pågår {place}.",
    "Risiko knyttet til tilgang på ressurser med klinisk kompetanse.",
    "Budsjettet er overskredet med {n} MNOK; styringsgruppen er varslet.",
    "Innføringen {place} er gjennomført uten vesentlige avvik.",
    "Avklaringer med leverandør om kontrakt pågår.",
    "Integrasjonstest er forsinket; ny plan legges fram for styringsgruppen.",
    "Gevinstkartlegging er startet.",
    "Anskaffelsen er kunngjort; tilbudsfrist om {n} uker.",
    "Prosjektet er satt på vent i påvente av finansiering.",
    "Opplæring av superbrukere {place} er i gang.",
)
FAQ_EXTRA = (
    ("Hvordan får jeg tilgang til porteføljeverktøyet?",
     "Be lederen din bestille tilgang i selvbetjeningsportalen.", "tilgang;verktøy;bestille"),
    ("Hvem kan jeg kontakte om et prosjekt?",
     "Kontakt prosjektlederen; porteføljekontoret hjelper hvis du ikke vet hvem det er.",
     "kontakt;hjelp"),
    ("Hva er en prosjektveiviser?",
     "Prosjektveiviseren er Helse Sør-Østs felles metode for prosjektgjennomføring.",
     "prosjektveiviser;metode"),
    ("Hvordan meldes et nytt prosjektforslag?",
     "Send forslaget til porteføljekontoret på skjemaet for nye behov.",
     "prosjektforslag;nytt behov;innmelding"),
    ("Hvem prioriterer porteføljen?",
     "Porteføljerådet prioriterer porteføljen to ganger i året.", "prioritering;porteføljeråd"),
    ("Hva er gevinstrealisering?",
     "Arbeidet med å hente ut de gevinstene prosjektet lovet.", "gevinster;gevinstrealisering"),
    ("Hvordan ber jeg om en endring i et prosjekt?",
     "Bruk en endringsanmodning til styringsgruppen.", "endringsanmodning;endring"),
    ("Når er neste porteføljemøte?",
     "Porteføljerådet møtes første tirsdag i hver måned.", "møte;porteføljeråd;kalender"),
    ("Hva er en ROS-analyse?",
     "En risiko- og sårbarhetsanalyse; kreves før en løsning settes i drift.",
     "ROS;risiko;sårbarhet"),
    ("Når trengs en DPIA?",
     "En vurdering av personvernkonsekvenser trengs når du behandler helseopplysninger.",
     "DPIA;personvern"),
    ("Hvem godkjenner arkitekturen?",
     "Arkitekturrådet godkjenner løsningsarkitekturen før anskaffelse.",
     "arkitektur;arkitekturråd"),
    ("Hvordan avsluttes et prosjekt?",
     "Med en sluttrapport og overlevering til forvaltning.", "avslutning;sluttrapport"),
    ("Hva er forskjellen på program og prosjekt?",
     "Et program samler flere prosjekter med et felles mål.", "program;prosjekt"),
    ("Hvor finner jeg maler for prosjektdokumenter?",
     "Malene ligger på intranettet under Prosjektveiviseren.", "maler;dokumenter"),
    ("Hvem har ansvar for budsjettet?",
     "Prosjekteier har ansvar for budsjettet; prosjektleder rapporterer forbruk.",
     "budsjett;økonomi"),
    ("Hva gjør porteføljekontoret?",
     "Porteføljekontoret følger opp prosjektene og forbereder prioriteringene.",
     "porteføljekontor;oppgaver"),
    ("Hvordan rapporterer jeg en risiko?",
     "Registrer risikoen i risikoregisteret og ta den opp i statusrapporten.",
     "risiko;risikoregister"),
    ("Hva er en styringsgruppe?",
     "Styringsgruppen tar beslutninger på vegne av prosjekteier.", "styringsgruppe"),
    ("Hvor ofte skal status rapporteres?",
     "Status rapporteres hver måned, innen den femte virkedagen.",
     "frekvens;månedlig;statusrapport"),
    ("Hvordan går overlevering til drift?",
     "Prosjektet overleverer til forvaltning etter godkjent driftsakseptanse.",
     "overlevering;drift;forvaltning"),
    ("Hva er en leverandørstyringsplan?",
     "En plan for hvordan prosjektet følger opp leverandørene sine.",
     "leverandør;leverandørstyring"),
    ("Hvem kan se statusrapportene?",
     "Alle ansatte i Sykehuspartner kan lese statusrapportene.", "innsyn;tilgang;status"),
)

PHASES = (("execution", 40), ("planning", 20), ("concept", 10), ("paused", 5), ("closed", 25))
HEALTHS = (("green", 60), ("yellow", 25), ("red", 15))
TRANSFERS = (
    ("transferred", 50), ("planned", 10), ("in_progress", 10),
    ("completed_before_transfer", 15), ("not_transferred", 15),
)
TODAY = datetime(2026, 11, 26, 12, 0)
STIM_SHARE = 0.15


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    point = rng.random() * sum(weight for _, weight in table)
    for value, weight in table:
        point -= weight
        if point < 0:
            return value
    return table[-1][0]


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def project_name(rng: random.Random) -> tuple[str, str, str | None]:
    """A project name with its topic and place (for short names and aliases)."""
    topic = rng.choice(TOPICS)
    place = rng.choice(PLACES) if rng.random() < 0.55 else None
    shape = rng.random()
    if shape < 0.4:
        words = [rng.choice(PREFIXES), topic]
    elif shape < 0.75:
        words = [rng.choice(ACTIONS), topic]
    else:
        words = [topic]
    if place:
        words.append(place)
    if rng.random() < 0.3:
        words.append(rng.choice(SUFFIXES))
    return _capitalised(" ".join(words)), topic, place


def _short_name(rng: random.Random, name: str, topic: str, place: str | None) -> str:
    if rng.random() < 0.5:
        letters = "".join(word[0] for word in name.replace("-", " ").split() if word[0].isalpha())
        return letters.upper()[:5] + (str(rng.randint(2, 9)) if rng.random() < 0.3 else "")
    base = _capitalised(topic.split()[0])
    return f"{base} {place.split()[-1]}" if place else base


def _aliases(rng: random.Random, topic: str, place: str | None) -> list[str]:
    options = [topic, rng.choice(PRODUCTS)]
    if topic in ENGLISH:
        options.append(ENGLISH[topic])
    if place:
        options.append(f"{topic.split()[0]} {place.split()[-1]}")
    return rng.sample(options, k=rng.randint(1, min(2, len(options))))


def _persons(rng: random.Random, count: int, organization_ids: list[int]) -> list[dict[str, Any]]:
    persons: list[dict[str, Any]] = []
    emails: set[str] = set()
    for person_id in range(1, count + 1):
        first = rng.choice(FIRST_NAMES)
        if rng.random() < 0.3:
            first = f"{first} {rng.choice(FIRST_NAMES)}"
        last = rng.choice(LAST_NAMES)
        if rng.random() < 0.2:
            last = f"{rng.choice(LAST_NAMES)} {last}"
        full = f"{first} {last}"
        local = fold(full).replace(" ", ".")
        email, number = f"{local}@portfolio.example", 1
        while email in emails:
            number += 1
            email = f"{local}{number}@portfolio.example"
        emails.add(email)
        persons.append({
            "id": person_id, "full_name": full, "email": email, "aad_object_id": _uuid(rng),
            "title": rng.choice(TITLES), "organization_id": rng.choice(organization_ids),
        })
    return persons


def generate(n: int, seed: int = 1) -> PortfolioData:
    """A portfolio of `n` projects; the same `seed` gives the same portfolio."""
    rng = random.Random(seed)
    demo = demo_portfolio()
    organizations = [dict(row) for row in demo["organization"]]
    for name, short_name, parent in EXTRA_ORGANIZATIONS:
        organizations.append({"id": len(organizations) + 1, "name": name,
                              "short_name": short_name, "parent_id": parent})
    organization_ids = [o["id"] for o in organizations]
    running_orgs = [2, 3, 4, 4, 4, *range(15, len(organizations) + 1)]
    programmes = [dict(row) for row in demo["programme"]]
    for name, short_name in EXTRA_PROGRAMMES:
        programmes.append({"id": len(programmes) + 1, "name": name, "short_name": short_name,
                           "description": f"Programmet {name}.", "status": "active",
                           "closed_on": None})
    persons = _persons(rng, max(20, n // 3), organization_ids)
    person_count = len(persons)

    projects: list[dict[str, Any]] = []
    transfers: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    names: set[str] = set()
    counters = {"RP": 0, "ST": 0}
    for project_id in range(1, n + 1):
        for _ in range(6):   # mostly distinct names; a few repeat, as in real portfolios
            name, topic, place = project_name(rng)
            if name not in names:
                break
        names.add(name)
        stim = rng.random() < STIM_SHARE
        prefix = "ST" if stim else "RP"
        counters[prefix] += 1
        programme_id = 1 if stim else (
            rng.choice(range(2, len(programmes) + 1)) if rng.random() < 0.5 else None)
        start = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 8 * 365))
        phase = _weighted(rng, PHASES)
        aliases = _aliases(rng, topic, place) if rng.random() < 0.3 else []
        projects.append({
            "id": project_id,
            "code": f"{prefix}-{counters[prefix]:05d}",
            "name": name,
            "short_name": _short_name(rng, name, topic, place) if rng.random() < 0.33 else None,
            "aliases": ";".join(aliases) or None,
            "description": f"{name}: {rng.choice(SUMMARIES).format(n=3, place='i regionen')}",
            "programme_id": programme_id,
            "phase": phase,
            "owner_id": rng.randint(1, person_count),
            "manager_id": rng.randint(1, person_count) if rng.random() < 0.95 else None,
            "organization_id": rng.choice(running_orgs),
            "start_date": start.isoformat(),
            "planned_end_date": (start + timedelta(days=rng.randrange(180, 5 * 365))).isoformat(),
            "updated_at": _timestamp(TODAY - timedelta(days=rng.randrange(0, 400),
                                                       minutes=rng.randrange(0, 1440))),
        })
        status = _weighted(rng, TRANSFERS)
        transfers.append({
            "project_id": project_id, "status": status, "from_organization_id": 1,
            "to_organization_id": None if status in ("completed_before_transfer",
                                                     "not_transferred") else 2,
            "effective_date": {"transferred": "2024-01-01", "planned": "2027-01-01"}.get(status),
            "note": "Videreføres fra STIM." if stim and rng.random() < 0.3 else None,
            "updated_at": _timestamp(TODAY - timedelta(days=rng.randrange(0, 900))),
        })
        taken: set[tuple[int, str]] = set()
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2))):
            member = (rng.randint(1, person_count), rng.choice(MEMBER_ROLES))
            if member not in taken:
                taken.add(member)
                members.append({"project_id": project_id, "person_id": member[0],
                                "role": member[1]})
        moment = TODAY - timedelta(days=rng.randrange(1, 60), hours=rng.randrange(0, 12))
        dates: list[datetime] = []
        for _ in range(rng.choice((2, 3))):
            dates.append(moment)
            moment -= timedelta(days=rng.randrange(25, 45))
        for reported_at in reversed(dates):
            text = rng.choice(SUMMARIES).format(n=rng.randint(1, 12),
                                                place=place or "i regionen")
            reports.append({
                "id": len(reports) + 1, "project_id": project_id,
                "reported_at": _timestamp(reported_at),
                "author_id": projects[-1]["manager_id"] or rng.randint(1, person_count),
                "health": _weighted(rng, HEALTHS), "summary": text,
                "source": "chat" if rng.random() < 0.05 else "portfolio",
            })
    faq = [dict(row) for row in demo["faq"]]
    for question, answer, keywords in FAQ_EXTRA:
        faq.append({"id": len(faq) + 1, "question": question, "answer": answer,
                    "keywords": keywords, "updated_at": "2026-10-01T08:00:00Z"})
    return {
        "organization": organizations, "person": persons, "programme": programmes,
        "project": projects, "project_transfer": transfers, "project_member": members,
        "status_report": reports, "faq": faq,
    }


def load(url: str, data: PortfolioData) -> dict[str, int]:
    """Create the schema in `url` and load `data`, replacing any portfolio tables there."""
    return asyncio.run(load_portfolio(url, data, force=True))
