"""Readers turn files, directories, stdin and feeds into reports, and bad input into SourceErrors."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

import schemas
from ingest.sources import (
    SourceError,
    derive_id,
    directory_files,
    fetch_feed,
    html_to_text,
    parse_document,
    parse_feed,
    parse_jsonl,
    parse_text,
    read_directory,
    read_jsonl,
    read_path,
    read_stream,
)
from sitrep.model import Report

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Frontline Wire</title>
  <link>https://wire.example.net/</link>
  <description>Test feed</description>
  <item>
    <title>Drones hit Odesa port</title>
    <guid isPermaLink="false">fw-1001</guid>
    <link>https://wire.example.net/1001</link>
    <pubDate>Tue, 01 Jul 2025 04:10:00 +0300</pubDate>
    <description>&lt;p&gt;Drones struck &lt;b&gt;port&lt;/b&gt; facilities in Odesa overnight.&lt;/p&gt;
      &lt;p&gt;Two workers were hurt &amp;amp; a fire broke out.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Air-raid alert across the east</title>
    <link>https://wire.example.net/1002</link>
  </item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ministry Bulletins</title>
  <id>urn:example:bulletins</id>
  <updated>2025-07-02T09:00:00Z</updated>
  <entry>
    <title>Jets scrambled over the Baltic</title>
    <id>urn:example:bulletins:77</id>
    <link href="https://mod.example.org/b/77"/>
    <updated>2025-07-02T08:30:00Z</updated>
    <content type="html">&lt;div&gt;Two fighter jets were scrambled
      after an aircraft approached the airspace.&lt;/div&gt;</content>
  </entry>
</feed>
"""


def _reports(items: list[Report | SourceError]) -> list[Report]:
    return [i for i in items if isinstance(i, Report)]


def _errors(items: list[Report | SourceError]) -> list[SourceError]:
    return [i for i in items if isinstance(i, SourceError)]


# --- JSONL ---------------------------------------------------------------------------------------


def test_malformed_jsonl_lines_are_reported_with_file_and_line_and_the_rest_continue(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "A missile hit a depot in Dnipro."}).encode(),
        b"{not json",
        b"",
        json.dumps({"id": "a2"}).encode(),
        json.dumps(["a", "list"]).encode(),
        b'{"id": "bad-bytes", "text": "\xff\xfe"}',
        json.dumps(
            {"id": "a3", "text": "Shelling of Nikopol wounded two.", "published_at": "yesterday"}
        ).encode(),
        json.dumps({"id": "a4", "text": "Air defence downed 12 drones over Kyiv."}).encode(),
    ]
    path.write_bytes(b"\n".join(lines))

    items = list(read_jsonl(path))

    assert [r.id for r in _reports(items)] == ["a1", "a4"]
    errors = _errors(items)
    assert [(e.file, e.line) for e in errors] == [(str(path), n) for n in (2, 4, 5, 6, 7)]
    assert "invalid JSON" in errors[0].message
    assert "text" in errors[1].message
    assert "object" in errors[2].message
    assert "UTF-8" in errors[3].message
    assert "published_at" in errors[4].message
    assert str(errors[0]) == f"{path}:2: {errors[0].message}"


def test_a_jsonl_line_keeps_its_metadata_and_parses_published_time() -> None:
    doc = {
        "id": "w-7",
        "text": "  A drone hit a car in Kharkiv region.  ",
        "title": "Drone hits car",
        "source": "Example Wire",
        "url": "https://example.org/7",
        "published_at": "2025-06-29T07:42:00Z",
        "extra": "ignored",
    }
    [report] = list(parse_jsonl([json.dumps(doc)], file="x.jsonl"))

    assert report == Report(
        id="w-7",
        text="A drone hit a car in Kharkiv region.",
        title="Drone hits car",
        source="Example Wire",
        url="https://example.org/7",
        published_at=datetime(2025, 6, 29, 7, 42, tzinfo=UTC),
    )


