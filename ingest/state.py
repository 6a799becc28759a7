"""What ``sitrep ingest --follow`` has already sent, remembered across restarts.

A small SQLite file (stdlib ``sqlite3``; one writer, the ingest process) keyed by
``(source, report id)``. A report is recorded only after the broker confirmed it, so a crash
between delivery and recording re-sends it once; that is fine because delivery is at-least-once
anyway and the pipeline dedupes by report id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType

STATE_FILE = "ingest-state.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    source    TEXT NOT NULL,
    report_id TEXT NOT NULL,
    sent_at   TEXT NOT NULL,
    PRIMARY KEY (source, report_id)
) WITHOUT ROWID
"""


class SentStore:
    """Persistent set of ``(source, report id)`` pairs that were delivered.

    ``source`` is the stable name of where the report came from (a resolved path or a feed URL).
    Open with :meth:`open`; close (or use as a context manager) when done.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, path: Path) -> SentStore:
        """Open (creating the file and its parent directory if needed) the store at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path)
        # WAL + NORMAL: a committed batch survives a process crash, and reads never block the writer.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_SCHEMA)
        connection.commit()
        return cls(connection)

    def was_sent(self, source: str, report_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sent WHERE source = ? AND report_id = ?", (source, report_id)
        ).fetchone()
        return row is not None

    def mark_sent(self, source: str, report_ids: Iterable[str], *, at: datetime) -> None:
        """Record ``report_ids`` from ``source`` as delivered (one transaction; repeats are ignored)."""
        stamp = at.isoformat()
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO sent (source, report_id, sent_at) VALUES (?, ?, ?)",
                ((source, rid, stamp) for rid in report_ids),
            )

    def count(self, source: str | None = None) -> int:
        if source is None:
            row = self._db.execute("SELECT COUNT(*) FROM sent").fetchone()
        else:
            row = self._db.execute("SELECT COUNT(*) FROM sent WHERE source = ?", (source,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SentStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
