"""The payroll's fast path writes and reads new payments as the library's mapper would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Notification, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.adapters import payment_codec
from ledger.adapters.event_authentication import EventAuthenticationError
from ledger.adapters.payment_codec import RecordedPayment
from ledger.bootstrap import open_runtime
from ledger.domain.calendar import Month
from ledger.domain.payment import Payment, payment_recorded

WHEN = datetime(2024, 3, 5, 8, 30, 15, 123456, tzinfo=UTC)
text = st.text(min_size=0, max_size=12)
hexes = st.builds(lambda: uuid4().hex)


@st.composite
def payments(draw: st.DrawFn) -> RecordedPayment:
    return RecordedPayment(
        uuid4().hex, uuid4().hex, uuid4().hex, draw(st.sampled_from(["dibao", "tekun"])),
        draw(st.sampled_from(["regular", "arrears", "reissue"])),
        str(Month(draw(st.integers(2000, 2099)), draw(st.integers(1, 12)))),
        draw(st.integers(-10**9, 10**9)), draw(st.integers(0, 10**9)), draw(text),
        tuple(draw(st.lists(hexes, max_size=3))), draw(text), draw(text), draw(text),
        draw(text), draw(text), draw(text), draw(text))


def _reference(p: RecordedPayment) -> Payment.Recorded:
    return payment_recorded(
        UUID(p.payment_id), timestamp=WHEN, batch_id=UUID(p.batch_id), case_id=UUID(p.case_id),
        programme=p.programme, kind=p.kind, for_month=Month.parse(p.for_month), amount=p.amount,
        transfer=p.transfer, formula=p.formula, reissue_of=[UUID(h) for h in p.reissue_of],
        name=p.name, id_number=p.id_number, bank_name=p.bank_name,
        bank_account=p.bank_account, town=p.town, village=p.village, by=p.by)


def _notification(stored: object, position: int = 7) -> Notification:
    return Notification(id=position, originator_id=stored.originator_id,  # type: ignore[attr-defined]
                        originator_version=stored.originator_version,  # type: ignore[attr-defined]
                        topic=stored.topic, state=stored.state)  # type: ignore[attr-defined]


@pytest.fixture(scope="module", params=["plain", "encrypted"])
def mapper(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    key = AESCipher.create_key(32) if request.param == "encrypted" else ""
    path: Path = tmp_path_factory.mktemp("codec") / "ledger.db"
    rt = open_runtime(f"sqlite:///{path}", init=True, cipher_key=key)
    yield rt.app.mapper
    rt.close()


@settings(max_examples=60, deadline=None)
@given(p=payments())
def test_fast_encoding_reads_back_as_the_librarys_own_event(mapper, p: RecordedPayment) -> None:  # noqa: ANN001
    stored = payment_codec.encode(mapper, p, WHEN)
    reference = mapper.to_stored_event(_reference(p))
    assert (stored.originator_id, stored.originator_version, stored.topic) == (
        reference.originator_id, reference.originator_version, reference.topic)
    if mapper.cipher is None:
        assert stored.state == reference.state  # byte for byte
    else:
        # With the key, both end in a tag over id, version, topic and ciphertext, which each
        # must carry and which must verify; under them, the same plaintext (fresh nonces).
        auth = mapper.authenticator
        assert stored.state != reference.state
        assert mapper.cipher.decrypt(auth.opened(stored)) == mapper.cipher.decrypt(
            auth.opened(reference))
        moved = StoredEvent(originator_id=uuid4(), originator_version=1, topic=stored.topic,
                            state=stored.state)  # the same bytes under another payment's id
        with pytest.raises(EventAuthenticationError):
            payment_codec.decode(mapper, _notification(moved))
        with pytest.raises(EventAuthenticationError):
            mapper.to_domain_event(moved)
    event = mapper.to_domain_event(stored)
    assert vars(event) == vars(_reference(p))
    assert payment_codec.decode(mapper, _notification(reference)) == p
    assert RecordedPayment.of_event(event) == p
