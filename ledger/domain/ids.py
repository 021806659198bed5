"""Deterministic identifiers.

Ids derived with uuid5 from what a thing *is* mean a second recording of the
same thing collides in the event store itself: a retried import cannot enrol a
person twice, a restarted payroll cannot pay a line twice.
"""

from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

from ledger.domain.calendar import Month

NAMESPACE = UUID("6f1c2a52-7d0e-5b8e-9a53-0c7e1c5b2d10")
_NAMESPACE_SHA1 = hashlib.sha1(NAMESPACE.bytes, usedforsecurity=False)


def case_id(person_key: str, programme: str) -> UUID:
    """One case per person and programme. ``person_key`` is the ID number or its keyed hash."""
    return uuid5(NAMESPACE, f"case:{programme}:{person_key}")


def standard_id(programme: str, category: str) -> UUID:
    return uuid5(NAMESPACE, f"standard:{programme}:{category}")


def policy_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"policy:{key}")


def cpi_id(month: Month) -> UUID:
    return uuid5(NAMESPACE, f"cpi:{month}")


def batch_id(month: Month, kind: str) -> UUID:
    return uuid5(NAMESPACE, f"batch:{month}:{kind}")


def payment_id(
    batch_month: Month, batch_kind: str, case: UUID, programme: str, line_kind: str, for_month: Month
) -> UUID:
    """The id of a payment line: the same line of the same batch always gets the same id.

    A relief line (``line_kind`` "relief", ``case`` the relief's id) has the relief's one
    payment id (:func:`relief_payment_id`), whichever batch takes it. Otherwise equal to
    ``uuid5(NAMESPACE, name)``; the namespace's hash state is computed once, as a payroll
    derives one id per line.
    """
    if line_kind == "relief":
        return relief_payment_id(case)
    h = _NAMESPACE_SHA1.copy()
    h.update(f"payment:{batch_month}:{batch_kind}:{case.hex}:{programme}:{line_kind}:"
             f"{for_month}".encode())
    return UUID(bytes=h.digest()[:16], version=5)


def relief_payment_id(relief: UUID) -> UUID:
    """The one payment a temporary relief can ever have, whichever batch (regular or relief)
    takes it: a second payment of the relief collides in the event store."""
    return uuid5(NAMESPACE, f"payment:relief:{relief.hex}")


def price_linkage_id(month: Month) -> UUID:
    return uuid5(NAMESPACE, f"price-linkage:{month}")


def campaign_id(month: Month, name: str) -> UUID:
    """One campaign per month and name: creating it again collides in the event store."""
    return uuid5(NAMESPACE, f"campaign:{month}:{name}")


def campaign_payment_id(campaign: UUID, person_key: str) -> UUID:
    """The one payment a person can ever get from a cash campaign, whichever run records it."""
    return uuid5(NAMESPACE, f"payment:campaign:{campaign.hex}:{person_key}")


def institution_id(code: str) -> UUID:
    """One institution per unified social credit code: adding it twice collides."""
    return uuid5(NAMESPACE, f"institution:{code}")
