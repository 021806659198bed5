"""The demo's PNG chart of monthly spending, drawn with matplotlib — an optional extra.

matplotlib is large and only the demo's picture needs it, so it is installed with
``pip install -e '.[chart]'`` (scripts/demo does); without it the chart is skipped.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

INSTALL_HINT = "pip install -e '.[chart]'"


def spending_chart(report: dict[str, Any], path: Path) -> Path | None:
    """A stacked bar chart of monthly net spending by programme (yuan); None without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = sorted(report["months"])
    programmes = sorted({p for by in report["months"].values() for p in by})
    fig, ax = plt.subplots(figsize=(10, 5))
    bottom = [0.0] * len(months)
    for programme in programmes:
        values = [float(Decimal(report["months"][m].get(programme, {}).get("net", "0")))
                  for m in months]
        ax.bar(months, values, bottom=bottom, label=programme)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("yuan (net of returns)")
    ax.set_title(f"Monthly spending by programme, {report['year']}")
    ax.legend(fontsize=8, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
