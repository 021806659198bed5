"""The month's ``campaign`` batch: every cash campaign of the month, one line per share.

``ledger payroll run --month M --kind campaign`` builds (or refreshes, while a draft) the
batch of kind ``campaign`` of month M. Each share of each cash campaign of M
(``ledger.domain.campaign.shares``) is one line of kind and programme ``campaign``, paid
to the share's payee, whose case id is the campaign's own id (as a relief line's is the
relief's), so the bank file can name the campaign from the log. A line's payment id comes
from the campaign and the person alone (``ids.campaign_payment_id``), so running the batch
again gives the same lines and nobody is ever paid twice by one campaign. The batch is
approved, exported and reconciled like any other: by someone other than who ran it.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Connection, select

from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.campaign import PROGRAMME_KEY, Campaign, CampaignError
from ledger.domain.change_report import ChangeReport
from ledger.domain.errors import BatchStateError
from ledger.domain.payroll import Line
from ledger.services.batch_writer import CHUNK, BatchRun, Payee
from ledger.services.campaigns import recipients
from ledger.services.draft_freshness import StaleDraftError
from ledger.services.runtime import Runtime
from projections import schema

KIND = "campaign"


def cash_campaigns(rt: Runtime, conn: Connection, month: Month) -> list[Campaign]:
    """The cash campaigns of ``month``, in id order."""
    c = schema.campaigns.c
    found = conn.execute(select(c.campaign_id).where(
        c.month == str(month), c["items"] == "").order_by(c.campaign_id)).scalars().all()
    return [rt.app.load(UUID(cid), Campaign, "campaign") for cid in found]


def campaign_lines(rt: Runtime, conn: Connection,
                   campaign: Campaign) -> list[tuple[Line, Payee]]:
    """One line per share of a cash campaign, paid to the share's payee."""
    lines = []
    for share, record in recipients(rt, campaign, conn):
        lines.append((
            Line(campaign.id, PROGRAMME_KEY, KIND, campaign.month, share.amount, share.amount,
                 share.formula(campaign.terms),
                 payment_id=ids.campaign_payment_id(campaign.id, share.person_key)),
            Payee.of(record),
        ))
    return lines


def run_campaign_batch(rt: Runtime, month: Month, by: str, today: date | None = None) -> Batch:
    """Build (or refresh, while a draft) the campaign batch of ``month``."""
    from ledger.services.payroll_reads import case_snapshot, existing_lines

    if today is not None and month > Month.of(today) + 1:
        raise BatchStateError(f"a campaign batch for {month} is too early: at most the next "
                              f"calendar month ({Month.of(today) + 1})")
    with case_snapshot(rt) as (position, snapshot):
        campaigns = cash_campaigns(rt, snapshot, month)
        if not campaigns:
            raise CampaignError(f"no cash campaign for {month}: create one with "
                                "`ledger campaign create ... --amount YUAN`")
        lines = [line for campaign in campaigns for line in campaign_lines(rt, snapshot, campaign)]
        run = BatchRun(rt, month, KIND, by)
        batch = run.start(position)
        with rt.engine.connect() as conn:
            existing = existing_lines(conn, batch.id)
        run.record(lines, existing, CHUNK)
        report = ChangeReport()
        report.add((line for line, _ in lines), [], {})
        return run.complete(position, report.as_dict([]))


def check_campaigns_fresh(rt: Runtime, batch: Batch) -> None:
    """Refuse to approve a campaign draft when a cash campaign of its month came after it."""
    c = schema.campaigns.c
    with rt.engine.connect() as conn:
        later = conn.execute(select(c.name).where(
            c.month == str(batch.month), c["items"] == "", c.position > batch.position)
        ).scalars().first()
    if later is not None:
        raise StaleDraftError(
            f"campaign {later} was created after the {batch.month} campaign draft was run: "
            f"run it again (`ledger payroll run --month {batch.month} --kind campaign`), "
            "then approve")
