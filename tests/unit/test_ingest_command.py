"""run_ingest: exit codes, malformed input reporting, and --follow never re-sending across restarts."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path

import orjson
import typer
from rich.console import Console
from typer.testing import CliRunner

from sitrep.commands.ingest import ingest_command, run_ingest
from sitrep.settings import Settings
from tests.unit.test_ingest_producer import FakeProducer

RSS_HEAD = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://d.example/</link>'
)


def _rss(*items: tuple[str, str]) -> str:
    body = "".join(f"<item><guid>{guid}</guid><title>{text}</title></item>" for guid, text in items)
    return f"{RSS_HEAD}{body}</channel></rss>"


class _OnePoll(threading.Event):
    """A stop event that ends a --follow loop after its first poll (a stand-in for Ctrl-C)."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def _ingest(
    settings: Settings,
    paths: list[str],
    producer: FakeProducer,
    *,
    feeds: list[str] | None = None,
    follow: bool = False,
    stdin: bytes | None = None,
) -> tuple[int, str]:
    out = io.StringIO()
    code = run_ingest(
        settings,
        paths,
        stdin=stdin is not None,
        feeds=feeds or [],
        follow=follow,
        interval=0.01,
        topic=None,
        progress=False,
        stop=_OnePoll() if follow else None,
        console=Console(file=out, width=200),
        producer=producer,
        stdin_stream=io.BytesIO(stdin) if stdin is not None else None,
    )
    return code, out.getvalue()


