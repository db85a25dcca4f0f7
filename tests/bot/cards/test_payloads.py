"""Card payloads: every shape cards have ever posted is read back as the right payload, the
current shapes round-trip, and junk is None, never an exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botbuilder.core import serializer_helper

from bot.cards.payloads import (
    VERSION,
    AskPayload,
    CommandPayload,
    FollowupPayload,
    NoneOfThesePayload,
    Payload,
    StatusChoicePayload,
    StatusFormPayload,
    execute_response,
    from_value,
    language_hint,
)
from knowledge.answers.answers import Followup, Intent, Language, TransferFocus
from knowledge.language.name_index import EntityKind
from knowledge.portfolio.model import Health

FOLLOWUP = Followup(Intent.OWNER, EntityKind.PROJECT, 17, Language.EN, TransferFocus.WHEN)

# Version 1: the dict literals exactly as the cards built them before payloads had types
# (bot/cards/answer_cards.py, bot/handlers/status_desk.py, knowledge/commands/
# subscription_commands.py), with a form's inputs merged in the way Teams sends them.
VERSION_1: list[tuple[str, Any, Payload]] = [
    ("ask", {"msteams": {"type": "messageBack", "text": "ST-007", "displayText": "ST-007"}},
     AskPayload("ST-007", version=1)),
    ("followup", {"portfoliobot": "followup", "intent": "owner", "kind": "project", "id": 17,
                  "lang": "en", "focus": "when"},
     FollowupPayload(FOLLOWUP, version=1)),
    ("followup without lang and focus",
     {"portfoliobot": "followup", "intent": "status", "kind": "project", "id": 3},
     FollowupPayload(Followup(Intent.STATUS, EntityKind.PROJECT, 3, Language.NB), version=1)),
    ("none of these", {"portfoliobot": "none", "lang": "nb"},
     NoneOfThesePayload(Language.NB, version=1)),
    ("status form", {"portfoliobot": "status_form", "lang": "nb", "project": "17",
                     "health": "red", "summary": "Nettet er nede på Kalnes"},
     StatusFormPayload(Language.NB, 17, Health.RED, "Nettet er nede på Kalnes", version=1)),
    ("status form not filled in", {"portfoliobot": "status_form", "lang": "en"},
     StatusFormPayload(Language.EN, version=1)),
    ("status post", {"portfoliobot": "status_post", "id": 18, "lang": "nb", "health": "yellow",
                     "summary": "leveransen er forsinket"},
     StatusChoicePayload(18, Health.YELLOW, "leveransen er forsinket", Language.NB, version=1)),
    ("status post without health", {"portfoliobot": "status_post", "id": 18, "lang": "en",
                                    "health": None, "summary": ""},
     StatusChoicePayload(18, None, "", Language.EN, version=1)),
    ("subscription command", {"msteams": {"type": "imBack", "value": "abonner ST-007 kun status"},
                              "subscription_command": "abonner ST-007 kun status"},
     CommandPayload("abonner ST-007 kun status", version=1)),
]


@pytest.mark.parametrize(("value", "payload"), [(v, p) for _, v, p in VERSION_1],
                         ids=[name for name, _, _ in VERSION_1])
def test_version_1_values_are_read_as_the_right_payload(value: Any, payload: Payload) -> None:
    assert from_value(value) == payload
    assert from_value(json.loads(json.dumps(value))) == payload, "as it arrives: parsed JSON"


@pytest.mark.parametrize("payload", [
    AskPayload("Hvem eier DHO?"),
    CommandPayload("avslutt abonnement STIM"),
    FollowupPayload(FOLLOWUP),
    NoneOfThesePayload(Language.EN),
    NoneOfThesePayload(None),
    StatusFormPayload(Language.NB),
    StatusFormPayload(Language.EN, 5, Health.GREEN, "alt går etter planen"),
    StatusChoicePayload(17, Health.RED, "strømbrudd", Language.NB),
    StatusChoicePayload(17, Health.RED, "strømbrudd", Language.NB,
                        "00c96072-3988-5779-ad96-54b2cf043bfb"),
], ids=repr)
def test_current_payloads_round_trip_with_their_version(payload: Payload) -> None:
    value = payload.to_value()
    assert value["v"] == VERSION == payload.version
    assert from_value(json.loads(json.dumps(value))) == payload


def test_version_2_keeps_the_version_1_keys() -> None:
    """Old and new replicas read each other's cards while a release rolls out."""
    for _, old, payload in VERSION_1:
        new = type(payload).from_value(old)
        assert new is not None
        written = new.to_value()
        assert {key: written[key] for key in old if key in written} == \
            {key: old[key] for key in old if key in written}


