"""The fast activity reader builds exactly what msrest's Deserializer builds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError

from bot.cli.teams_activities import TeamsScene
from bot.connector.activity_reader import read_activity_model

SCENES = {scope: TeamsScene(service_url="http://127.0.0.1:1/", scope=scope)
          for scope in ("personal", "group", "channel")}
BUILDERS: dict[str, Callable[[TeamsScene], dict[str, Any]]] = {
    "message": lambda s: s.message("Hvem eier <at>Ola</at> DHO?"),
    "card submit": lambda s: s.card_submit({"portfoliobot": "followup", "id": 3}, reply_to_id="1"),
    "install": lambda s: s.install(),
    "uninstall": lambda s: s.uninstall(),
    "installation update": lambda s: s.installation_update("add"),
    "reaction": lambda s: s.reaction("like", reply_to_id="1"),
    "typing": lambda s: s.typing(),
    "edit": lambda s: s.message_edit("ny tekst", message_id="1"),
}


def same(a: Any, b: Any) -> bool:
    return bool(a.serialize() == b.serialize() and a.as_dict() == b.as_dict()
                and _extras(a) == _extras(b))


def _extras(model: Any) -> Any:
    """Every additional_properties in the tree, by path."""
    found: dict[str, Any] = {}

    def walk(value: Any, path: str) -> None:
        if hasattr(value, "_attribute_map"):
            found[path] = getattr(value, "additional_properties", None)
            for name in value._attribute_map:
                walk(getattr(value, name, None), f"{path}.{name}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(model, "")
    return found


@pytest.mark.parametrize("scope", list(SCENES))
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_teams_payloads_read_as_msrest_reads_them(scope: str, kind: str) -> None:
    body = BUILDERS[kind](SCENES[scope])
    assert same(read_activity_model(body), Activity().deserialize(body))


@pytest.mark.parametrize("body", [
    {"type": "message", "text": 5},                          # msrest turns it into "5"
    {"type": "message", "timestamp": "2026-11-26T10:00:00.123+01:00", "from": {"id": "x"}},
    {"type": "message", "timestamp": "2026-11-26T10:00:00.1234567Z",   # Teams: 7 digits
     "localTimestamp": "2026-11-26T11:00:00.9999999+01:00"},
    {"type": "message", "timestamp": "2026-11-26T10:00:00"},     # naive: msrest's own parser
    {"type": "message", "entities": [{"type": "mention", "text": None}], "value": [1, {"a": 2}]},
    {"type": "message", "channelData": {"tenant": {"id": "t"}}, "somethingNew": {"x": 1}},
])
def test_odd_payloads_match_msrest_too(body: dict[str, Any]) -> None:
    assert same(read_activity_model(body), Activity().deserialize(body))


@pytest.mark.parametrize("stamp", ["2026-11-26", "20261126T100000Z", "yesterday"])
def test_timestamps_msrest_refuses_are_refused_too(stamp: str) -> None:
    body = {"type": "message", "timestamp": stamp}
    with pytest.raises(DeserializationError):
        Activity().deserialize(body)
    with pytest.raises(DeserializationError):
        read_activity_model(body)


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_teams_payloads_take_the_fast_path(kind: str) -> None:
    from bot.connector.activity_reader import _model

    body = BUILDERS[kind](SCENES["channel"])
    assert isinstance(_model(Activity, body), Activity)
