"""The roster file's vocabulary: its columns, their Chinese headers and accepted words.

Also the two records reading a roster produces (a valid row, a located problem) and
how a cell is quoted in a message (no full ID or account number, ever). The people,
member and death files reuse the header matching and the quoting.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from ledger.domain.calendar import Month
from ledger.domain.case_record import ROSTER_PROGRAMMES
from ledger.domain.identity import mask
from ledger.domain.programme_names import PROGRAMME_NAMES as ALL_PROGRAMME_NAMES

ROSTER_COLUMNS: dict[str, str] = {
    "programme": "项目",
    "name": "姓名",
    "id_number": "身份证号",
    "town": "乡镇",
    "village": "村居",
    "area": "城乡",
    "household_size": "保障人数",
    "income_per_capita": "家庭月人均收入",
    "disability_grade": "残疾等级",
    "care_level": "护理等级",
    "registered_poor": "建档立卡",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "start_month": "起始月份",
}
"""English key -> Chinese header, in the order a roster writer should use."""

PROGRAMME_NAMES: dict[str, str] = {key: ALL_PROGRAMME_NAMES[key] for key in ROSTER_PROGRAMMES}
"""Importable programme key -> a Chinese name the reader accepts (for writers)."""

AREA_NAMES: dict[str, str] = {"urban": "城市", "rural": "农村"}
CARE_LEVEL_NAMES: dict[str, str] = {"self": "全自理", "partial": "半护理", "full": "全护理"}

PROGRAMME_ALIASES: dict[str, str] = {
    **{key: key for key in PROGRAMME_NAMES},
    **{name: key for key, name in PROGRAMME_NAMES.items()},
    "低保": "dibao",
    "孤儿": "orphan",
    "困境儿童": "child_in_difficulty",
    "特困": "tekun",
    "特困供养": "tekun",
    "孤儿/事实无人抚养儿童基本生活费": "orphan",
    "孤儿基本生活费": "orphan",
    "事实无人抚养儿童": "orphan",
    "事实无人抚养儿童基本生活费": "orphan",
    "困境儿童基本生活费": "child_in_difficulty",
}

NOT_IMPORTABLE: dict[str, str] = {
    "temporary": "temporary (临时救助) is not importable: use ledger relief grant",
    "临时救助": "temporary (临时救助) is not importable: use ledger relief grant",
    "price_subsidy": (
        "price_subsidy (价格临时补贴) is not importable: it is paid by the price linkage job"
    ),
    "价格临时补贴": (
        "price_subsidy (价格临时补贴) is not importable: it is paid by the price linkage job"
    ),
}

ALWAYS_REQUIRED = (
    "programme",
    "name",
    "id_number",
    "town",
    "village",
    "bank_name",
    "bank_account",
    "start_month",
)

NEEDED_BY: dict[str, tuple[str, ...]] = {
    "dibao": ("area", "household_size", "income_per_capita"),
    "tekun": ("area", "care_level"),
    "disability_living": ("disability_grade",),
    "disability_care": ("disability_grade",),
    "elderly": (),
    "orphan": ("area",),
    "child_in_difficulty": (),
}
"""Columns a programme needs beyond the ones every row needs (SPEC table)."""


_HEADER_ALIASES: dict[str, str] = {
    **{key: key for key in ROSTER_COLUMNS},
    **{zh: key for key, zh in ROSTER_COLUMNS.items()},
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "银行卡号": "bank_account",
    "开户行": "bank_name",
    "城乡类别": "area",
    "月人均收入": "income_per_capita",
}

IGNORED_COLUMNS = frozenset({"序号", "编号", "no", "no.", "#", "备注", "remarks", "remark",
                              "note", "notes"})
"""Columns a roster may carry for people, never read: a row number and remarks."""

_UNSHOWN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_PARENTHESISED_SUFFIX = re.compile(r"[(（][^)）]*[)）]$")
_LONG_DIGITS = re.compile(r"\d{6,}[\dXx]*")

@dataclass(frozen=True, slots=True)
class RosterRow:
    """One valid roster line, normalized: what an enrolment is made from."""

    row: int
    programme: str
    name: str
    id_number: str
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


def shown_cell(text: str) -> str:
    """A cell value quoted for a message: long digit runs masked, long text cut.

    A shifted column can put an ID or account number anywhere, so no echoed
    value may carry one in full.
    """
    return f"'{shown_text(text)}'"


def shown_text(text: str) -> str:
    """``shown_cell`` unquoted: a header cell named as the column of a problem."""
    text = _LONG_DIGITS.sub(lambda m: mask(m.group()), text)
    text = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _UNSHOWN else ch
                   for ch in text)  # a control character would break the message line
    if len(text) > 30:
        text = text[:29] + "…"
    return text


def folded(text: str) -> str:
    """Full-width to ASCII and lower case, for matching keywords and numbers."""
    return unicodedata.normalize("NFKC", text).strip().lower()


# --- reading the file ---------------------------------------------------------


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_key(header: str, aliases: dict[str, str] | None = None) -> str | None:
    """The English key for a header as written, tolerating case, spacing and '(元)'.

    ``aliases`` are another file's headers (members, deaths); the roster's by default.
    """
    text = unicodedata.normalize("NFKC", header).strip()
    text = _PARENTHESISED_SUFFIX.sub("", text).strip()
    text = re.sub(r"[\s\-]+", "_", text.lower())
    return (_HEADER_ALIASES if aliases is None else aliases).get(text)


# --- checking rows ------------------------------------------------------------


def unknown_column(written: str) -> str:
    """Name the nearest known header, so a misspelt optional column is not silently lost."""
    key = re.sub(r"[\s\-]+", "_", folded(written))
    nearest = difflib.get_close_matches(key, list(_HEADER_ALIASES), n=1, cutoff=0.6)
    hint = f"did you mean {nearest[0]}?" if nearest else (
        "known columns: " + ", ".join(ROSTER_COLUMNS))
    return f"unknown column: {hint} (its values would be lost)"

