"""Alembic migrations of the read-model tables."""
