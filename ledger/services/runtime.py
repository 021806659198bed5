"""What every service is handed: the application (event store), the read-model engine, the projections.

Services receive a Runtime; they never open one. The composition root (ledger.bootstrap) builds it,
so a test can hand a service a runtime over any store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ledger.adapters.application import Ledger
from ledger.adapters.settings import Settings
from projections.read_model import ReadModel


@dataclass
class Runtime:
    settings: Settings
    app: Ledger
    engine: Engine
    read_model: ReadModel

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()
