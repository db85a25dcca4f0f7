"""The portfolio the browser tests serve: small, hand-made, and sharing no name with the demo.

A fictional health region (Fjordheim) with its own organisations, programmes, people and
projects, so that anything the bot shows that comes from the demo (`knowledge/data/demo.json`)
rather than from the connected portfolio stands out. Two projects differ only in their phase
(`Havbris datasenter fase I` / `fase II`), so a question about "Havbris datasenter" asks which.

`LEAD` is the person the playground's user plays: the manager of two projects, so the status
form has projects to offer. The constants below are the facts the tests expect to see.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.portfolio.demo_database import PortfolioData

UPDATED = "2026-11-01T08:00:00Z"


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    aad_object_id: str
    title: str
    organization_id: int


REGION, IKT, PORTFOLIO_OFFICE, NORDVIK = 1, 2, 3, 4
ORGANIZATIONS = (
    (REGION, "Fjordheim helseregion RHF", "FHR", None),
    (IKT, "Fjordheim IKT HF", "FIKT", None),
    (PORTFOLIO_OFFICE, "Porteføljekontoret i Fjordheim", "PKF", IKT),
    (NORDVIK, "Nordvik sykehus HF", "NVS", None),
)
ACUTE, WAVE = 1, 2
PROGRAMMES = (
    (ACUTE, "Digitalt løft for akuttmedisin", "DLA", "active", None),
    (WAVE, "Infrastrukturprogrammet Bølge", "BØLGE", "closed", "2025-06-30"),
)

SUNNIVA = Person(1, "Sunniva Lykke", "5d7e1a52-0b1c-4b7e-9a43-2f8d1c0e7a11", "Programleder", PORTFOLIO_OFFICE)
LEAD = Person(2, "Vegard Tangen", "9b2f6c3e-4d5a-4e8b-8c1d-7a6e5f4d3c22", "Prosjektleder", PORTFOLIO_OFFICE)
YLVA = Person(3, "Ylva Rønning", "1c3e5a7b-9d2f-4a6c-8e0b-3d5f7a9c1e33", "Fagdirektør", REGION)
HALVOR = Person(4, "Halvor Kvamme", "7e9a1c3d-5f7b-4d2e-a6c8-0b2d4f6a8c44", "Prosjektleder", IKT)
ODA = Person(5, "Oda Fosse", "3a5c7e9b-1d3f-4b6a-8c2e-5f7a9b1d3e55", "Klinikkleder", NORDVIK)
ORJAN = Person(6, "Ørjan Helland", "8f0b2d4e-6a8c-4e1f-b3d5-7a9c1e3f5b66", "Direktør IKT-infrastruktur", IKT)
PEOPLE = (SUNNIVA, LEAD, YLVA, HALVOR, ODA, ORJAN)

ACUTE_FLOW = "Pasientflyt i akuttmottak"
HAVBRIS_I = "Havbris datasenter fase I"
HAVBRIS_II = "Havbris datasenter fase II"
INTERPRETING = "Digital tolketjeneste"
CHECKLIST = "Elektronisk sjekkliste for operasjon"

# id, code, name, short name, aliases, programme, phase, owner, manager, organisation, start, end
PROJECTS = (
    (1, "FJ-101", ACUTE_FLOW, "Akuttflyt", "akuttflyt;pasientflyt", ACUTE, "execution",
     YLVA, LEAD, IKT, "2024-02-01", "2027-03-31"),
    (2, "FJ-102", HAVBRIS_I, None, "Havbris 1", WAVE, "closed",
     ORJAN, HALVOR, IKT, "2021-05-01", "2023-10-31"),
    (3, "FJ-103", HAVBRIS_II, None, "Havbris 2", WAVE, "execution",
     ORJAN, LEAD, IKT, "2024-01-15", "2027-12-31"),
    (4, "FJ-104", INTERPRETING, "Tolketjenesten", "videotolk;tolking", ACUTE, "planning",
     ODA, HALVOR, NORDVIK, "2025-09-01", "2027-06-30"),
    (5, "FJ-105", CHECKLIST, "Sjekkliste", "trygg kirurgi;sjekkliste", None, "concept",
     ODA, SUNNIVA, NORDVIK, None, None),
)
# project id, status, from, to, effective date, note
TRANSFERS = (
    (1, "transferred", REGION, IKT, "2025-03-01", None),
    (2, "completed_before_transfer", None, None, None, "Avsluttet før overføringen."),
    (3, "in_progress", REGION, IKT, "2026-01-01", "Driftsavtalene flyttes i løpet av 2026."),
    (4, "not_transferred", NORDVIK, None, None, "Ledes av Nordvik sykehus HF."),
    (5, "planned", REGION, IKT, "2027-01-01", None),
)
ACUTE_FLOW_SUMMARY = "Ventetiden i mottaket er redusert med 20 prosent."
HAVBRIS_II_SUMMARY = "Strømforsyningen til hall B er forsinket; ny leverandør vurderes."
# id, project id, reported at, author, health, summary
REPORTS = (
    (1, 1, "2026-10-30T09:00:00Z", LEAD, "green", ACUTE_FLOW_SUMMARY),
    (2, 3, "2026-11-12T10:00:00Z", LEAD, "red", HAVBRIS_II_SUMMARY),
    (3, 4, "2026-10-15T08:00:00Z", HALVOR, "yellow", "Avklaringer med tolkeleverandøren pågår."),
)


def e2e_portfolio() -> PortfolioData:
    """The Fjordheim portfolio as the tables `load_portfolio` takes."""
    return {
        "organization": [{"id": id_, "name": name, "short_name": short, "parent_id": parent}
                         for id_, name, short, parent in ORGANIZATIONS],
        "person": [{"id": person.id, "full_name": person.full_name,
                    "email": person.full_name.lower().replace(" ", ".") + "@fjordheim.example",
                    "aad_object_id": person.aad_object_id, "title": person.title,
                    "organization_id": person.organization_id} for person in PEOPLE],
        "programme": [{"id": id_, "name": name, "short_name": short, "description": None,
                       "status": status, "closed_on": closed}
                      for id_, name, short, status, closed in PROGRAMMES],
        "project": [{"id": id_, "code": code, "name": name, "short_name": short, "aliases": aliases,
                     "description": None, "programme_id": programme, "phase": phase,
                     "owner_id": owner.id, "manager_id": manager.id, "organization_id": organisation,
                     "start_date": start, "planned_end_date": end, "updated_at": UPDATED}
                    for (id_, code, name, short, aliases, programme, phase, owner, manager,
                         organisation, start, end) in PROJECTS],
        "project_transfer": [{"project_id": project, "status": status, "from_organization_id": source,
                              "to_organization_id": target, "effective_date": effective, "note": note,
                              "updated_at": UPDATED}
                             for project, status, source, target, effective, note in TRANSFERS],
        "project_member": [{"project_id": 1, "person_id": SUNNIVA.id, "role": "styringsgruppeleder"}],
        "status_report": [{"id": id_, "project_id": project, "reported_at": at, "author_id": author.id,
                           "health": health, "summary": summary, "source": "portfolio"}
                          for id_, project, at, author, health, summary in REPORTS],
        "faq": [{"id": 1, "question": "Hva er Fjordheim IKT?",
                 "answer": "Fjordheim IKT HF drifter IKT-tjenestene for sykehusene i regionen.",
                 "keywords": "Fjordheim IKT;drift", "updated_at": UPDATED}],
    }


def names_in(data: PortfolioData) -> set[str]:
    """Every name a person could see of a portfolio: projects (name, short name, code, aliases),
    people, programmes and organisations."""
    names: set[str] = set()
    for project in data["project"]:
        names.update(filter(None, (project["name"], project["short_name"], project["code"])))
        names.update(alias.strip() for alias in (project["aliases"] or "").split(";") if alias.strip())
    for table, columns in (("person", ("full_name",)), ("programme", ("name", "short_name")),
                           ("organization", ("name", "short_name"))):
        for row in data[table]:
            names.update(filter(None, (row[column] for column in columns)))
    return names
