"""The pure helpers behind ``sitrep dlq`` and ``sitrep status``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sitrep.ops import (
    REDRIVEN_FROM,
    DeadLetter,
    PartitionLag,
    Selection,
    Status,
    StoreState,
    TopicState,
    dead_letters_since,
    lag_by_partition,
    letter_summary,
    parse_position,
    parse_time,
    problems,
    redrive_headers,
    redrive_target,
    render_bytes,
    select,
    shorten,
    status_document,
)

T0 = datetime(2025, 7, 8, 12, 0, tzinfo=UTC)


def letter(offset: int = 0, reason: str = "invalid_json", at: datetime = T0, **kw: object) -> DeadLetter:
    headers = kw.pop("headers", None)
    if headers is None:
        headers = (
            ("sitrep-dlq-reason", reason.encode()),
            ("sitrep-dlq-detail", b"Expecting value: line 1 column 1"),
            ("sitrep-origin-topic", b"reports-raw-v1"),
            ("sitrep-origin-partition", b"2"),
            ("sitrep-origin-offset", b"41"),
            ("sitrep-origin-timestamp", b"1751976000000"),
        )
    return DeadLetter(
        topic=str(kw.pop("topic", "reports-raw-v1-dlq")),
        partition=int(kw.pop("partition", 0)),  # type: ignore[call-overload]
        offset=offset,
        timestamp_ms=int(at.timestamp() * 1000),
        key=b"r-1",
        value=b"{not json",
        headers=tuple(headers),  # type: ignore[arg-type]
    )


def test_a_dead_letter_reads_its_reason_and_origin_from_the_headers() -> None:
    d = letter()
    assert d.reason == "invalid_json"
    assert (d.origin_topic, d.origin_partition, d.origin_offset) == ("reports-raw-v1", 2, 41)
    assert d.time == T0 and d.size == 9 and d.position == "0:0"


def test_a_dead_letter_without_headers_has_an_unknown_reason_and_no_origin() -> None:
    d = letter(headers=())
    assert d.reason == "unknown" and d.origin_topic is None and d.origin_partition is None


def test_selection_filters_by_reason_time_window_and_position() -> None:
    letters = [
        letter(0, "invalid_json", T0),
        letter(1, "too_large", T0 + timedelta(minutes=10)),
        letter(2, "too_large", T0 + timedelta(minutes=20)),
    ]
    assert [d.offset for d in select(letters, Selection(reasons=frozenset({"too_large"})))] == [1, 2]
    window = Selection(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20))
    assert [d.offset for d in select(letters, window)] == [1]  # since inclusive, until exclusive
    assert [d.offset for d in select(letters, Selection(positions=frozenset({(0, 2)})))] == [2]
    assert [d.offset for d in select(letters, Selection(), limit=2)] == [0, 1]
    assert Selection().is_empty and not window.is_empty


@pytest.mark.parametrize("text, expected", [("0:42", (0, 42)), (" 3:0 ", (3, 0))])
def test_positions_parse_as_partition_colon_offset(text: str, expected: tuple[int, int]) -> None:
    assert parse_position(text) == expected


@pytest.mark.parametrize("text", ["42", "a:1", "1:-2", "1:2:3", ""])
def test_malformed_positions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="PARTITION:OFFSET"):
        parse_position(text)


def test_times_without_an_offset_are_utc_and_z_is_accepted() -> None:
    assert parse_time("2025-07-08T12:00") == T0
    assert parse_time("2025-07-08T12:00:00Z") == T0
    assert parse_time("2025-07-08T14:00:00+02:00") == T0
    assert parse_time("2025-07-08") == T0 - timedelta(hours=12)


def test_redrive_goes_to_the_origin_with_a_redriven_from_header_and_no_dlq_headers() -> None:
    d = letter(7, partition=1)
    assert redrive_target(d, "fallback") == "reports-raw-v1"
    assert redrive_target(letter(headers=()), "fallback") == "fallback"
    headers = redrive_headers(d)
    assert headers == [(REDRIVEN_FROM, b"reports-raw-v1-dlq/1/7")]


def test_redrive_keeps_foreign_headers_and_replaces_an_earlier_redriven_from() -> None:
    d = letter(headers=(("trace-id", b"abc"), (REDRIVEN_FROM, b"old/0/0"), ("sitrep-dlq-reason", b"x")))
    assert redrive_headers(d) == [("trace-id", b"abc"), (REDRIVEN_FROM, b"reports-raw-v1-dlq/0/0")]


def test_values_render_as_pretty_json_else_as_a_bytes_repr_and_are_cut() -> None:
    assert render_bytes(b'{"id": "a"}') == '{\n  "id": "a"\n}'
    assert render_bytes(b"\xff\xfe") == "b'\\xff\\xfe'"
    assert render_bytes(None) == "(none)"
    cut = render_bytes(b"x" * 100, limit=10)
    assert cut.startswith("b'xxxxxxx") and "more characters; 100 bytes in all" in cut


def test_shorten_flattens_whitespace_and_marks_the_cut() -> None:
    assert shorten("a\n  b", 10) == "a b"
    assert shorten("abcdefghij", 5) == "abcd…"


def test_a_letter_summary_is_json_ready() -> None:
    doc = letter_summary(letter(3))
    assert doc["reason"] == "invalid_json" and doc["origin_offset"] == 41 and doc["key"] == "r-1"
    assert doc["time"] == T0.isoformat() and doc["size"] == 9


def test_lag_counts_uncommitted_partitions_from_zero() -> None:
    raw = TopicState("raw", True, 2, {0: 10, 1: 5})
    missing = TopicState("gone", False)
    rows = lag_by_partition([raw, missing], {("raw", 0): 7})
    assert rows == [PartitionLag("raw", 0, 7, 10), PartitionLag("raw", 1, None, 5)]
    assert [r.lag for r in rows] == [3, 5]


def test_dead_letters_since_counts_from_the_offset_found_for_the_time() -> None:
    assert dead_letters_since({0: 10, 1: 4, 2: 3}, {0: 7, 1: None, 2: 3}) == 3


def _status(**kw: object) -> Status:
    base: dict[str, object] = {
        "broker_reachable": True,
        "broker_error": None,
        "topics": [TopicState("raw", True, 1, {0: 3})],
        "lag": [PartitionLag("raw", 0, 3, 3)],
        "store": StoreState(True, None, "0002", "0002", {"reports": 3}, T0),
        "dead_letters_last_hour": {"raw-dlq": 0},
        "group": "sitrep",
        "checked_at": T0,
    }
    base.update(kw)
    return Status(**base)  # type: ignore[arg-type]


def test_a_reachable_migrated_deployment_with_every_topic_is_healthy() -> None:
    assert problems(_status()) == []
    doc = status_document(_status())
    assert doc["healthy"] and doc["store"]["migrated"] and doc["total_lag"] == 0
    assert doc["store"]["newest_event_time"] == T0.isoformat()


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"broker_reachable": False, "broker_error": "timeout"}, "broker unreachable: timeout"),
        ({"topics": [TopicState("raw", False)]}, "topics missing: raw"),
        ({"store": StoreState(False, "refused")}, "store unreachable: refused"),
        ({"store": StoreState(True, None, None, "0002")}, "not migrated"),
        ({"store": StoreState(True, None, "0001", "0002")}, "expected 0002"),
    ],
)
def test_each_kind_of_trouble_makes_the_deployment_unhealthy(change: dict[str, object], needle: str) -> None:
    found = problems(_status(**change))
    assert any(needle in p for p in found), found
    assert status_document(_status(**change))["healthy"] is False


def test_lag_and_dead_letters_alone_do_not_make_the_deployment_unhealthy() -> None:
    busy = _status(lag=[PartitionLag("raw", 0, 0, 10_000)], dead_letters_last_hour={"raw-dlq": 50})
    assert problems(busy) == []


def test_demo_refuses_a_taken_web_port_before_it_starts_anything(tmp_path: Path) -> None:
    import socket

    from sitrep.commands.operator import local_stack
    from sitrep.errors import SitrepError
    from sitrep.settings import Settings

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        settings = Settings(
            web_port=port,
            data_dir=tmp_path / "var",
            # Nothing answers here: checked after the port, this would be the error instead.
            kafka_bootstrap_servers="127.0.0.1:1",
            database_url=f"sqlite:///{tmp_path}/sitrep.db",  # type: ignore[arg-type]
        )
        with pytest.raises(SitrepError, match=f"port {port} on 127.0.0.1 is taken"), local_stack(settings):
            pass
    assert not (tmp_path / "sitrep.db").exists(), "nothing is migrated before the refusal"
