"""``sitrep replay``'s command line: help text and the usage errors caught before any broker is contacted."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from sitrep.commands import replay


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(rich_markup_mode="markdown")

    @app.callback()
    def main() -> None:
        """sitrep (test harness)."""

    replay.register(app)
    return app


def run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["replay", *args], env={"COLUMNS": "200"})
    # Rich draws boxes around the help and errors; compare the words only.
    return result.exit_code, re.sub(r"[\s│╭╮╰╯─]+", " ", result.output)


def test_help_names_every_option_and_explains_the_cost_of_a_partial_range(app: typer.Typer) -> None:
    code, text = run(app, "--help")
    assert code == 0
    for option in (
        "--topic",
        "--from-beginning",
        "--from-offset",
        "--since",
        "--until",
        "--partition",
        "--mode",
        "--rules",
        "--dry-run",
        "--batch-size",
        "--no-progress",
        "--publish",
        "--no-publish",
        "--reset-worker-group",
    ):
        assert option in text, option
    assert "rebuild|recurate" in text
    assert "costs a read (and classification) from the beginning" in text
    assert "never touched" in text  # the live worker's offsets


def test_a_start_is_required(app: typer.Typer) -> None:
    code, text = run(app)
    assert code == 2
    assert "choose exactly one of --from-beginning, --from-offset N, --since ISO" in text


def test_two_starts_are_refused(app: typer.Typer) -> None:
    code, text = run(app, "--from-beginning", "--from-offset", "3")
    assert code == 2
    assert "choose exactly one" in text


def test_a_bad_datetime_is_a_usage_error_that_says_what_is_expected(app: typer.Typer) -> None:
    code, text = run(app, "--since", "last tuesday")
    assert code == 2
    assert "not an ISO 8601 datetime" in text


def test_an_end_before_the_start_is_refused(app: typer.Typer) -> None:
    code, text = run(app, "--since", "2025-07-08T10:00", "--until", "2025-07-08T09:00+00:00")
    assert code == 2
    assert "--until must be later than --since" in text


def test_a_rebuild_does_not_publish(app: typer.Typer) -> None:
    code, text = run(app, "--from-beginning", "--publish")
    assert code == 2
    assert "use --mode recurate" in text


def test_an_unknown_mode_is_refused(app: typer.Typer) -> None:
    code, _ = run(app, "--from-beginning", "--mode", "rewrite")
    assert code == 2


def test_rewinding_the_worker_group_refuses_options_that_only_a_local_replay_uses(app: typer.Typer) -> None:
    code, text = run(app, "--from-beginning", "--reset-worker-group", "--mode", "recurate")
    assert code == 2
    assert "re-reads with its own classifier" in text
