"""The execution option a read-only connection asks for.

On SQLite a transaction normally takes the write lock up front (BEGIN IMMEDIATE); a long read
that writes nothing (a bank file streamed from the read model, a verify) asks for this option
and gets a deferred transaction: a WAL snapshot that never makes writers wait.
"""

SNAPSHOT_READ = "ledger_snapshot_read"
"""Execution option: this connection only reads (on SQLite: no write lock is taken)."""
