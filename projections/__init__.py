"""Read models of the event log (SQLAlchemy Core tables) and the runner that keeps them caught up."""
