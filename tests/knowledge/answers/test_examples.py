"""Example questions come from the connected portfolio, are answered right, and are the same
for the same data (issue 13 item 2).

Every example the snapshot yields is asked again through the `Answerer`, the way a user's
typed question is, and its answer must be the intended kind about the intended entity; on the
demo portfolio and on generated portfolios that share no name with the demo.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import (
    Answer,
    Greeting,
    Help,
    Intent,
    Language,
    NotUnderstood,
    PersonProjects,
    ProjectList,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
)
from knowledge.answers.examples import snapshot_seed
from knowledge.answers.phrases import subscription_examples
from knowledge.answers.plain_text import render
from knowledge.portfolio.demo_database import PortfolioData, demo_portfolio
from knowledge.portfolio.model import Health
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate
from tests.knowledge.answers.other_portfolio import names_of, other_portfolio

TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KINDS = ("owner", "status", "transfer", "red", "person", "programme")


def snapshot_of(data: PortfolioData) -> Snapshot:
    records, skipped = validate(data)
    assert not skipped, skipped
    return build_snapshot(records, TODAY)


def answerer_of(data: PortfolioData) -> Answerer:
    snapshot = snapshot_of(data)
    return Answerer(lambda: snapshot, clock=lambda: TODAY)


def answered_right(key: str, answer: Answer, snapshot: Snapshot, entity_id: int,
                   name: str) -> bool:
    """`answer` is what the example `key` about `entity_id` (named `name`) asks for."""
    project = getattr(getattr(answer, "project", None), "id", None)
    if key == "owner":
        owner = snapshot.persons[snapshot.projects[entity_id].owner_id or -1]
        return (isinstance(answer, ProjectPeople) and answer.focus is Intent.OWNER
                and project == entity_id and answer.owner is not None
                and answer.owner.name == owner.full_name)
    if key == "status":
        return (isinstance(answer, ProjectStatus) and project == entity_id
                and answer.report is not None)
    if key == "transfer":
        return (isinstance(answer, ProjectTransfer) and project == entity_id
                and answer.transfer is not None)
    if key == "red":
        return (isinstance(answer, ProjectList) and answer.filters.health == {Health.RED}
                and all(item.health is Health.RED for item in answer.items))
    if key == "person":
        person = snapshot.persons[entity_id]
        return (isinstance(answer, PersonProjects) and answer.person.name == person.full_name
                and len(answer.assignments) == len(snapshot.assignments[entity_id]))
    if key == "programme":
        programme = snapshot.programmes[entity_id]
        expected = {p.id for p in snapshot.projects.values() if p.programme_id == entity_id}
        return (isinstance(answer, ProjectList) and answer.filters.programme is not None
                and programme.name in answer.filters.programme
                and {item.project.id for item in answer.items} == expected)
    raise AssertionError(key)


PORTFOLIOS = {"demo": demo_portfolio, "other 1": lambda: other_portfolio(1),
              "other 2": lambda: other_portfolio(2, projects=60),
              "other 3": lambda: other_portfolio(3, projects=9)}


@pytest.mark.parametrize("portfolio", PORTFOLIOS)
@pytest.mark.parametrize("language", Language)
def test_every_example_is_answered_right_about_its_entity(portfolio: str,
                                                          language: Language) -> None:
    data = PORTFOLIOS[portfolio]()
    snapshot = snapshot_of(data)
    answerer = Answerer(lambda: snapshot, clock=lambda: TODAY)
    examples = answerer.example_entities(language)
    assert [e.key for e in examples] == list(KINDS), "every kind has an example here"
    for example in examples:
        answer = answerer.answer(example.question)
        assert answer.language is language, example.question
        assert answered_right(example.key, answer, snapshot, example.entity_id, example.name), (
            f"{example.question!r} is answered with {render(answer)!r}")
    assert answerer.examples(language) == tuple(e.question for e in examples)


@pytest.mark.parametrize("seed", range(1, 6))
def test_examples_name_only_the_connected_portfolio(seed: int) -> None:
    data = other_portfolio(seed)
    ours = {name.casefold() for name in names_of(data)}
    foreign = {name for name in names_of(demo_portfolio()) if name.casefold() not in ours}
    assert ours.isdisjoint(name.casefold() for name in foreign), "the generator shares no name"
    answerer = answerer_of(data)
    for language in Language:
        names = answerer.example_names(language)
        shown = [render(answer) for answer in (
            answerer.answer("hjelp" if language is Language.NB else "help"),
            answerer.answer("blåbærsyltetøy med vafler"),
            Greeting(language, answerer.examples(language)))]
        shown.append("\n".join(answerer.examples(language)))
        shown.append("\n".join(subscription_examples(language, names.project, names.programme)))
        shown.append(names.project_code or "")
        text = "\n".join(shown)
        named = [name for name in foreign if len(name) > 2 and re.search(
            rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)]
        assert not named, (named, text)
        assert names.project in {p["name"] for p in data["project"]}
        assert names.project_code in {p["code"] for p in data["project"]}


def test_help_and_not_understood_carry_the_examples() -> None:
    answerer = answerer_of(other_portfolio(4))
    help_answer = answerer.answer("hjelp")
    not_understood = answerer.answer("blåbærsyltetøy med vafler")
    assert isinstance(help_answer, Help) and isinstance(not_understood, NotUnderstood)
    assert help_answer.examples == not_understood.examples == answerer.examples(Language.NB)
    greeting = answerer.answer("hei")
    assert isinstance(greeting, Greeting) and greeting.examples == answerer.examples(Language.NB)


def test_the_same_data_gives_the_same_examples_and_a_change_may_not() -> None:
    data = other_portfolio(5, projects=60)
    first, second = answerer_of(data), answerer_of(other_portfolio(5, projects=60))
    for language in Language:
        assert first.examples(language) == second.examples(language), "same data, same examples"
    assert snapshot_seed(snapshot_of(data)) == snapshot_seed(snapshot_of(other_portfolio(5, 60)))
    data["project"][0]["name"] = "Lomvi omdøpt prosjekt"
    assert snapshot_seed(snapshot_of(data)) != snapshot_seed(snapshot_of(other_portfolio(5, 60)))
    different = {answerer_of(other_portfolio(seed, 60)).examples(Language.NB)
                 for seed in range(1, 6)}
    assert len(different) > 1, "other portfolios, other examples"


def test_examples_are_picked_once_per_snapshot() -> None:
    snapshots = [snapshot_of(other_portfolio(6)), snapshot_of(other_portfolio(7))]
    current = [snapshots[0]]
    answerer = Answerer(lambda: current[0], clock=lambda: TODAY)
    picked = answerer.example_entities(Language.NB)
    assert answerer.example_entities(Language.NB) is picked, "kept, not picked again per turn"
    current[0] = snapshots[1]                                  # a sync brought new data
    fresh = answerer.example_entities(Language.NB)
    assert fresh is not picked
    names = names_of(other_portfolio(7))
    assert all(e.name in names for e in fresh if e.name)


def test_no_snapshot_no_examples() -> None:
    answerer = Answerer(lambda: None)
    assert answerer.examples(Language.EN) == ()
    assert answerer.example_names(Language.NB).project is None
    answer = answerer.answer("hva kan du?")
    assert isinstance(answer, NotUnderstood) and answer.examples == ()
