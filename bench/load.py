"""The load generator of `make bench`: requests per second and latency of one page.

A fixed number of keep-alive connections (16 by default) each request the same page over and
over, as fast as the server answers, for a warm-up (not counted) and then a measured period.
From the measured period come the requests per second, the median (p50) and the 99th-percentile
(p99) latency, and the count of responses other than 200 and of failed connections: a page that
answered anything but 200 was not measured, so its row is invalid.

Two clients do this, with the same connections and requests:

- ``wrk`` (https://github.com/wg/wrk) when it is installed: written in C, it takes little of the
  CPU the server needs on a small machine. A Lua script counts non-200 answers and reports.
- ``python``: threads with ``http.client`` keep-alive connections, for machines without wrk.
  It needs more CPU per request than wrk, so on a small machine it lowers the floor (and thus
  flatters the ratios); compare results only from the same client.

One client is chosen per bench run so that every page is measured the same way.
"""

import http.client
import json
import math
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit


@dataclass
class Measurement:
    """One page under load, during the measured period."""

    path: str
    client: str
    connections: int
    duration_s: float
    requests: int
    non_200: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def valid(self) -> bool:
        return self.requests > 0 and self.non_200 == 0 and self.socket_errors == 0

    def as_dict(self) -> dict:
        return asdict(self) | {"requests_per_s": round(self.requests_per_s, 1),
                               "valid": self.valid}


def pick_client(name: str = "auto") -> str:
    """``wrk`` if asked for or (for ``auto``) installed, else ``python``."""
    if name == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if name == "wrk" and not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk), use --client python")
    return name


def measure(base_url: str, path: str, *, client: str, headers: dict[str, str] | None = None,
            connections: int = 16, duration: float = 10, warmup: float = 2) -> Measurement:
    """Load ``base_url + path`` for ``warmup`` seconds, then measure it for ``duration``."""
    run = _measure_wrk if client == "wrk" else _measure_python
    return run(base_url, path, headers or {}, connections, duration, warmup)


# --- wrk --------------------------------------------------------------------------------------

# Every wrk thread counts its answers by status; done() adds them up and prints one JSON line.
_WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local counts = {}
  for status, count in pairs(total) do
    table.insert(counts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "statuses": {%s}, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, table.concat(counts, ", "),
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def _measure_wrk(base_url, path, headers, connections, duration, warmup) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT)
    try:
        threads = max(1, min(connections, os.cpu_count() or 1))
        command = ["wrk", "--threads", str(threads), "--connections", str(connections),
                   "--timeout", "10s", "--script", script.name]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        if warmup > 0:
            _run_wrk([*command, "--duration", f"{warmup:g}s", base_url + path])
        report = _run_wrk([*command, "--duration", f"{duration:g}s", base_url + path])
    finally:
        os.unlink(script.name)
    return Measurement(
        path=path, client="wrk", connections=connections,
        duration_s=report["duration_us"] / 1e6, requests=report["requests"],
        non_200=report["requests"] - report["statuses"].get("200", 0),
        socket_errors=report["socket_errors"], status_counts=report["statuses"],
        p50_ms=report["p50_us"] / 1000, p99_ms=report["p99_us"] / 1000)


def _run_wrk(command: list[str]) -> dict:
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    last = result.stdout.strip().splitlines()[-1]
    return json.loads(last)


# --- Python -----------------------------------------------------------------------------------

class _Worker(threading.Thread):
    """One keep-alive connection requesting the page until ``stop``; keeps what was measured."""

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str],
                 measure_from: float, stop: float):
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.headers = host, port, path, headers
        self.measure_from, self.stop = measure_from, stop
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.socket_errors = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            while (started := time.perf_counter()) < self.stop:
                try:
                    connection.request("GET", self.path, headers=self.headers)
                    response = connection.getresponse()
                    response.read()
                    status = str(response.status)
                except (OSError, http.client.HTTPException):
                    connection.close()  # http.client reconnects on the next request
                    status = "error"
                finished = time.perf_counter()
                if started >= self.measure_from and finished <= self.stop:
                    if status == "error":
                        self.socket_errors += 1
                    else:
                        self.statuses[status] = self.statuses.get(status, 0) + 1
                        self.latencies.append(finished - started)
        finally:
            connection.close()


def _measure_python(base_url, path, headers, connections, duration, warmup) -> Measurement:
    url = urlsplit(base_url)
    measure_from = time.perf_counter() + warmup
    stop = measure_from + duration
    workers = [_Worker(url.hostname, url.port, path, headers, measure_from, stop)
               for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies = sorted(latency for worker in workers for latency in worker.latencies)
    statuses: dict[str, int] = {}
    for worker in workers:
        for status, count in worker.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return Measurement(
        path=path, client="python", connections=connections, duration_s=duration,
        requests=len(latencies), non_200=len(latencies) - statuses.get("200", 0),
        socket_errors=sum(worker.socket_errors for worker in workers),
        p50_ms=_percentile(latencies, 50) * 1000, p99_ms=_percentile(latencies, 99) * 1000,
        status_counts=statuses)


def _percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted ``values`` (0 for none)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, math.ceil(percent / 100 * len(values)) - 1))]
