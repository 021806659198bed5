"""The `ledger` command line: one module per command group (parse, call a service, print, exit)."""