def _settled(*paths: Path) -> None:
    """Make files look written a while ago, past the --follow quiet period."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


def _sent_ids(producer: FakeProducer) -> list[str]:
    return [orjson.loads(value)["id"] for _, _, value in producer.sent]


def test_everything_delivered_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"r{i}", "text": f"Report {i}."}) for i in range(3)))
    producer = FakeProducer()

    code, out = _ingest(Settings(data_dir=tmp_path), [str(path)], producer)

    assert code == 0
    assert _sent_ids(producer) == ["r0", "r1", "r2"]
    assert "delivered 3, failed 0, malformed 0" in out


def test_malformed_lines_are_reported_with_file_and_line_the_rest_are_sent_and_exit_is_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "ok1", "text": "Fine."}\n{broken\n{"id": "ok2", "text": "Also fine."}\n')
    producer = FakeProducer()

    code, out = _ingest(Settings(data_dir=tmp_path), [str(path)], producer)

    assert code == 1
    assert _sent_ids(producer) == ["ok1", "ok2"]
    assert f"{path}:2: invalid JSON" in out
    assert "delivered 2, failed 0, malformed 1" in out


def test_failed_deliveries_make_the_exit_code_one(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "good", "text": "Fine."}\n{"id": "bad", "text": "Rejected."}\n')

    code, out = _ingest(Settings(data_dir=tmp_path), [str(path)], FakeProducer(fail_keys={b"bad"}))

    assert code == 1
    assert "failed bad: NotEnoughReplicasError" in out
    assert "delivered 1, failed 1, malformed 0" in out


def test_stdin_and_dash_read_standard_input(tmp_path: Path) -> None:
    producer = FakeProducer()

    code, _ = _ingest(
        Settings(data_dir=tmp_path), ["-"], producer, stdin=b'{"id": "s1", "text": "From a pipe."}\n'
    )

    assert code == 0 and _sent_ids(producer) == ["s1"]


def test_nothing_to_ingest_is_an_error(tmp_path: Path) -> None:
    code, out = _ingest(Settings(data_dir=tmp_path), [], FakeProducer())

    assert code == 1 and "nothing to ingest" in out


def test_without_follow_a_rerun_sends_everything_again(tmp_path: Path) -> None:
    # One-shot ingest is an explicit request; re-sends are harmless because ids are stable.
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "r1", "text": "Once."}\n')
    first, second = FakeProducer(), FakeProducer()

    _ingest(Settings(data_dir=tmp_path), [str(path)], first)
    _ingest(Settings(data_dir=tmp_path), [str(path)], second)

    assert _sent_ids(first) == _sent_ids(second) == ["r1"]


def test_follow_on_a_directory_sends_nothing_already_sent_after_a_restart_and_sends_new_files(
    tmp_path: Path,
) -> None:
    watched = tmp_path / "drop"
    watched.mkdir()
    (watched / "a.txt").write_text("Drone strike on Sumy.")
    (watched / "b.jsonl").write_text('{"id": "b1", "text": "Shelling of Nikopol."}\n')
    _settled(watched / "a.txt", watched / "b.jsonl")
    settings = Settings(data_dir=tmp_path / "var")

    first = FakeProducer()
    assert _ingest(settings, [str(watched)], first, follow=True)[0] == 0
    assert len(first.sent) == 2

    restarted = FakeProducer()
    code, out = _ingest(settings, [str(watched)], restarted, follow=True)
    assert code == 0 and restarted.sent == []
    assert "already sent 2" in out

    (watched / "c.txt").write_text("Air-raid alert in Kyiv.")
    (watched / "b.jsonl").write_text(
        '{"id": "b1", "text": "Shelling of Nikopol."}\n{"id": "b2", "text": "New line."}\n'
    )
    _settled(watched / "c.txt", watched / "b.jsonl")
    again = FakeProducer()
    assert _ingest(settings, [str(watched)], again, follow=True)[0] == 0
    sent = _sent_ids(again)
    assert sent[0] == "b2" and len(sent) == 2 and sent[1].startswith("txt-c-")
    assert (tmp_path / "var" / "ingest-state.db").exists()


def test_follow_leaves_a_file_still_being_written_for_a_later_poll(tmp_path: Path) -> None:
    watched = tmp_path / "drop"
    watched.mkdir()
    (watched / "old.txt").write_text("Written a minute ago.")
    _settled(watched / "old.txt")
    (watched / "fresh.txt").write_text("Just written, maybe not finished")
    settings = Settings(data_dir=tmp_path / "var")

    first = FakeProducer()
    _ingest(settings, [str(watched)], first, follow=True)
    _settled(watched / "fresh.txt")
    later = FakeProducer()
    _ingest(settings, [str(watched)], later, follow=True)

    assert [orjson.loads(v)["text"] for _, _, v in first.sent] == ["Written a minute ago."]
    assert [orjson.loads(v)["text"] for _, _, v in later.sent] == ["Just written, maybe not finished"]


def test_follow_on_a_feed_remembers_entries_across_restarts(tmp_path: Path) -> None:
    feed = tmp_path / "desk.rss"
    feed.write_text(_rss(("g1", "Missiles hit Kharkiv"), ("g2", "Jets scrambled over Poland")))
    settings = Settings(data_dir=tmp_path / "var")

    first = FakeProducer()
    _ingest(settings, [], first, feeds=[str(feed)], follow=True)
    feed.write_text(_rss(("g3", "Glide bombs on Kramatorsk"), ("g1", "Missiles hit Kharkiv"), ("g2", "Jets")))
    restarted = FakeProducer()
    _ingest(settings, [], restarted, feeds=[str(feed)], follow=True)

    assert _sent_ids(first) == ["g1", "g2"]
    assert _sent_ids(restarted) == ["g3"]


def test_follow_does_not_remember_a_failed_delivery_so_the_next_run_retries_it(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "r1", "text": "One."}\n{"id": "r2", "text": "Two."}\n')
    settings = Settings(data_dir=tmp_path / "var")

    code, _ = _ingest(settings, [str(path)], FakeProducer(fail_keys={b"r2"}), follow=True)
    retry = FakeProducer()
    _ingest(settings, [str(path)], retry, follow=True)

    assert code == 1
    assert _sent_ids(retry) == ["r2"]


def test_the_same_id_twice_in_one_follow_poll_is_sent_once(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "dup", "text": "One."}\n{"id": "dup", "text": "One."}\n')
    producer = FakeProducer(hold=True)

    _ingest(Settings(data_dir=tmp_path / "var"), [str(path)], producer, follow=True)

    assert _sent_ids(producer) == ["dup"]


def test_ingest_command_help_reads_well() -> None:
    app = typer.Typer()
    app.command("ingest")(ingest_command)
    app.command("other")(lambda: None)

    result = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})

    assert result.exit_code == 0
    for option in ("--stdin", "--feed", "--follow", "--interval", "--topic", "--no-progress"):
        assert option in result.output
    assert "reports-raw-v1" in result.output
