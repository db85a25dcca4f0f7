"""Property test: a question with filters is answered with exactly the filtered projects.

Hypothesis composes list and count questions from filter phrases (health, phase, programme,
owner, manager, planned end year) in bokmål, nynorsk and English, on the demo portfolio and
on a generated one with other names. The expected projects are computed here straight from
the portfolio's records, independently of the bot's indexes; the answer must be a list of
exactly those (so never the unfiltered list when a filter narrows it), with every filter
named back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import PersonProjects, ProjectList
from knowledge.portfolio.demo_database import demo_portfolio
from knowledge.portfolio.model import Health, Phase, Project
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate
from tests.knowledge.answers.other_portfolio import other_portfolio

TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PROFILE = settings(derandomize=True, database=None, max_examples=300,
                   deadline=timedelta(milliseconds=2000), print_blob=False,
                   suppress_health_check=[HealthCheck.too_slow])

HEALTH_WORDS = {"nb": {Health.RED: "røde", Health.YELLOW: "gule", Health.GREEN: "grønne"},
                "nn": {Health.RED: "raude", Health.YELLOW: "gule", Health.GREEN: "grøne"},
                "en": {Health.RED: "red", Health.YELLOW: "yellow", Health.GREEN: "green"}}
PHASE_WORDS = {"nb": {Phase.EXECUTION: "i gjennomføring", Phase.PLANNING: "i planlegging",
                      Phase.CLOSED: "som er avsluttet"},
               "nn": {Phase.EXECUTION: "i gjennomføring", Phase.PLANNING: "i planlegging",
                      Phase.CLOSED: "som er avslutta"},
               "en": {Phase.EXECUTION: "in execution", Phase.PLANNING: "in planning",
                      Phase.CLOSED: "that are closed"}}
OPENING = {"nb": ("Hvilke", "Hvor mange"), "nn": ("Kva for", "Kor mange"),
           "en": ("Which", "How many")}
PROJECTS_WORD = {"nb": "prosjekter", "nn": "prosjekt", "en": "projects"}
PROGRAMME = {"nb": "i {name}", "nn": "i {name}", "en": "in {name}"}
OWNER = {"nb": "eid av {name}", "nn": "eigd av {name}", "en": "owned by {name}"}
MANAGER = {"nb": "ledet av {name}", "nn": "leia av {name}", "en": "managed by {name}"}
END_YEAR = {"nb": "som skal være ferdige i {year}", "nn": "som skal vere ferdige i {year}",
            "en": "due to finish in {year}"}


@dataclass(frozen=True)
class Asked:
    language: str
    count: bool
    health: Health | None
    phase: Phase | None
    programme: int | None
    owner: int | None
    manager: int | None
    end_year: int | None


def snapshot(data_of: Callable[[], object]) -> Snapshot:
    records, skipped = validate(data_of())   # type: ignore[arg-type]
    assert not skipped
    return build_snapshot(records, TODAY)


PORTFOLIOS = {"demo": snapshot(demo_portfolio), "generated": snapshot(lambda: other_portfolio(7, 40))}


def question(asked: Asked, s: Snapshot) -> str:
    language = asked.language
    opening = OPENING[language][1 if asked.count else 0]
    parts = [opening]
    if asked.health is not None:
        parts.append(HEALTH_WORDS[language][asked.health])
    parts.append(PROJECTS_WORD[language])
    if asked.phase is not None:
        parts.append(PHASE_WORDS[language][asked.phase])
    if asked.programme is not None:
        programme = s.programmes[asked.programme]
        parts.append(PROGRAMME[language].format(name=programme.short_name or programme.name))
    if asked.owner is not None:
        parts.append(OWNER[language].format(name=s.persons[asked.owner].full_name))
    if asked.manager is not None:
        parts.append(MANAGER[language].format(name=s.persons[asked.manager].full_name))
    if asked.end_year is not None:
        parts.append(END_YEAR[language].format(year=asked.end_year))
    return " ".join(parts) + "?"


def expected(asked: Asked, s: Snapshot) -> list[str]:
    def passes(project: Project) -> bool:
        reports = sorted(s.records.reports, key=lambda r: (r.reported_at, r.id))
        latest = [r for r in reports if r.project_id == project.id]
        return ((asked.health is None or (bool(latest) and latest[-1].health is asked.health))
                and (asked.phase is None or project.phase is asked.phase)
                and (asked.programme is None or project.programme_id == asked.programme)
                and (asked.owner is None or project.owner_id == asked.owner)
                and (asked.manager is None or project.manager_id == asked.manager)
                and (asked.end_year is None or (project.planned_end_date is not None
                                                and project.planned_end_date.year
                                                == asked.end_year)))
    return sorted(p.code for p in s.records.projects if passes(p))


@st.composite
def asked_questions(draw: st.DrawFn, s: Snapshot) -> Asked:
    people = sorted({p.owner_id for p in s.records.projects if p.owner_id}
                    | {p.manager_id for p in s.records.projects if p.manager_id})
    filters = draw(st.sets(st.sampled_from(("health", "phase", "programme", "owner", "manager",
                                            "end_year")), min_size=1, max_size=3))
    person = st.sampled_from(people)
    return Asked(
        language=draw(st.sampled_from(("nb", "nn", "en"))),
        count=draw(st.booleans()),
        health=draw(st.sampled_from(list(Health))) if "health" in filters else None,
        phase=draw(st.sampled_from(list(PHASE_WORDS["nb"]))) if "phase" in filters else None,
        programme=draw(st.sampled_from(sorted(s.programmes))) if "programme" in filters else None,
        owner=draw(person) if "owner" in filters else None,
        manager=draw(person) if "manager" in filters and "owner" not in filters else None,
        end_year=draw(st.integers(2022, 2028)) if "end_year" in filters else None,
    )


@pytest.mark.parametrize("portfolio", sorted(PORTFOLIOS))
def test_a_filtered_question_gets_exactly_the_filtered_projects(portfolio: str) -> None:
    s = PORTFOLIOS[portfolio]
    answerer = Answerer(lambda: s, clock=lambda: TODAY)

    @PROFILE
    @given(asked_questions(s))
    def check(asked: Asked) -> None:
        text = question(asked, s)
        answer = answerer.answer(text)
        want = expected(asked, s)
        if isinstance(answer, PersonProjects):
            # One person and a role, nothing else: their projects in that role.
            assert asked.owner is not None or asked.manager is not None, text
            assert not asked.count and answer.role_filter is not None, text
            assert sorted(a.project.code for a in answer.assignments) == want, text
            return
        assert isinstance(answer, ProjectList), (text, answer)
        assert answer.total == len(want), (text, answer.total, want)
        assert [i.project.code for i in answer.items] == want, text
        shown = answer.items[: answer.shown_limit]
        assert [i.project.code for i in shown] == want[:10], "the first ten, in code order"
        assert answer.language.value == asked.language, text
        named = answer.filters
        assert (asked.health is not None) == bool(named.health), text
        assert (asked.owner is not None) == (named.owner is not None), text
        assert (asked.manager is not None) == (named.manager is not None), text
        assert (asked.programme is not None) == (named.programme is not None), text
        assert (asked.end_year is not None) == bool(named.dates), text
        if len(want) < len(s.projects):
            assert answer.total < len(s.projects), "never the unfiltered list"

    check()
