"""A click parameter type for free-text options: the text-field rule at the command line.

The rule itself is :mod:`ledger.domain.text_fields`; this only words a refusal as a
usage error naming the option (exit 2), before anything is opened or recorded.
"""

from __future__ import annotations

import click

from ledger.domain.text_fields import text_problem


class TextField(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click stubs
    """A name, town, village, bank name, reason or reference typed as an option."""

    name = "text"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        text = str(value)
        problem = text_problem(text)
        if problem is not None:
            self.fail(problem, param, ctx)
        return text


TEXT = TextField()
