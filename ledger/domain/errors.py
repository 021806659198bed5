"""Business refusals (exit 1 on the command line) and input that names nothing (exit 2).

Bad input is a ValueError (exit 2); a refusal by a business rule is a LedgerRefusal (exit 1).
"""


class LedgerRefusal(Exception):
    """Raised when a command is refused by a business rule (exit 1)."""


class NotFoundError(ValueError):
    """Raised when a case, batch, payment, relief or CPI record does not exist.

    Bad input, not a refusal: the id or number given names nothing (exit 2, as the
    command line's exit codes say), and no rule was asked.
    """


class DuplicateEnrolmentError(LedgerRefusal):
    """Raised when a person would be in dibao (as applicant) and tekun at once."""


class StandardBelowMinimumError(LedgerRefusal):
    """Raised when a tekun basic standard is below 1.3 × dibao and was not forced."""


class MakerCheckerError(LedgerRefusal):
    """Raised when the approver is the user who made the draft (or the first approver)."""


class BatchStateError(LedgerRefusal):
    """Raised when a batch is not in the state the command needs."""


class ReliefError(LedgerRefusal):
    """Raised when a temporary relief grant breaks the multiple or approval rules."""


class CaseStateError(LedgerRefusal):
    """Raised when a case change does not fit the case (exited, wrong programme)."""


class RunSupersededError(BatchStateError):
    """Raised when a newer run of the same batch started while this one was recording."""


class WorkerLostError(RuntimeError):
    """A payroll worker process died (killed, out of memory) before handing back its part.

    Not a refusal: the run stopped part-way and is safe to run again.
    """