def test_a_missing_id_becomes_a_deterministic_hash_of_source_and_text() -> None:
    first = parse_document({"text": "Glide bombs hit Kupiansk.", "source": "A"}, file="f", line=1)
    again = parse_document({"text": "Glide bombs hit Kupiansk.", "source": "A"}, file="g", line=9)
    other_source = parse_document({"text": "Glide bombs hit Kupiansk.", "source": "B"}, file="f", line=1)

    assert isinstance(first, Report) and isinstance(again, Report) and isinstance(other_source, Report)
    assert first.id == again.id == derive_id("r", "A", "Glide bombs hit Kupiansk.")
    assert other_source.id != first.id


def test_an_id_the_schema_would_reject_is_a_source_error_not_a_report() -> None:
    item = parse_document({"id": "x" * 300, "text": "Rocket fire on Kherson."}, file="f.jsonl", line=3)

    assert isinstance(item, SourceError)
    assert item.line == 3 and "id" in item.message


def test_every_report_read_is_valid_against_reports_raw_v1(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"id": 42, "text": "Explosions reported in Sumy.", "title": ""}) + "\n")

    [report] = list(read_jsonl(path))

    assert isinstance(report, Report) and report.id == "42" and report.title is None
    schemas.validate("reports-raw-v1", json.loads(schemas.encode_report(report)))


def test_json_file_with_an_array_reports_bad_items_by_position(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"id": "j1", "text": "Strike on Zaporizhzhia."}, {"id": "j2", "text": ""}]))

    items = list(read_path(path))

    assert [r.id for r in _reports(items)] == ["j1"]
    assert [(e.file, e.line) for e in _errors(items)] == [(str(path), 2)]


# --- text files and directories ------------------------------------------------------------------


def test_text_file_first_line_followed_by_blank_line_is_the_title() -> None:
    item = parse_text(
        "Missile strike on Lviv\n\nA missile hit an industrial site in Lviv.\nNo casualties.\n",
        name="lviv.txt",
    )

    assert isinstance(item, Report)
    assert item.title == "Missile strike on Lviv"
    assert item.text == "A missile hit an industrial site in Lviv.\nNo casualties."
    assert item.id.startswith("txt-lviv-")


def test_text_file_without_blank_second_line_has_no_title_and_id_depends_on_name_and_content() -> None:
    a = parse_text("One line.\nSecond line.", name="a.txt")
    same = parse_text("One line.\nSecond line.", name="a.txt")
    renamed = parse_text("One line.\nSecond line.", name="b.txt")
    edited = parse_text("One line.\nSecond line!", name="a.txt")

    assert isinstance(a, Report) and a.title is None and a.text == "One line.\nSecond line."
    assert isinstance(same, Report) and isinstance(renamed, Report) and isinstance(edited, Report)
    assert a.id == same.id
    assert len({a.id, renamed.id, edited.id}) == 3


def test_directory_reads_every_txt_jsonl_and_json_sorted_and_skips_the_rest(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Headline B\n\nBody of B about shelling in Kherson.")
    (tmp_path / "a.txt").write_text("Body of A about a drone in Sumy.")
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "c1", "text": "C one"}) + "\n{oops\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.json").write_text(json.dumps({"id": "d1", "text": "D one"}))
    (tmp_path / "notes.md").write_text("not a report")
    (tmp_path / ".partial.txt").write_text("being written")
    (tmp_path / "empty.txt").write_text("  \n")

    items = list(read_path(tmp_path))

    assert [p.name for p in directory_files(tmp_path)] == ["a.txt", "b.txt", "c.jsonl", "empty.txt", "d.json"]
    reports = _reports(items)
    assert [r.text for r in reports] == [
        "Body of A about a drone in Sumy.",
        "Body of B about shelling in Kherson.",
        "C one",
        "D one",
    ]
    assert reports[1].title == "Headline B"
    assert [(Path(e.file).name, e.line) for e in _errors(items)] == [("c.jsonl", 2), ("empty.txt", None)]


def test_text_ids_inside_a_directory_use_the_relative_path(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "same.txt").write_text("Same words.")
    (tmp_path / "y" / "same.txt").write_text("Same words.")

    ids = [r.id for r in _reports(list(read_directory(tmp_path)))]

    assert len(set(ids)) == 2


