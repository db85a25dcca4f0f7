"""A generated portfolio that shares no name with the demo: for tests that must tell the
connected portfolio's names from the demo's.

`other_portfolio(seed)` composes projects, people, programmes and organisations of a fictional
northern health region from its own word lists (none of them in `knowledge/data/demo.json`);
the same seed gives the same portfolio. `names_of(data)` lists every name a person could see.
"""

from __future__ import annotations

import random
from typing import Any

from knowledge.portfolio.demo_database import PortfolioData

UPDATED = "2026-11-01T08:00:00Z"
STEMS = ("Havørn", "Fjellrev", "Nordlys", "Polarstjerne", "Tindevakt", "Skarvøy", "Reinrose",
         "Moltemyr", "Kvitbjørn", "Lomvi", "Isfjord", "Storlom", "Snøugle", "Fjæresol")
TOPICS = ("arkivløsning", "vaktplan", "ambulanseflyt", "bildedeling", "legemiddelkurve",
          "pasienttransport", "nattevakt", "journalflyt", "tolkebestilling", "sengeoversikt")
FIRST = ("Ingeborg", "Sivert", "Aslak", "Brynhild", "Torvald", "Sigrun", "Eyvind", "Gudrun",
         "Alvilde", "Ottar", "Ragnvald", "Dagny")
LAST = ("Vesterålen", "Tromsdal", "Kvænangen", "Lyngseid", "Porsanger", "Skjervøy",
        "Målselv", "Andøya", "Varanger", "Sørreisa")
PROGRAMMES = (("Digital nordområdesatsing", "DINO"), ("Trygg akuttkjede i nord", "TRAKK"),
              ("Felles drift Ishavskysten", None))
ORGANISATIONS = ("Nordkalotten helseregion", "Ishavet IKT", "Lyngen sykehus", "Varanger klinikk")


def other_portfolio(seed: int = 1, projects: int = 24) -> PortfolioData:
    """A portfolio of `projects` projects with names of its own; the same seed, the same data."""
    rng = random.Random(seed)
    organisations = [{"id": n, "name": name, "short_name": None, "parent_id": None}
                     for n, name in enumerate(ORGANISATIONS, start=1)]
    people = sorted({f"{first} {last}" for first in FIRST for last in LAST})
    rng.shuffle(people)
    persons = [{"id": n, "full_name": name, "email": None,
                "aad_object_id": f"00000000-0000-4000-8000-{seed:04d}{n:08d}",
                "title": rng.choice(("Prosjektleder", "Rådgiver", "Direktør")),
                "organization_id": rng.randint(1, len(organisations))}
               for n, name in enumerate(people[:max(8, projects // 2)], start=1)]
    programmes = [{"id": n, "name": name, "short_name": short, "description": None,
                   "status": "active", "closed_on": None}
                  for n, (name, short) in enumerate(PROGRAMMES, start=1)]
    names = sorted({f"{stem} {topic}" for stem in STEMS for topic in TOPICS})
    rng.shuffle(names)
    rows: dict[str, list[dict[str, Any]]] = {
        "project": [], "project_transfer": [], "project_member": [], "status_report": []}
    for n, name in enumerate(names[:projects], start=1):
        rows["project"].append({
            "id": n, "code": f"NK-{100 + n}", "name": name, "short_name": None, "aliases": None,
            "description": None, "programme_id": rng.choice((None, 1, 2, 3)),
            "phase": rng.choice(("planning", "execution", "execution", "closed")),
            "owner_id": rng.randint(1, len(persons)),
            "manager_id": rng.choice((None, rng.randint(1, len(persons)))),
            "organization_id": rng.randint(1, len(organisations)),
            "start_date": "2025-01-01", "planned_end_date": None, "updated_at": UPDATED})
        if rng.random() < 0.7:
            rows["project_transfer"].append({
                "project_id": n, "status": rng.choice(("transferred", "planned", "not_transferred")),
                "from_organization_id": 1, "to_organization_id": 2,
                "effective_date": "2025-06-01", "note": None, "updated_at": UPDATED})
        if rng.random() < 0.8:
            rows["status_report"].append({
                "id": len(rows["status_report"]) + 1, "project_id": n,
                "reported_at": "2026-11-10T09:00:00Z", "author_id": rng.randint(1, len(persons)),
                "health": rng.choice(("green", "yellow", "red")),
                "summary": "Arbeidet går sin gang.", "source": "portfolio"})
        if rng.random() < 0.5:
            rows["project_member"].append({"project_id": n,
                                           "person_id": rng.randint(1, len(persons)),
                                           "role": "deltaker"})
    return {"organization": organisations, "person": persons, "programme": programmes,
            **rows, "faq": []}


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
