"""What every service is handed: the application (event store), the read-model engine, the projections.

Services receive a Runtime; they never open one. The composition root (ledger.bootstrap) builds it,
so a test can hand a service a runtime over any store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ledger.adapters.application import Ledger
from ledger.adapters.settings import Settings
from ledger.adapters.worker_processes import default_workers
from projections.read_model import ReadModel


@dataclass
class Runtime:
    settings: Settings
    app: Ledger
    engine: Engine
    read_model: ReadModel

    def workers(self, asked: int | None = None) -> int:
        """Worker processes for a payroll or a catch-up: ``asked``, else the
        ``LEDGER_PAYROLL_WORKERS`` setting, else one per core."""
        return asked or self.settings.payroll_workers or default_workers()

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()
