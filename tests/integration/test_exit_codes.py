"""Exit codes of the rules that were answered as bad input or as success.

dibao and tekun for one person is a business rule (exit 1) whether the two rows are
in one roster file or in two imports; a bank result that conflicts with an earlier
one is refused (exit 1) and the rest of the file still applies.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from click.testing import CliRunner

from ledger.cli.main import main
from ledger.services.runtime import Runtime
from tests import county
from tests.integration.test_bank_roundtrip import (
    events,
    export,
    january,
    results_csv,
    run,
    statuses,
    transfers,
)

__all__ = ["january"]


def _import(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["roster", "import", str(path), "--today", "2024-12-31",
                                       "--by", "clerk"])
    return result.exit_code, result.stderr


def _cases(rt: Runtime) -> int:
    from sqlalchemy import func, select

    from projections import schema

    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.cases)).scalar_one()


def test_dibao_and_tekun_in_one_roster_file_is_refused_with_exit_1(rt: Runtime,
                                                                     tmp_path: Path) -> None:
    county.set_standards(rt.app)
    both = county.write(tmp_path / "both.csv", [county.row(1, "dibao"), county.row(1, "tekun")])
    before = events(rt)
    code, err = _import(both)
    assert code == 1, err
    assert "both dibao and tekun" in err and "1 refused by the rules" in err
    assert county.person(1) not in err
    assert events(rt) == before and _cases(rt) == 0


def test_dibao_and_tekun_across_two_imports_is_refused_with_exit_1(rt: Runtime,
                                                                     tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert _import(county.write(tmp_path / "a.csv", [county.row(1, "dibao")]))[0] == 0
    before = events(rt)
    code, err = _import(county.write(tmp_path / "b.csv", [county.row(1, "tekun")]))
    assert code == 1, err
    assert "cannot be in dibao and tekun at the same time" in err
    assert events(rt) == before and _cases(rt) == 1


def test_a_malformed_row_beside_the_refusal_is_still_bad_input(rt: Runtime,
                                                                tmp_path: Path) -> None:
    county.set_standards(rt.app)
    bad = county.row(2, "dibao") | {"household_size": "many"}
    code, err = _import(county.write(tmp_path / "c.csv",
                                     [county.row(1, "dibao"), county.row(1, "tekun"), bad]))
    assert code == 2, err
    assert "both dibao and tekun" in err and "保障人数" in err


def test_a_result_that_conflicts_with_an_earlier_one_is_refused_and_the_rest_applies(
        rt: Runtime, january: UUID, tmp_path: Path) -> None:
    export(january, tmp_path / "jan.csv")
    refs = [row[8] for row in transfers(tmp_path / "jan.csv").values()]
    first = results_csv(tmp_path / "r1.csv", [(refs[0], "成功", "")])
    assert run("bankfile", "import-results", str(first), by="cashier")[0] == 0
    before = events(rt)

    later = results_csv(tmp_path / "r2.csv", [(refs[0], "失败", "账户冻结"), (refs[1], "成功", "")])
    code, out, err = run("bankfile", "import-results", str(later), by="cashier")
    assert code == 1, err
    assert f"{later}:2: payment: payment {refs[0]} was already reported settled" in err
    assert "1 line(s) rejected, listed above; the rest of the file was applied" in err
    assert "1 settled, 0 returned" in out
    now = statuses(rt, january)
    assert (now[refs[0]], now[refs[1]]) == ("settled", "settled")
    assert events(rt) == before + 1  # only the second line's settlement


def test_conflicting_results_within_one_file_are_refused_with_exit_1(
        rt: Runtime, january: UUID, tmp_path: Path) -> None:
    export(january, tmp_path / "jan.csv")
    refs = [row[8] for row in transfers(tmp_path / "jan.csv").values()]
    before = events(rt)
    both = results_csv(tmp_path / "r.csv", [(refs[0], "成功", ""), (refs[0], "失败", "")])
    code, _, err = run("bankfile", "import-results", str(both), by="cashier")
    assert code == 1, err
    assert "conflicting results on lines 2, 3" in err and "nothing was applied" in err
    assert events(rt) == before


def test_an_id_that_names_nothing_is_bad_input_with_exit_2_and_records_nothing(
        rt: Runtime) -> None:
    missing = "0123456789abcdef0123456789abcdef"
    before = rt.app.recorder.max_notification_id()
    for args in (["payroll", "show", missing], ["trace", missing],
                 ["case", "exit", missing, "--from", "2024-02", "--reason", "x", "--by", "clerk"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("not found: "), (args, result.stderr)
        assert "Traceback" not in result.output
    shown = CliRunner().invoke(main, ["payroll", "show", missing, "--json"])
    assert shown.exit_code == 2
    assert '"exit": 2' in shown.stdout and '"error": "not found: no batch' in shown.stdout
    assert rt.app.recorder.max_notification_id() == before
