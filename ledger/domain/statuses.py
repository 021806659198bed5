"""The statuses a payment and a batch pass through, and the sets of them rules ask about.

One home: the payroll, the reports, the bank export and the aggregates used to spell these
sets each on their own, and a status added to one copy would be missed by the others.
"""

from __future__ import annotations

PAYMENT_STATUSES = ("draft", "approved", "exported", "settled", "returned", "withdrawn")
"""A payment line's status in the read model, in the order a line passes through them."""
PAID = ("approved", "exported", "settled", "returned")
"""Payment statuses of a line that was paid or is being paid: approved, never withdrawn."""
SENT = ("exported", "settled", "returned")
"""Payment statuses of a line that went to the bank in a file."""

BATCH_STATUSES = ("draft", "approved", "exported", "reconciled", "discarded")
"""A batch's status, in the order a batch passes through them (a draft may be discarded)."""
BATCH_APPROVED = ("approved", "exported", "reconciled")
"""Batch statuses that paid (a draft or a discarded draft did not); only these are exported."""
BATCH_OPEN = ("approved", "exported")
"""Approved batches the bank's results may still reconcile."""
