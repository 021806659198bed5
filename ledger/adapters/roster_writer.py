"""Writing roster files in the import format (used by the demo, tests and benchmarks)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ledger.adapters.private_files import write_private_file
from ledger.adapters.roster import ROSTER_COLUMNS


def write_roster_csv(path: Path, rows: Iterable[Mapping[str, Any]], *, chinese: bool = True,
                     encoding: str = "utf-8") -> Path:
    """One row per mapping keyed by the English column names; missing keys are left empty."""
    keys = list(ROSTER_COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([ROSTER_COLUMNS[k] if chinese else k for k in keys])
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row[k] for k in keys])
    write_private_file(path, out.getvalue().encode(encoding))  # it holds ID numbers
    return path
