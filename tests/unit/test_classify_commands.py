"""The JSONL classify contract and the evaluation table."""

from __future__ import annotations

import io
from pathlib import Path

import orjson

from sitrep.classify import CLASSIFIER_VERSION
from sitrep.commands.classify import normalise_admin1, run_classify, run_eval


def test_run_classify_writes_one_line_per_input_line_in_the_contracted_shape() -> None:
    lines = [
        orjson.dumps(
            {"id": "a", "text": "A drone hit a car in the Kharkiv region, killing the driver.", "x": 1}
        ),
        b"{not json",
        orjson.dumps({"id": "c"}),
        orjson.dumps({"id": 4, "text": ""}),
    ]
    out = io.StringIO()
    code = run_classify(io.StringIO("\n".join(x.decode() for x in lines) + "\n"), out)
    assert code == 0
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 4
    first = records[0]
    assert first["id"] == "a" and first["labels"] == ["strike", "casualty"]
    assert first["classifier_version"] == CLASSIFIER_VERSION
    (event,) = first["events"]
    for key in ("types", "killed", "injured", "location", "weapon", "aircraft", "evidence", "confidence"):
        assert key in event
    assert event["killed"] == 1
    assert set(event["location"]) == {"name", "admin1", "country", "lat", "lon", "precision"}
    assert event["location"]["admin1"] == "Kharkiv oblast"
    assert event["evidence"][0]["start"] == 0
    assert records[1]["line"] == 2 and "error" in records[1]
    assert records[2]["line"] == 3 and "text" in records[2]["error"]
    assert records[3] == {"id": 4, "labels": [], "events": [], "classifier_version": CLASSIFIER_VERSION}


def test_admin1_names_normalise_across_spellings() -> None:
    assert normalise_admin1("Zaporizhzhya oblast") == normalise_admin1("Zaporizhzhia oblast")
    assert normalise_admin1("Mykolayiv oblast") == normalise_admin1("Mykolaiv oblast")
    assert normalise_admin1("Odessa oblast") == normalise_admin1("Odesa oblast")
    assert normalise_admin1("Kharkiv Oblast") == normalise_admin1("Kharkiv oblast")
    assert normalise_admin1("Kharkiv oblast") != normalise_admin1("Kherson oblast")


def test_run_eval_prints_scores_for_a_labelled_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    items = [
        {
            "id": 1,
            "text": "Shelling killed two civilians in Kherson.",
            "labels": ["casualty"],
            "fatalities": 2,
            "admin1": "Kherson oblast",
        },
        {"id": 2, "text": "A Ka-52 helicopter was shot down.", "labels": ["aircraft_loss"]},
        {"id": 3, "text": "The weather was calm.", "labels": []},
    ]
    gold.write_text("\n".join(orjson.dumps(i).decode() for i in items) + "\n")
    out = io.StringIO()
    assert run_eval([gold], out) == 0
    table = out.getvalue()
    for row in (
        "casualty",
        "aircraft_loss",
        "fatal casualty",
        "killed count exact",
        "admin1 accuracy",
        "aircraft-loss false-alarm rate",
    ):
        assert row in table
    assert "1.000" in table


def test_run_eval_reads_gold_from_stdin_when_the_path_is_a_dash() -> None:
    line = orjson.dumps({"id": 1, "text": "A Ka-52 helicopter was shot down.", "labels": ["aircraft_loss"]})
    out = io.StringIO()
    assert run_eval([Path("-")], out, stdin=io.StringIO(line.decode() + "\n")) == 0
    assert "stdin: 1 items" in out.getvalue()


def test_run_eval_on_a_missing_gold_file_is_a_one_line_error_and_exit_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_eval([tmp_path / "absent.jsonl"], out, err=err) == 2
    message = err.getvalue()
    assert message.count("\n") == 1 and "not found" in message and "absent.jsonl" in message
    assert out.getvalue() == ""


def test_run_eval_on_a_gold_line_that_is_not_json_names_the_line_and_exits_2(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "ok", "labels": []}\n{broken\n')
    err = io.StringIO()
    assert run_eval([gold], io.StringIO(), err=err) == 2
    assert "gold.jsonl:2" in err.getvalue()
