"""The SQLite schema of a PulseStore and how a connection to it is opened."""

from __future__ import annotations

import logging
import sqlite3

from tiintel._exceptions import ConfigurationError

logger = logging.getLogger("tiintel.hunt")

SCHEMA_VERSION = 2

# Pulses keep their API JSON without the indicators (those live, normalised, in `indicators`),
# so rebuilding a Pulse for a lookup stays cheap even for pulses with thousands of indicators.
SCHEMA = """
CREATE TABLE IF NOT EXISTS pulses (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    modified TEXT,
    indicator_count INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS indicators (
    pulse_id TEXT NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    type TEXT,
    otx_type TEXT,
    expiration REAL,
    is_active INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS indicators_value ON indicators(value);
CREATE INDEX IF NOT EXISTS indicators_pulse ON indicators(pulse_id);
CREATE TABLE IF NOT EXISTS sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    watermark TEXT,
    events_watermark TEXT,
    last_started TEXT,
    last_completed TEXT,
    status TEXT,
    last_error TEXT,
    pulses_seen INTEGER NOT NULL DEFAULT 0,
    pulses_written INTEGER NOT NULL DEFAULT 0,
    indicators_written INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO sync_state (id) VALUES (1);
"""


def connect(target: str, *, uri: bool) -> tuple[sqlite3.Connection, str]:
    """Open one connection; return it and the journal mode actually in force.

    WAL lets readers (lookups from a thread pool) run while a sync writes. Some filesystems
    (network mounts, some container overlays) refuse it; the default rollback journal is the
    fallback, which is slower under contention but correct.
    """
    # check_same_thread=False only so that close() may close every thread's connection;
    # each connection is otherwise used by the one thread that opened it.
    conn = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
    except sqlite3.OperationalError as exc:
        logger.debug("WAL refused (%s); using the rollback journal", exc)
        mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode == "wal":
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn, mode


def create(conn: sqlite3.Connection) -> None:
    """Create the tables if they are missing and check the schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise ConfigurationError(
            f"pulse store schema {version} is newer than this tiintel ({SCHEMA_VERSION})"
        )
    conn.executescript(SCHEMA)
    if version == 1:  # version 2 follows subscription events
        conn.execute("ALTER TABLE sync_state ADD COLUMN events_watermark TEXT")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