def test_directory_files_can_leave_out_recently_modified_files(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("old")
    (tmp_path / "new.txt").write_text("new")
    os.utime(tmp_path / "old.txt", (1_000_000, 1_000_000))
    os.utime(tmp_path / "new.txt", (2_000_000, 2_000_000))

    assert [p.name for p in directory_files(tmp_path, modified_before=1_500_000)] == ["old.txt"]
    assert [p.name for p in directory_files(tmp_path)] == ["new.txt", "old.txt"]


def test_a_missing_path_is_one_source_error(tmp_path: Path) -> None:
    assert list(read_path(tmp_path / "nope.jsonl")) == [
        SourceError(str(tmp_path / "nope.jsonl"), None, "no such file or directory")
    ]


# --- stdin ---------------------------------------------------------------------------------------


def test_stdin_starting_with_a_brace_is_read_as_jsonl() -> None:
    stream = io.BytesIO(
        b'\n{"id": "s1", "text": "Drone attack on Kyiv."}\nbad\n{"id": "s2", "text": "Second."}\n'
    )

    items = list(read_stream(stream))

    assert [r.id for r in _reports(items)] == ["s1", "s2"]
    assert [(e.file, e.line) for e in _errors(items)] == [("<stdin>", 3)]


def test_stdin_with_plain_text_is_one_report_with_a_stable_id() -> None:
    text = b"Shelling in Kherson\n\nRussian artillery shelled Kherson, wounding a woman.\n"

    [first] = list(read_stream(io.BytesIO(text)))
    [second] = list(read_stream(io.BytesIO(text)))

    assert isinstance(first, Report) and isinstance(second, Report)
    assert first.title == "Shelling in Kherson"
    assert first.text == "Russian artillery shelled Kherson, wounding a woman."
    assert first.id == second.id


def test_empty_stdin_is_an_error() -> None:
    assert list(read_stream(io.BytesIO(b"\n  \n"))) == [SourceError("<stdin>", None, "no input")]


# --- feeds ---------------------------------------------------------------------------------------


def test_rss_items_become_reports_with_guid_ids_text_without_html_and_utc_times(tmp_path: Path) -> None:
    path = tmp_path / "wire.rss"
    path.write_text(RSS, encoding="utf-8")

    fetched = fetch_feed(str(path))

    first, second = fetched.items
    assert isinstance(first, Report) and isinstance(second, Report)
    assert first.id == "fw-1001"
    assert first.title == "Drones hit Odesa port"
    assert (
        first.text
        == "Drones struck port facilities in Odesa overnight.\nTwo workers were hurt & a fire broke out."
    )
    assert first.source == "Frontline Wire"
    assert first.url == "https://wire.example.net/1001"
    assert first.published_at == datetime(2025, 7, 1, 1, 10, tzinfo=UTC)
    # no guid: the link is the id; no description: the headline is the text
    assert second.id == "https://wire.example.net/1002"
    assert second.text == "Air-raid alert across the east" and second.title is None


def test_atom_entries_use_their_id_content_and_updated_time() -> None:
    [entry] = list(parse_feed(ATOM.encode(), file="bulletins.atom"))

    assert isinstance(entry, Report)
    assert entry.id == "urn:example:bulletins:77"
    assert entry.text == "Two fighter jets were scrambled after an aircraft approached the airspace."
    assert entry.title == "Jets scrambled over the Baltic"
    assert entry.source == "Ministry Bulletins"
    assert entry.url == "https://mod.example.org/b/77"
    assert entry.published_at == datetime(2025, 7, 2, 8, 30, tzinfo=UTC)


def test_a_document_that_is_not_a_feed_is_one_source_error() -> None:
    [error] = list(parse_feed(b"<html><body>not <b>a feed", file="page.xml"))

    assert isinstance(error, SourceError) and error.file == "page.xml" and error.line is None


def test_an_unreachable_feed_url_is_a_source_error_not_an_exception() -> None:
    fetched = fetch_feed("http://127.0.0.1:9/feed.xml", timeout=2)

    [error] = fetched.items
    assert isinstance(error, SourceError) and "cannot fetch" in error.message


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>One</p><p>Two &amp; three</p>", "One\nTwo & three"),
        ("plain   words\n here", "plain words here"),
        ("<script>var x = 1;</script>Visible<br/>next", "Visible\nnext"),
    ],
)
def test_html_to_text_keeps_visible_text_one_line_per_block(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text
