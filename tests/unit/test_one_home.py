"""Facts with one home: the masking rule, the status sets and the names shown for them."""

from __future__ import annotations

from ledger.domain import statuses
from ledger.domain.identity import mask_numbers
from ledger.domain.programme_names import STATUS_NAMES
from ledger.domain.safe_text import scrub


def test_numbers_in_a_text_are_masked_by_one_rule_wherever_the_text_is_shown() -> None:
    text = "row 3: 43102319700517001X is not 6217000012345678901, payment " + "1" * 32
    expected = ("row 3: 4310**********001X is not 6217***********8901, payment " + "1" * 32)
    assert mask_numbers(text) == expected
    assert scrub(text) == expected  # what the command line prints: the same rule
    assert mask_numbers("phone 13800138000 (11 digits) stays") == "phone 13800138000 (11 digits) stays"


def test_every_payment_status_has_a_name_and_every_status_set_is_made_of_known_statuses() -> None:
    assert set(STATUS_NAMES) == set(statuses.PAYMENT_STATUSES)
    assert set(statuses.PAID) == {"approved", "exported", "settled", "returned"}
    assert set(statuses.SENT) == {"exported", "settled", "returned"}
    assert set(statuses.BATCH_APPROVED) == {"approved", "exported", "reconciled"}
    assert set(statuses.BATCH_OPEN) <= set(statuses.BATCH_APPROVED) <= set(statuses.BATCH_STATUSES)


def test_the_console_names_every_batch_status_and_names_batch_kinds_as_their_programmes() -> None:
    from ledger.console.formats import BATCH_KINDS, BATCH_STATUS

    assert set(BATCH_STATUS) == set(statuses.BATCH_STATUSES)
    assert (BATCH_KINDS["price_subsidy"], BATCH_KINDS["relief"]) == ("价格临时补贴", "临时救助")


def test_the_payments_typed_state_names_exactly_the_facts_its_recorded_event_declares() -> None:
    """Payment.Recorded is the one declaration; the aggregate's annotations (for the type
    checker only) and the codec's RecordedPayment must follow it, name for name, type for type."""
    import ast
    import dataclasses
    import inspect

    from ledger.adapters.payment_codec import FIELDS, RecordedPayment
    from ledger.domain import payment
    from ledger.domain.event_fields import METADATA

    declared = [(f.name, str(f.type)) for f in dataclasses.fields(payment.Payment.Recorded)
                if f.name not in METADATA]
    tree = ast.parse(inspect.getsource(payment.Payment))
    block = next(node for node in ast.walk(tree)
                 if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    annotated = [(ast.unparse(a.target), ast.unparse(a.annotation)) for a in block.body
                 if isinstance(a, ast.AnnAssign)]
    assert annotated == declared
    assert list(FIELDS) == declared
    assert list(RecordedPayment._fields) == [
        "payment_id", *(name for name, _ in declared)]
