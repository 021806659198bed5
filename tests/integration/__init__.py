"""Tests against real storage, each on SQLite and PostgreSQL (a few pure ones sit beside the storage tests they support)."""
