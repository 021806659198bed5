"""`ledger report funds` and `ledger report roster`."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.adapters.output_files import check_outputs, ledger_files
from ledger.cli.support import emit, handled, json_option, runtime
from ledger.domain.calendar import Month

force_option = click.option("--force", is_flag=True,
                            help="replace an existing file (never the ledger's own database)")


@click.group()
def report() -> None:
    """Reports: fund totals and the monthly roster (花名册)."""


@report.command("funds")
@click.option("--year", type=int, required=True)
@json_option
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None)
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), default=None)
@force_option
@handled
def funds(year: int, as_json: bool, csv_path: Path | None, xlsx_path: Path | None,
          force: bool) -> None:
    """Paid, returned, net and payments by programme, month and town, from the journal."""
    from ledger.adapters.report_files import funds_csv, funds_xlsx
    from projections.reports import funds_report

    with runtime() as rt:
        protected = ledger_files(rt.settings)
        check_outputs((csv_path, xlsx_path), force=force, protected=protected)
        rt.read_model.catch_up()
        with rt.engine.connect() as conn:
            data = funds_report(conn, year)
    if csv_path:
        funds_csv(csv_path, data, force=force, protected=protected)
    if xlsx_path:
        funds_xlsx(xlsx_path, data, force=force, protected=protected)

    def text() -> None:
        click.echo(f"{'programme':<20} {'paid':>14} {'returned':>12} {'net':>14} {'payments':>9}")
        for programme, t in data["programmes"].items():
            click.echo(f"{programme:<20} {t['paid']:>14} {t['returned']:>12} {t['net']:>14} "
                       f"{t['payments']:>9}")

    emit(data, as_json, text)


@report.command("roster")
@click.option("--month", required=True)
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None)
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), default=None)
@force_option
@handled
def roster(month: str, csv_path: Path | None, xlsx_path: Path | None, force: bool) -> None:
    """The month's payments by town and village, ID numbers masked."""
    from ledger.adapters.report_files import roster_csv, roster_xlsx
    from projections.reports import ROSTER_HEADER, roster_rows, roster_total

    when = str(Month.parse(month))
    with runtime() as rt:
        protected = ledger_files(rt.settings)
        check_outputs((csv_path, xlsx_path), force=force, protected=protected)
        rt.read_model.catch_up()
        with rt.engine.connect() as conn:
            rows = roster_rows(conn, when)
    total = roster_total(rows)
    if csv_path:
        roster_csv(csv_path, ROSTER_HEADER, [*rows, total], force=force, protected=protected)
    if xlsx_path:
        # the XLSX writes its own 小计 and 合计
        roster_xlsx(xlsx_path, ROSTER_HEADER, rows, force=force, protected=protected)
    if not csv_path and not xlsx_path:
        click.echo(",".join(ROSTER_HEADER))
        for row in (*rows, total):
            click.echo(",".join(row))
    else:
        click.echo(f"{len(rows)} roster lines for {when} written")


@report.command("monthly")
@click.option("--month", required=True)
@json_option
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), default=None)
@handled
def monthly(month: str, as_json: bool, xlsx_path: Path | None) -> None:
    """Monthly statistics (月报): households, people, paid, average per person, new, ended."""
    from ledger.adapters.monthly_report_file import monthly_xlsx
    from projections.monthly_statistics import monthly_statistics

    when = Month.parse(month)
    with runtime() as rt:
        rt.read_model.catch_up()
        with rt.engine.connect() as conn:
            data = monthly_statistics(conn, when)
    if xlsx_path:
        monthly_xlsx(xlsx_path, data)

    def text() -> None:
        click.echo(f"{'programme':<20} {'area':<6} {'households':>10} {'people':>7} "
                   f"{'paid':>14} {'per person':>10} {'new':>5} {'ended':>5}")
        for r in data["rows"]:
            click.echo(f"{r['programme']:<20} {r['area']:<6} {r['households']:>10} "
                       f"{r['people']:>7} {r['paid']:>14} {r['average_per_person']:>10} "
                       f"{r['new']:>5} {r['ended']:>5}")

    emit(data, as_json, text)
