"""The Case aggregate: one person (or household) in one programme.

Events are named in the past tense and carry an effective month where the fact
has one; the recorded time is the event's timestamp. Each event knows how to
apply itself to a :class:`CaseRecord`, which the case read model reuses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord, Graduation
from ledger.domain.errors import CaseStateError
from ledger.domain.household import (
    MemberChange,
    corrected,
    members_in_force,
    reads,
    recorded_details,
)
from ledger.domain.member_classes import ClassFact, check_classification, recorded
from ledger.domain.money import Fen


class Case(Aggregate):
    """A case in payment, with its complete history of facts."""

    record: CaseRecord

    class Event(Aggregate.Event):
        by: str

        def apply_to(self, record: CaseRecord) -> None:
            record.seq += 1

        def apply(self, aggregate: Any) -> None:
            self.apply_to(aggregate.record)

    class Enrolled(Aggregate.Created):
        by: str
        programme: str
        name: str
        id_number: str
        person_key: str
        birth_date: date
        town: str
        village: str
        area: str | None
        household_size: int | None
        income_per_capita: int | None
        disability_grade: int | None
        care_level: str | None
        registered_poor: bool
        bank_name: str
        bank_account: str
        start_month: Month

        def new_record(self) -> CaseRecord:
            return CaseRecord(
                case_id=self.originator_id.hex,
                programme=self.programme,
                name=self.name,
                id_number=self.id_number,
                birth_date=self.birth_date,
                town=self.town,
                village=self.village,
                registered_poor=self.registered_poor,
                bank_name=self.bank_name,
                bank_account=self.bank_account,
                start_month=self.start_month,
                enrolment={
                    "area": self.area,
                    "household_size": self.household_size,
                    "income_per_capita": self.income_per_capita,
                    "disability_grade": self.disability_grade,
                    "care_level": self.care_level,
                },
                seq=1,
            )

        def apply(self, aggregate: Any) -> None:
            aggregate.record = self.new_record()

    def __init__(self, **kwargs: Any) -> None:
        """The record is built by Enrolled.apply, so the read model can build it the same way."""

    @classmethod
    def enrol(cls, case_id: Any, **fields: Any) -> Case:
        return cls._create(cls.Enrolled, id=case_id, **fields)

    class FactsChanged(Event):
        """Income / household reassessed, care level or disability grade or area changed."""

        effective: Month
        values: dict[str, Any]
        reason: str

        def apply_to(self, record: CaseRecord) -> None:
            record.change(self.effective, self.values)

    class BankAccountChanged(Event):
        bank_name: str
        bank_account: str

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.bank_name = self.bank_name
            record.bank_account = self.bank_account
            record.bank_changed_seq = record.seq

    class PayeeNameCorrected(Event):
        """The payee's name as it was mistyped, corrected (更正). It is the account holder's
        name (户名) the bank checks, so it counts as a change of the bank instruction: a
        payment the bank returned before it (户名不符) is paid again in the next payroll."""

        name: str
        reason: str

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.name = self.name
            record.bank_changed_seq = record.seq

    class Exited(Event):
        effective: Month
        reason: str

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.exit_month = self.effective
            record.exit_reason = self.reason

    class GraduationStarted(Event):
        effective: Month
        base: int
        months: int
        taper: list[Decimal]

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.graduations.append(
                Graduation(self.effective, self.base, self.months, tuple(self.taper))
            )

    class GraduationCancelled(Event):
        effective: Month

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.cancel_graduation(self.effective)

    class TimeNoted(Event):
        """A note of what time alone brought, kept in the case's history (never money)."""

        effective: Month
        description: str

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.bands.append(f"{self.effective} {self.description}")

    class AgeBandReached(TimeNoted):
        """Informational: time alone moved the person into a band or past a limit."""

    class GraduationCompleted(TimeNoted):
        """Informational: by the facts known when the sweep ran, a graduation ran its course.

        Money never follows this note: graduations are derived from the facts, so a fact
        recorded later that cancels the graduation still counts (SPEC: order never matters).
        """

    class Reviewed(Event):
        """A periodic review (动态管理) took place; ``household_class`` None keeps the class."""

        on: date
        outcome: str
        household_class: str | None

    # --- commands -------------------------------------------------------------
    def check_open(self) -> None:
        if self.record.exit_month is not None:
            raise CaseStateError(
                f"case {self.id.hex} exited from {self.record.exit_month}; no further changes"
            )

    def check_in_payment_at(self, effective: Month) -> None:
        """Refuse a change effective once the case has exited; an earlier one still counts.

        A correction of a month before the exit is accepted whether the exit was recorded
        before or after it: the same facts give the same money (SPEC: order never matters).
        """
        exit_month = self.record.exit_month
        if exit_month is not None and effective >= exit_month:
            raise CaseStateError(
                f"case {self.id.hex} exited from {exit_month}; a change from {effective} has "
                f"no effect"
            )

    def change_facts(self, effective: Month, values: dict[str, Any], reason: str, by: str) -> None:
        self.check_in_payment_at(effective)
        if effective < self.record.start_month:
            raise CaseStateError(
                f"effective month {effective} is before the case started ({self.record.start_month})"
            )
        self.trigger_event(self.FactsChanged, effective=effective, values=values, reason=reason, by=by)

    def change_bank_account(self, bank_name: str, bank_account: str, by: str) -> None:
        self.trigger_event(self.BankAccountChanged, bank_name=bank_name,
                           bank_account=bank_account, by=by)

    def correct_name(self, name: str, reason: str, by: str) -> bool:
        """Correct the payee's name; False when it already reads so. Allowed after an exit:
        a returned payment of a closed case is still paid again under the right name."""
        if not name.strip():
            raise CaseStateError("a name cannot be empty")
        if not reason.strip():
            raise CaseStateError("a correction says why (reason)")
        if name == self.record.name:
            return False
        self.trigger_event(self.PayeeNameCorrected, name=name, reason=reason, by=by)
        return True

    def exit(self, effective: Month, reason: str, by: str) -> None:
        """End payment from ``effective``; a later exit with an earlier month corrects it.

        The earliest exit recorded is the one in force, whatever order exits were recorded in.
        """
        if effective < self.record.start_month:
            effective = self.record.start_month
        self.check_in_payment_at(effective)
        self.trigger_event(self.Exited, effective=effective, reason=reason, by=by)

    def start_graduation(self, effective: Month, base: Fen, months: int,
                         taper: tuple[Decimal, ...], by: str) -> None:
        self.trigger_event(self.GraduationStarted, effective=effective, base=base,
                           months=months, taper=list(taper), by=by)

    def cancel_graduation(self, effective: Month, by: str) -> None:
        self.trigger_event(self.GraduationCancelled, effective=effective, by=by)

    def note_graduation_completed(self, effective: Month, description: str, by: str) -> None:
        self.trigger_event(self.GraduationCompleted, effective=effective,
                           description=description, by=by)

    def note_age_band(self, effective: Month, description: str, by: str) -> None:
        self.trigger_event(self.AgeBandReached, effective=effective, description=description, by=by)

    def review(self, on: date, outcome: str, household_class: str | None, by: str) -> None:
        self.check_open()
        self.trigger_event(self.Reviewed, on=on, outcome=outcome,
                           household_class=household_class, by=by)

    # --- household members (dibao; ledger/domain/household.py) -------------------------------------
    class MemberAdded(Event):
        """A person counted in the household (纳入) from ``from_month``."""

        id_number: str
        person_key: str
        name: str
        relation: str
        from_month: Month
        birth_date: date

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.members.append(MemberChange(
                self.person_key, self.from_month, record.seq, True, self.id_number, self.name,
                self.relation, self.birth_date))

    class MemberRemoved(Event):
        """A person no longer counted in the household (减员) from ``from_month``."""

        person_key: str
        from_month: Month
        reason: str

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.members.append(MemberChange(self.person_key, self.from_month, record.seq,
                                               False, reason=self.reason))

    def add_member(self, id_number: str, person_key: str, name: str, relation: str,
                   from_month: Month, birth_date: date, by: str) -> None:
        if self.record.programme != "dibao":
            raise CaseStateError("members are recorded for dibao households only")
        if from_month < self.record.start_month:
            raise CaseStateError(f"a member cannot be added from {from_month}, before the case "
                                 f"started ({self.record.start_month})")
        self.check_in_payment_at(from_month)
        self.trigger_event(self.MemberAdded, id_number=id_number, person_key=person_key,
                           name=name, relation=relation, from_month=from_month,
                           birth_date=birth_date, by=by)

    def remove_member(self, person_key: str, from_month: Month, reason: str, by: str) -> None:
        if person_key not in {m.person_key for m in members_in_force(self.record.members,
                                                                     from_month)}:
            raise CaseStateError(f"not a member of household {self.id.hex} in {from_month}")
        self.check_in_payment_at(from_month)
        self.trigger_event(self.MemberRemoved, person_key=person_key, from_month=from_month,
                           reason=reason, by=by)

    class MemberCorrected(Event):
        """A member's recorded name or relation corrected (更正): a typing error, not a
        change on a date, so it holds for every month (``household.corrected``)."""

        person_key: str
        name: str
        relation: str
        reason: str

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.members = corrected(record.members, self.person_key, self.name, self.relation)

    def correct_member(self, person_key: str, name: str, relation: str, reason: str,
                       by: str) -> bool:
        """Correct a recorded member's name or relation; False when they already read so.

        Allowed after the household exited too: it changes no amount, and the record of who
        was paid for should read right for as long as it is kept.
        """
        if recorded_details(self.record.members, person_key) is None:
            raise CaseStateError(f"not a recorded member of household {self.id.hex}")
        if not reason.strip():
            raise CaseStateError("a correction says why (reason)")
        if reads(self.record.members, person_key, name, relation):
            return False  # every period of theirs already reads so
        self.trigger_event(self.MemberCorrected, person_key=person_key, name=name,
                           relation=relation, reason=reason, by=by)
        return True

    class MemberClassified(Event):
        """A member carries ``classification`` (分类施保) from ``from_month`` to ``until_month``."""

        person_key: str
        classification: str
        from_month: Month
        until_month: Month | None

        def apply_to(self, record: CaseRecord) -> None:
            super().apply_to(record)
            record.classes.append(ClassFact(self.person_key, self.classification,
                                            self.from_month, self.until_month, record.seq))

    def classify_member(self, person_key: str, classification: str, from_month: Month,
                        until_month: Month | None, by: str) -> bool:
        """Record a classification; False when that very fact is already recorded."""
        check_classification(classification, from_month, until_month)
        if person_key not in {m.person_key for m in members_in_force(self.record.members, from_month)}:
            raise CaseStateError(f"only a member in force is classified, in {from_month}")
        self.check_in_payment_at(from_month)
        if recorded(self.record.classes, person_key, classification, from_month, until_month):
            return False
        self.trigger_event(self.MemberClassified, person_key=person_key, by=by,
                           classification=classification, from_month=from_month, until_month=until_month)
        return True
