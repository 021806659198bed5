"""One thing wrong in an input file (roster, members list, bank results), located like a
compiler error: every reader reports with this one type, so every front end shows them alike."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.identity import mask_numbers


@dataclass(frozen=True, slots=True)
class Problem:
    """``file:row: column: problem`` — the row is the file's 1-based line (CSV) or row (XLSX),
    or for XML the source line of the element."""

    file: str
    row: int
    column: str
    problem: str
    refused: bool = False
    """A well-formed row a business rule refuses (dibao and tekun in one file): exit 1, not 2."""
    more: int = 0
    """On the last, summary problem only: how many further problems were counted, not listed."""

    def __str__(self) -> str:
        """The line every front end prints; an ID or account number in it is masked, wherever
        it came from (a file's name, a header cell, a bank's reason)."""
        return mask_numbers(f"{self.file}:{self.row}: {self.column}: {self.problem}")
