"""Business refusals. The CLI maps these to exit 1; bad input is a ValueError (exit 2)."""


class LedgerRefusal(Exception):
    """Raised when a command is refused by a business rule (exit 1)."""


class NotFoundError(LedgerRefusal):
    """Raised when a case, batch, payment or relief does not exist."""


class DuplicateEnrolmentError(LedgerRefusal):
    """Raised when a person would be in dibao (as applicant) and tekun at once."""


class StandardBelowMinimumError(LedgerRefusal):
    """Raised when a tekun basic standard is below 1.3 × dibao without --force."""


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
