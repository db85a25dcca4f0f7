"""A generated portfolio that shares no name with the demo: for tests that must tell the
connected portfolio's names from the demo's, and for the templated evaluation set.

`other_portfolio(seed)` composes projects, people, programmes and organisations of a fictional
northern health region from its own word lists (none of them in `knowledge/data/demo.json`);
the same seed gives the same portfolio. Projects get descriptions about hospital-IT topics of
their own, some aliases and short names, 0-4 status reports, dates spread over 2019-2028 and
transfers with notes; the organisations form a hierarchy, one programme is closed, and some
first names are held by several people. `names_of(data)` lists every name a person could see.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from knowledge.portfolio.demo_database import PortfolioData

UPDATED = "2026-11-01T08:00:00Z"
LAST_REPORT_DAY = date(2026, 11, 25)   # the day before the tests' "today"
STEMS = ("Havørn", "Fjellrev", "Nordlys", "Polarstjerne", "Tindevakt", "Skarvøy", "Reinrose",
         "Moltemyr", "Kvitbjørn", "Lomvi", "Isfjord", "Storlom", "Snøugle", "Fjæresol")
TOPICS = ("arkivløsning", "vaktplan", "ambulanseflyt", "bildedeling", "legemiddelkurve",
          "pasienttransport", "nattevakt", "journalflyt", "tolkebestilling", "sengeoversikt")
FIRST = ("Ingeborg", "Sivert", "Aslak", "Brynhild", "Torvald", "Sigrun", "Eyvind", "Gudrun",
         "Alvilde", "Ottar", "Ragnvald", "Dagny", "Halvdan", "Jorunn", "Ketil", "Oddny",
         "Vebjørn", "Herborg", "Tormod", "Ragnhild", "Gunnvor", "Edvin", "Lavrans",
         "Hallgerd", "Amund", "Tyra", "Idun", "Sølvi", "Arnfinn", "Borghild")
LAST = ("Vesterålen", "Tromsdal", "Kvænangen", "Lyngseid", "Porsanger", "Skjervøy",
        "Målselv", "Andøya", "Sørreisa", "Lebesby", "Gamvik", "Karlsøy", "Balsfjord",
        "Ibestad", "Loppa", "Hasvik", "Berlevåg", "Nesseby", "Kåfjord")
MAX_PEOPLE = 150   # fewer than FIRST × LAST, so every name can be told apart
TITLES = ("Prosjektleder", "Prosjektleder", "Rådgiver", "Direktør", "Seksjonsleder",
          "Overlege", "Avdelingsleder", "Løsningsarkitekt")
PROGRAMMES = (
    ("Digital nordområdesatsing", "DINO", "Felles digitale tjenester for sykehusene i nord."),
    ("Trygg akuttkjede i nord", "TRAKK", "Tiltak som gjør kjeden fra hendelse til "
     "behandling tryggere."),
    ("Felles drift Ishavskysten", None, None),
    ("Infrastrukturløftet i nord", "ILN", "Løftet for grunnleggende IKT i regionen, avsluttet "
     "våren 2024; gjenstående prosjekter ble flyttet til DINO."),
)
CLOSED_PROGRAMME, CLOSED_ON = 4, "2024-03-31"
# (name, short name, parent id): projects belong to ids 2-8, the region itself has none.
ORGANISATIONS = (
    ("Nordkalotten helseregion", "NKHR", None),
    ("Ishavet IKT", "IIKT", 1),
    ("Lyngen sykehus", "LYS", 1),
    ("Varanger klinikk", "VKL", 1),
    ("Tromsdalen driftssenter", None, 2),
    ("Avdeling for digital samhandling", "ADS", 2),
    ("Kirkenes behandlingssenter", "KBS", 4),
    ("Seksjon for medisinsk teknologi", None, 3),
)
# What a project is about: a description of its own and an alias (or None).
THEMES = (
    ("Utrulling av nye skannere for papirjournaler i alle poliklinikker.",
     "skannerbyttet"),
    ("Utskifting av gamle tilgangspunkter i sengebyggene, bygg for bygg.", None),
    ("Utbygging av trådløst nett i poliklinikkene og i kantinene.", "trådløsløftet"),
    ("Digital hjemmeoppfølging av pasienter med hjertesvikt etter utskrivning.", None),
    ("Selvbetjent innsjekk og betaling i ekspedisjonene ved alle sykehusene.",
     "ankomstautomater"),
    ("Videokonsultasjon for KOLS-pasienter som bor langt fra sykehuset.", None),
    ("Ny løsning for telefoni og sentralbord ved sykehusene i regionen.", "sentralbordet"),
    ("Felles laboratoriesystem for medisinsk biokjemi og mikrobiologi.", None),
    ("Oppgradering av radiologisystemet og bildearkivet ved Lyngen sykehus.", "RIS-løftet"),
    ("Digital mikroskopi og arbeidsflyt for patologi.", None),
    ("Nytt blodbanksystem med sporing av alle blodprodukter.", "blodsporing"),
    ("Journalløsning og maskinintegrasjon for dialyse.", None),
    ("Elektronisk partogram for fødende på fødeavdelingen.", None),
    ("Planlegging og dokumentasjon av kreftbehandling med cellegift.", "cytostatikaløpet"),
    ("Talegjenkjenning for diktering av notater.", None),
    ("Pasientvarsling og innkalling på SMS.", "innkallingsløpet"),
    ("Felles verktøy for operasjonsplanlegging og stuelogistikk.", None),
    ("Sporing av kirurgiske instrumenter gjennom sterilsentralen.", "instrumentsporing"),
    ("Kontroll av nødstrøm og UPS i datarommene.", None),
    ("Flytting av e-post og kalender til ny skytjeneste.", "postflyttingen"),
    ("Håndholdte enheter med sikker innlogging for sykepleiere.", None),
    ("Rollebasert tilgangsstyring for alle kliniske systemer.", None),
    ("Døgnbemannet sikkerhetsovervåkning av servere og nettverk.", "SOC nord"),
    ("Personvernkonsekvensvurderinger for nye løsninger, med felles mal.", None),
    ("Automatisk fakturering av egenandeler for poliklinisk behandling.", None),
    ("Nytt lønnssystem for alle ansatte i helseregionen.", "lønnsbyttet"),
    ("Elektronisk innkjøp og varebestilling til avdelingene.", None),
    ("Oppslag i kjernejournal fra alle kliniske arbeidsflater.", None),
    ("Digitale behandlingsprogram innen psykisk helsevern.", "nettbehandling"),
    ("Nettbrett og underholdning for barn på barneavdelingen.", None),
    ("Nye infusjonspumper koblet til kurven.", None),
    ("Sentral pasientskjerm for intensivavdelingen.", "intensivløftet"),
    ("Rekruttering og oppfølging av deltakere i kliniske studier.", None),
    ("Automatisk innrapportering til nasjonale kvalitetsregistre.", None),
    ("Elektronisk meldingsutveksling med kommunene om utskrivning.", "kommunemeldinger"),
    ("Ny avtale og utskifting av printere på alle sengeposter.", None),
    ("Flytting av servere til nytt datasenter med speiling.", "serverflyttingen"),
    ("Digital bestilling av pasientmat med hensyn til ernæring.", None),
    ("Registrering og sporing av utbrudd for smittevern.", None),
    ("Apotekrobot for automatisk plukking i sykehusapoteket.", None),
    ("Kunstig intelligens for tolkning av EKG.", None),
    ("Sensorer for fallvarsling på sykehjem og i eldreomsorgen.", None),
)
SUMMARIES = ("Arbeidet går etter planen.", "Leverandøren er forsinket med to uker; ny plan "
             "kommer.", "Testing pågår i to avdelinger.", "Budsjettet er under press etter "
             "nye krav.", "Styringsgruppen har godkjent neste fase.", "Opplæring av "
             "superbrukere er gjennomført.", "Pilot er i drift og erfaringene er gode.",
             "Mangler ressurser fra fagmiljøet; eskalert til eier.", "Kontrakten er signert.",
             "Risiko for forsinkelse på grunn av integrasjoner.", "Avventer beslutning om "
             "finansiering.", "Første leveranse er tatt i bruk.")
NOT_TRANSFERRED_NOTES = (
    "Løsningen er lokal og blir værende i foretaket.",
    "Avventer avklaring av finansiering før en eventuell overføring.",
    "Eieren vil beholde prosjektet til piloten er ferdig.",
    "Ikke omfattet av virksomhetsoverdragelsen i nord.",
    "Overføringen er utsatt fordi en anskaffelse pågår.",
)


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _people(rng: random.Random, count: int) -> list[str]:
    """`count` distinct full names (at most MAX_PEOPLE): three first names held by several
    people, the rest once, until there are more people than first names."""
    count = min(count, MAX_PEOPLE)
    firsts = list(FIRST)
    rng.shuffle(firsts)
    plan = [firsts[0], firsts[0], firsts[1], firsts[1]]
    if count >= 10:
        plan += [firsts[2], firsts[2], firsts[2]]
    unique = firsts[3:] if count >= 10 else firsts[2:]
    plan += unique[:max(0, count - len(plan))]
    while len(plan) < count:                       # more people than first names: share more
        plan.append(firsts[len(plan) % len(firsts)])
    lasts = list(LAST)
    rng.shuffle(lasts)
    names: list[str] = []
    for n, first in enumerate(plan[:count]):
        name = f"{first} {lasts[n % len(lasts)]}"
        offset = 1
        while name in names:
            name = f"{first} {lasts[(n + offset) % len(lasts)]}"
            offset += 1
        names.append(name)
    rng.shuffle(names)
    return names


def _dates(rng: random.Random) -> tuple[str, str | None]:
    start = _day(rng, date(2019, 1, 1), date(2026, 10, 28))
    end = None
    if rng.random() < 0.85:
        end = min(start + timedelta(days=rng.randint(200, 1900)), date(2028, 12, 31))
    return start.isoformat(), end.isoformat() if end else None


def _transfer(rng: random.Random, project_id: int) -> dict[str, Any]:
    status = rng.choice(("transferred", "transferred", "planned", "in_progress",
                         "not_transferred", "not_transferred", "completed_before_transfer"))
    effective: date | None = None
    note: str | None = None
    if status == "transferred":
        effective = _day(rng, date(2023, 1, 1), date(2026, 10, 31))
    elif status in ("planned", "in_progress"):
        effective = _day(rng, date(2026, 12, 1), date(2028, 6, 30))
        note = rng.choice((None, "Avtalene flyttes når kontraktene fornyes."))
    elif status == "not_transferred":
        note = rng.choice((*NOT_TRANSFERRED_NOTES, None))
    source = rng.randint(2, len(ORGANISATIONS))
    target = rng.choice([n for n in range(2, len(ORGANISATIONS) + 1) if n != source])
    return {"project_id": project_id, "status": status, "from_organization_id": source,
            "to_organization_id": None if status == "not_transferred" else target,
            "effective_date": effective.isoformat() if effective else None, "note": note,
            "updated_at": UPDATED}


def _reports(rng: random.Random, project_id: int, authors: list[int], first_id: int
             ) -> list[dict[str, Any]]:
    count = rng.choices((0, 1, 2, 3, 4), weights=(15, 35, 25, 15, 10))[0]
    days = sorted(rng.sample(range((LAST_REPORT_DAY - date(2025, 3, 1)).days + 1), count))
    return [{"id": first_id + n, "project_id": project_id,
             "reported_at": f"{date(2025, 3, 1) + timedelta(days=day)}T"
                            f"{rng.randint(8, 14):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z",
             "author_id": rng.choice(authors),
             "health": rng.choice(("green", "green", "yellow", "red")),
             "summary": rng.choice(SUMMARIES), "source": "portfolio"}
            for n, day in enumerate(days)]


def _name_pairs(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(stem, topic) of `count` project names, the stems taken in turn, so that from 28
    projects on every stem names at least two projects ("status Havørn" fits several)."""
    stems = list(STEMS)
    rng.shuffle(stems)
    topics = {stem: rng.sample(TOPICS, len(TOPICS)) for stem in stems}
    return [(stems[n % len(stems)], topics[stems[n % len(stems)]][n // len(stems) % len(TOPICS)])
            for n in range(count)]


def _short_name(stem: str, topic: str) -> str:
    return f"{stem[:3].upper()}-{topic[:3].upper()}"


def other_portfolio(seed: int = 1, projects: int = 24) -> PortfolioData:
    """A portfolio of `projects` projects with names of its own; the same seed, the same data."""
    rng = random.Random(seed)
    organisations = [{"id": n, "name": name, "short_name": short, "parent_id": parent}
                     for n, (name, short, parent) in enumerate(ORGANISATIONS, start=1)]
    persons = [{"id": n, "full_name": name, "email": None,
                "aad_object_id": f"00000000-0000-4000-8000-{seed:04d}{n:08d}",
                "title": rng.choice(TITLES), "organization_id": rng.randint(1, len(organisations))}
               for n, name in enumerate(_people(rng, max(8, projects // 2)), start=1)]
    programmes = [{"id": n, "name": name, "short_name": short, "description": description,
                   "status": "closed" if n == CLOSED_PROGRAMME else "active",
                   "closed_on": CLOSED_ON if n == CLOSED_PROGRAMME else None}
                  for n, (name, short, description) in enumerate(PROGRAMMES, start=1)]
    pairs = _name_pairs(rng, projects)
    themes = list(THEMES)
    rng.shuffle(themes)
    rows: dict[str, list[dict[str, Any]]] = {
        "project": [], "project_transfer": [], "project_member": [], "status_report": []}
    for n, (stem, topic) in enumerate(pairs, start=1):
        description, alias = themes[(n - 1) % len(themes)]
        start, end = _dates(rng)
        owner = rng.randint(1, len(persons))
        manager = rng.choice((None, rng.randint(1, len(persons))))
        rows["project"].append({
            "id": n, "code": f"NK-{100 + n}", "name": f"{stem} {topic}",
            "short_name": _short_name(stem, topic) if rng.random() < 0.3 else None,
            "aliases": alias if alias and rng.random() < 0.7 else None,
            "description": description if rng.random() < 0.9 else None,
            "programme_id": rng.choice((None, 1, 2, 3, 4)),
            "phase": rng.choice(("concept", "planning", "execution", "execution", "execution",
                                 "paused", "closed")),
            "owner_id": owner, "manager_id": manager,
            "organization_id": rng.randint(2, len(organisations)),
            "start_date": start, "planned_end_date": end, "updated_at": UPDATED})
        if rng.random() < 0.75:
            rows["project_transfer"].append(_transfer(rng, n))
        authors = [manager or owner, manager or owner, rng.randint(1, len(persons))]
        rows["status_report"] += _reports(rng, n, authors, len(rows["status_report"]) + 1)
        for person in rng.sample(range(1, len(persons) + 1), rng.choice((0, 0, 1, 2))):
            rows["project_member"].append({"project_id": n, "person_id": person,
                                           "role": rng.choice(("deltaker", "arkitekt",
                                                               "superbruker"))})
    _make_sure_of_a_red_project(rows["status_report"])
    return {"organization": organisations, "person": persons, "programme": programmes,
            **rows, "faq": []}


def _make_sure_of_a_red_project(reports: list[dict[str, Any]]) -> None:
    """Every portfolio has a red project, so its examples can ask for one."""
    latest: dict[int, dict[str, Any]] = {}
    for report in reports:
        latest[report["project_id"]] = report     # reports come in date order per project
    if latest and not any(r["health"] == "red" for r in latest.values()):
        latest[min(latest)]["health"] = "red"


def names_of(data: PortfolioData) -> set[str]:
    """Every name of a project (name, short name, code, aliases), person, programme and
    organisation a person could see."""
    names: set[str] = set()
    for project in data["project"]:
        names.update(filter(None, (project["name"], project["short_name"], project["code"])))
        names.update(a.strip() for a in (project.get("aliases") or "").split(";") if a.strip())
    for table, columns in (("person", ("full_name",)), ("programme", ("name", "short_name")),
                           ("organization", ("name", "short_name"))):
        for row in data[table]:
            names.update(filter(None, (row[column] for column in columns)))
    return names
