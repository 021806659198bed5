"""The finance office's web console (控制台): Chinese, signed-in, role-checked.

A thin front end over the same services as the command line: every page reads
the read model or calls a ledger function; the acting user of every recorded
fact is the signed-in account.
"""