def test_the_form_action_is_only_the_marker_and_language() -> None:
    assert StatusFormPayload(Language.NB).to_value() == {
        "portfoliobot": "status_form", "lang": "nb", "v": 2}


def test_a_form_with_wrong_inputs_is_a_form_with_those_fields_missing() -> None:
    read = from_value({"portfoliobot": "status_form", "project": {"$ne": 1}, "health": ["red"],
                       "summary": 5, "lang": "xx"})
    assert read == StatusFormPayload(Language.NB, None, None, None, version=1)
    for project in ("9" * 5000, "²", "-1", "0", " 17", "17.0"):
        read = from_value({"portfoliobot": "status_form", "lang": "nb", "project": project})
        assert isinstance(read, StatusFormPayload) and read.project_id is None, project


@pytest.mark.parametrize("value", [
    None, "", "portfoliobot", 1e308, 10**400, True, [], ["a", 1], [{"portfoliobot": "none"}], {},
    {"portfoliobot": None}, {"portfoliobot": "unknown"}, {"portfoliobot": {"x": 1}},
    {"portfoliobot": ["followup"]},
    {"subscription_command": ""}, {"subscription_command": "   "},
    {"subscription_command": {"text": "abonner alle"}}, {"subscription_command": None},
    {"msteams": {"type": "imBack", "value": ""}}, {"msteams": {"type": "imBack"}},
    {"msteams": {"type": "messageBack"}}, {"msteams": {"type": "messageBack", "text": 5}},
    {"msteams": "imBack"}, {"msteams": {"type": "openUrl", "value": "https://x"}},
    {"portfoliobot": "followup", "intent": "nope", "kind": "project", "id": 1},
    {"portfoliobot": "followup", "intent": ["owner"], "kind": {"x": 1}, "id": "1' OR 1=1"},
    {"portfoliobot": "followup", "intent": "owner", "kind": "project", "id": 10**30},
    {"portfoliobot": "followup", "intent": "owner", "kind": "project", "id": True},
    {"portfoliobot": "followup", "intent": "owner", "kind": "project", "id": -3},
    {"portfoliobot": "followup", "intent": "owner", "kind": "project", "id": 1, "lang": "xx"},
    {"portfoliobot": "status_post", "id": True, "health": None, "summary": []},
    {"portfoliobot": "status_post", "id": 10**30, "health": "red", "summary": "x"},
    {"portfoliobot": "status_post", "id": 17, "health": "red"},
    {"portfoliobot": "status_post", "id": {"id": 17}, "health": "red", "summary": "x"},
    {"portfoliobot": "none", "v": 3}, {"portfoliobot": "none", "v": "2"},
    {"portfoliobot": "none", "v": True}, {"portfoliobot": "none", "v": None},
    {"subscription_command": "abonner alle", "v": 10**100},
    {"portfoliobot": {"portfoliobot": {"portfoliobot": "none"}}},
], ids=repr)
def test_junk_is_none_never_an_exception(value: Any) -> None:
    assert from_value(value) is None


def test_a_nested_value_thousands_deep_is_none() -> None:
    value: Any = {}
    for _ in range(5000):
        value = {"portfoliobot": value}
    assert from_value(value) is None


def test_the_language_of_a_stale_button_is_still_read() -> None:
    assert language_hint({"portfoliobot": "followup", "intent": "nope", "lang": "en"}) \
        is Language.EN
    for value in (None, ["en"], {"lang": "xx"}, {"lang": ["en"]}, {}):
        assert language_hint(value) is None


@pytest.mark.parametrize("value", [None, "x", [1], {}, {"action": []}, {"action": "x"},
                                   {"action": {"type": "Action.Submit"}},
                                   {"action": {"type": "Action.Execute", "data": [1]}}])
def test_every_execute_invoke_gets_an_error_body_that_serializes(value: Any) -> None:
    response = execute_response(value, "Den knappen kan jeg ikke bruke.")
    body = serializer_helper(response)
    assert body["statusCode"] == 400 and body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] in ("BadRequest", "NotSupported") and body["value"]["message"]
