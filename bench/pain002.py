"""Reading a bank's pain.002 answer: seconds and peak memory for N payments.

Not a timed test: run it by hand and put the figures in the README.

    .venv/bin/python -m bench.pain002 --payments 1000000

Writes a pain.002.001.10 report of N transactions (a payment block per 100k, half with
their own status, half inheriting their block's), then reads it with
``read_bank_results`` in a fresh process and prints the time, the results and problems
found, and that process's peak memory (``ru_maxrss``), next to the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
BLOCK = 100_000

READ = """
import json, resource, sys, time
from pathlib import Path
from ledger.adapters.bankfiles.results import read_bank_results
t = time.perf_counter()
results, problems = read_bank_results(Path(sys.argv[1]))
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "results": len(results), "problems": len(problems),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_report(path: Path, payments: int) -> None:
    """The report, written a line at a time (this process never holds it)."""
    with path.open("w", encoding="utf-8") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS}">\n'
                "<CstmrPmtStsRpt>\n<GrpHdr><MsgId>BENCH</MsgId>"
                "<CreDtTm>2024-05-26T10:00:00+08:00</CreDtTm></GrpHdr>\n"
                "<OrgnlGrpInfAndSts><OrgnlMsgId>LEDGER-BENCH</OrgnlMsgId>"
                "<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART</GrpSts>"
                "</OrgnlGrpInfAndSts>\n")
        for start in range(0, payments, BLOCK):
            f.write(f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>BLOCK-{start}</OrgnlPmtInfId>"
                    "<PmtInfSts>ACSC</PmtInfSts>\n")
            for i in range(start, min(start + BLOCK, payments)):
                ref = uuid.UUID(int=i + 1).hex
                own = ("<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn>"
                       "<AddtlInf>账户已销户</AddtlInf></StsRsnInf>") if i % 2 else ""
                f.write(f"<TxInfAndSts><OrgnlEndToEndId>{ref}</OrgnlEndToEndId>{own}"
                        "</TxInfAndSts>\n")
            f.write("</OrgnlPmtInfAndSts>\n")
        f.write("</CstmrPmtStsRpt>\n</Document>\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=200_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, payments {args.payments:,}")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "pain002.xml"
        write_report(path, args.payments)
        size = path.stat().st_size / 1e6
        out = subprocess.run([sys.executable, "-c", READ, str(path)], check=True,
                             capture_output=True, text=True).stdout
        got = json.loads(out)
        if got["results"] != args.payments or got["problems"]:
            raise SystemExit(f"read {got['results']} results and {got['problems']} problems "
                             f"of {args.payments} payments")
        print(f"file {size:,.0f} MB; read in {got['seconds']:.2f} s "
              f"({args.payments / got['seconds']:,.0f} payments/s); "
              f"peak memory of the reading process {got['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
