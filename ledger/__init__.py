"""Event-sourced benefits payment ledger for a county civil-affairs bureau (民政局)."""
