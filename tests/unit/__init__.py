"""Pure unit tests: no database, no browser (`scripts/test --fast`)."""
