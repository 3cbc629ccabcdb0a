"""`make bench`: how fast the portal's main pages are, against the bare-Django floor.

For each database (SQLite, then PostgreSQL) the bench:

1. migrates a bench database of its own (SQLite: ``var/bench/concierge.sqlite3``; PostgreSQL:
   ``concierge_bench``, created if missing) and fills it with a large data set (bench/generate.py:
   10,000 people, 500 catalog items, 200,000 tickets), or reuses the one already there (made
   anew when its tables no longer match the models);
2. serves it as in production: the Procfile's ``web`` line (gunicorn, ``concierge.wsgi``) on a
   free port of 127.0.0.1, with static files collected into ``var/bench/static``;
3. signs in once as the bench employee and once as the bench agent through the sign-in form;
4. loads each page with 16 keep-alive connections (bench/load.py), one page after the other:
   a 2 s warm-up, then 10 s measured; then with one connection for 4 s ("alone": how long the
   page takes when no request waits before it; at 16 connections on two cores most of the
   latency is waiting for a free core);
5. measures approvals (bench/approvals.py) and directory sign-in and password change
   throughput against a private slapd (bench/directory.py; skipped without slapd);
6. counts the desk's queries (bench/desk.py: the same for one ticket as for all of them) and
   measures SLA computations per second;
7. prints a table and writes ``var/bench/results-<database>.json``.

Then the search: its retrieval evaluation (bench/search_eval.py: hit@1, hit@3 and MRR per
language and database) and, with ``BENCH_SEARCH_SCALE=1``, its latency and index build at
100,000 articles (bench/search_latency.py).

The pages: the floor ``/floor`` (a bare Django view: no database, no template; requested without
the session cookie, since signed in the middleware would read the session and the user), the
home page, the catalog, the first step of an item's request form, "My requests", one of the
employee's requests and the API's list of them; then, signed in as the bench agent, the
desk's queue of all open tickets and that request in the desk. A page meets the target when it
serves at least 40% of the floor's requests per second with a p99 latency under 100 ms. Every
answer must be a 200: a page that answered anything else was not measured and its row is
invalid.

Missed targets are results, not failures: the exit code is 0 unless the bench itself could not
run (no database server, a server that does not start, a page that does not answer 200).

    .venv/bin/python bench/run.py [--db sqlite|postgres ...] [--duration 10] [--warmup 2]
"""

import argparse
import base64
import contextlib
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import shlex
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import load

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "var" / "bench"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "concierge_bench"
DATABASES = ("sqlite", "postgres")
MIN_RATIO = 0.40
MAX_P99_MS = 100.0
ALONE_SECONDS = 4  # each page is also measured with a single connection, for this long
STALE_SCHEMA = 3  # bench/generate.py's exit code when the database must be made anew


class BenchError(Exception):
    """The bench could not measure (as opposed to a page missing its target)."""


# --- the environment --------------------------------------------------------------------------

def bench_env(database: str) -> dict[str, str]:
    """The production settings, on the bench data directory and database."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "REDIS_URL", "CONCIERGE_DEBUG", "CONCIERGE_DEMO")}
    env |= {"CONCIERGE_DATA_DIR": str(DATA_DIR), "CONCIERGE_ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            # The load generator is one client: the API's per-person throttle would answer 429.
            "CONCIERGE_API_THROTTLE_USER": "100000000/hour"}
    if database == "postgres":
        env["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """Run ``manage.py`` with ``args``; BenchError with its errors if it fails."""
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"{shlex.join(command)} failed:\n{result.stderr.strip()}")


def _postgres(statement: str, params: tuple = ()) -> list[tuple]:
    """Run ``statement`` on the PostgreSQL server's maintenance database; its rows."""
    import psycopg

    try:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True,
                             connect_timeout=5) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL is not reachable at {POSTGRES_SERVER}: {exc}") from exc


def ensure_database(database: str) -> None:
    """Create the PostgreSQL database if missing (SQLite makes its file when it migrates)."""
    if database == "postgres":
        ensure_postgres_database(POSTGRES_DATABASE)


def ensure_postgres_database(name: str) -> None:
    """Create the PostgreSQL database ``name`` on the bench's server if it is missing."""
    if not _postgres("SELECT 1 FROM pg_database WHERE datname = %s", (name,)):
        _postgres(f'CREATE DATABASE "{name}"')


def drop_database(database: str) -> None:
    """Delete the bench database: its schema is out of date and its data with it."""
    if database == "postgres":
        _postgres(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            (DATA_DIR / f"concierge.sqlite3{suffix}").unlink(missing_ok=True)


def prepare(database: str, env: dict[str, str]) -> dict:
    """A migrated bench database with the data set in it; the data set's description."""
    print(f"{database}: preparing the data set (cached after the first run)", flush=True)
    started = time.monotonic()
    for attempt in (1, 2):
        ensure_database(database)
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        result = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py")],
                                cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        if result.returncode == STALE_SCHEMA and attempt == 1:
            drop_database(database)
            continue
        if result.returncode != 0:
            raise BenchError("bench/generate.py failed (see above)")
        break
    dataset = json.loads(result.stdout.strip().splitlines()[-1])
    dataset["prepared_in_s"] = round(time.monotonic() - started, 1)
    return dataset


# --- the server -------------------------------------------------------------------------------

def procfile_command(process: str, env: dict[str, str]) -> list[str]:
    """The Procfile's line for ``process``, with ``${NAME:-default}`` filled in from ``env``."""
    for line in (REPO / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            filled = re.sub(r"\$\{(\w+):-([^}]*)\}",
                            lambda m: env.get(m[1]) or m[2], command)
            return shlex.split(filled)
    raise BenchError(f"the Procfile has no `{process}` line")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(database: str, env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """gunicorn as the Procfile runs it, until the block ends; its URL and command."""
    port = free_port()
    # PYTHONPATH: this checkout's code, not whichever one the virtualenv has installed.
    env = env | {"HOST": "127.0.0.1", "PORT": str(port),
                 "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                 "PYTHONPATH": str(REPO / "src")}
    command = procfile_command("web", env)
    log_path = DATA_DIR / f"gunicorn-{database}.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log_file,
                                  stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_up(base_url, server, log_path)
            yield base_url, command
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(base_url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped (exit code {server.returncode}):\n"
                             f"{log_path.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            if _request(base_url, "GET", "/healthz")[0] == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within 30 s (see {log_path})")


# --- signing in -------------------------------------------------------------------------------

def _request(base_url: str, method: str, path: str, *, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(base_url: str, email: str, password: str, totp_secret: str = "") -> str:
    """Sign in through the allauth form (and, for an agent, its authenticator code page); the
    Cookie header of the signed-in session."""
    status, headers, html = _request(base_url, "GET", "/accounts/login/")
    cookies = _cookies(headers)
    form = {"login": email, "password": password}
    status, headers = _post_form(base_url, "/accounts/login/", html, cookies, form)
    if status == 302 and headers.get("Location", "").endswith("/accounts/2fa/authenticate/"):
        path = urlsplit(headers["Location"]).path
        _, page_headers, html = _request(base_url, "GET", path, headers={
            "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())})
        cookies |= _cookies(page_headers)
        code = totp_code(totp_secret)
        status, headers = _post_form(base_url, path, html, cookies, {"code": code})
    if status != 302 or "sessionid" not in cookies:
        raise BenchError(f"signing in as {email} failed (HTTP {status})")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def totp_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows now for ``secret`` (RFC 6238: HMAC-SHA1,
    30 s steps), as the bench agent's phone would."""
    counter = struct.pack(">Q", int(at if at is not None else time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _post_form(base_url: str, path: str, html: str, cookies: dict[str, str],
               fields: dict[str, str]) -> tuple[int, http.client.HTTPMessage]:
    """POST ``fields`` with the CSRF token of the form page ``html``; updates ``cookies``."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None or "csrftoken" not in cookies:
        raise BenchError(f"{path} has no CSRF token")
    status, headers, _ = _request(base_url, "POST", path, body=urlencode(
        {"csrfmiddlewaretoken": token[1], **fields}), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())})
    cookies |= _cookies(headers)
    return status, headers


# --- measuring --------------------------------------------------------------------------------

def pages(dataset: dict) -> list[tuple[str, str, str]]:
    """(name, path, who is signed in: "", "employee" or "agent") of every measured page; the
    floor comes first."""
    item, ticket = dataset["item"], dataset["ticket"]
    return [
        ("floor", "/floor", ""),
        ("home", "/", "employee"),
        ("catalog", "/services/", "employee"),
        ("item form", f"/requests/new/{item['slug']}/step/{item['first_step']}/", "employee"),
        ("my requests", "/requests/", "employee"),
        ("request detail", f"/requests/{ticket['pk']}/", "employee"),
        ("api my requests", "/api/v1/tickets/", "employee"),
        ("desk queue", "/desk/?queue=all", "agent"),
        ("desk ticket", f"/desk/tickets/{ticket['number']}/", "agent"),
    ]


def accept_for(path: str) -> str:
    """What the client asks for: a browser HTML, an API client JSON (the API answers 406 to
    a request that accepts only text/html)."""
    return "application/json" if path.startswith("/api/") else "text/html"


def check_pages(base_url: str, cookies: dict[str, str],
                page_list: list[tuple[str, str, str]]) -> None:
    """Each page answers 200 once before it is loaded (a redirect means a setup problem)."""
    for name, path, who in page_list:
        status, headers, _ = _request(base_url, "GET", path, headers={
            "Accept": accept_for(path), **({"Cookie": cookies[who]} if who else {})})
        if status != 200:
            where = f" to {headers['Location']}" if headers.get("Location") else ""
            raise BenchError(f"{name} ({path}) answered {status}{where} instead of 200")


def evaluate(name: str, path: str, result: load.Measurement, floor_rps: float) -> dict:
    ratio = result.requests_per_s / floor_rps if floor_rps else 0.0
    problems = []
    if not result.valid:
        problems.append(f"INVALID: {result.non_200} non-200, {result.socket_errors} socket errors"
                        f" {result.status_counts or ''}".rstrip())
    if ratio < MIN_RATIO:
        problems.append(f"ratio < {MIN_RATIO:.0%}")
    if result.p99_ms >= MAX_P99_MS:
        problems.append(f"p99 >= {MAX_P99_MS:.0f} ms")
    return {"page": name, **result.as_dict(), "path": path, "ratio_to_floor": round(ratio, 3),
            "meets_target": not problems, "problems": problems}


def bench(database: str, args: argparse.Namespace, client: str, load_at_start: float) -> dict:
    env = bench_env(database)
    dataset = prepare(database, env)
    started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    rows = []
    with serve(database, env) as (base_url, command):
        cookies = {who: sign_in(base_url, dataset[who]["email"], dataset[who]["password"],
                                dataset[who].get("totp_secret", ""))
                   for who in ("employee", "agent")}
        page_list = pages(dataset)
        check_pages(base_url, cookies, page_list)
        floor_rps = 0.0
        for name, path, who in page_list:
            headers = {"Accept": accept_for(path), **({"Cookie": cookies[who]} if who else {})}
            result = load.measure(base_url, path, client=client, headers=headers,
                                  connections=args.connections, duration=args.duration,
                                  warmup=args.warmup)
            floor_rps = floor_rps or result.requests_per_s
            # The same page with one connection: how long it takes when nothing waits before it.
            alone = load.measure(base_url, path, client=client, headers=headers, connections=1,
                                 duration=ALONE_SECONDS, warmup=1)
            rows.append(evaluate(name, path, result, floor_rps)
                        | {"alone": {"p50_ms": alone.p50_ms, "p99_ms": alone.p99_ms,
                                     "requests_per_s": round(alone.requests_per_s, 1)}})
            print(f"  {name:<15} {result.requests_per_s:8,.0f} req/s", flush=True)
    approvals = measure_approvals(env)
    desk = measure_desk(env)
    directory = measure_directory(env)
    return {
        "database": database, "started_at": started_at, "client": client,
        "connections": args.connections, "duration_s": args.duration, "warmup_s": args.warmup,
        "server": shlex.join(command), "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "targets": {"min_ratio_to_floor": MIN_RATIO, "max_p99_ms": MAX_P99_MS},
        "dataset": {key: value for key, value in dataset.items()
                    if key not in ("employee", "agent")}
        | {"employee_tickets": dataset["employee"]["tickets"]},
        "pages": rows,
        "approvals": approvals,
        "desk": desk,
        "directory": directory,
    }


def measure_approvals(env: dict[str, str]) -> dict:
    """Submit-to-first-approval latency and decisions per second (bench/approvals.py)."""
    command = [sys.executable, str(REPO / "bench" / "approvals.py")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"bench/approvals.py failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_desk(env: dict[str, str]) -> dict:
    """The desk's query counts (constant in the number of tickets, or the bench stops) and SLA
    computations per second (bench/desk.py)."""
    command = [sys.executable, str(REPO / "bench" / "desk.py")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"bench/desk.py failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_directory(env: dict[str, str]) -> dict:
    """Directory sign-in and password change throughput against slapd (bench/directory.py)."""
    command = [sys.executable, str(REPO / "bench" / "directory.py")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"bench/directory.py failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- reporting --------------------------------------------------------------------------------

def table(report: dict) -> str:
    counts = report["dataset"]["counts"]
    lines = [
        f"{report['database']}: {counts['people']:,} people, {counts['items']:,} items, "
        f"{counts['tickets']:,} tickets · {report['client']}, {report['connections']} "
        f"connections, {report['duration_s']:g} s per page after {report['warmup_s']:g} s "
        f"warm-up",
        f"{'page':<15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'floor':>7} {'alone p50/p99':>14}"
        "  target",
    ]
    if report["load_average_at_start"] > report["cpus"] / 2:
        lines.insert(1, f"note: the machine was busy when the bench started (load average "
                        f"{report['load_average_at_start']:g} on {report['cpus']} CPUs): "
                        "the numbers are noisy")
    for row in report["pages"]:
        verdict = "met" if row["meets_target"] else "MISSED: " + "; ".join(row["problems"])
        alone = row.get("alone") or {"p50_ms": 0.0, "p99_ms": 0.0}
        lines.append(f"{row['page']:<15} {row['requests_per_s']:8,.0f} {row['p50_ms']:8.1f} "
                     f"{row['p99_ms']:8.1f} {row['ratio_to_floor']:7.0%} "
                     f"{alone['p50_ms']:6.1f}/{alone['p99_ms']:<7.1f}  {verdict}")
    approvals = report.get("approvals")
    if approvals:
        latency = approvals["submit_to_first_approval_task_ms"]
        lines.append(f"approvals: submit to the first approver's task p50 {latency['p50']} ms, "
                     f"p99 {latency['p99']} ms; {approvals['approvals_per_s']:,.0f} decisions/s "
                     "through the service layer")
    desk = report.get("desk")
    if desk:
        queries, sla = desk["queries"], desk["sla"]
        lines.append(f"desk: {queries['queue_all']} queries per queue page and "
                     f"{queries['ticket_recent']} per ticket view, the same for 1 or "
                     f"{queries['tickets_in_scope']:,} tickets; SLA "
                     f"{sla['deadlines_per_s']:,} deadlines/s, "
                     f"{sla['business_time_per_s']:,} business-time measurements/s")
    directory = report.get("directory")
    if directory and "skipped" in directory:
        lines.append(f"directory: skipped, {directory['skipped']}")
    elif directory:
        lines.append(f"directory (slapd): {directory['sign_ins_per_s']:,.0f} sign-ins/s "
                     f"(p50 {directory['sign_in_ms']['p50']} ms, p99 "
                     f"{directory['sign_in_ms']['p99']} ms); {directory['changes_per_s']:,.0f} "
                     f"password changes/s (p50 {directory['change_ms']['p50']} ms)")
    return "\n".join(lines)


def bench_search(databases) -> None:
    """The search's retrieval evaluation (bench/search_eval.py) and, with
    ``BENCH_SEARCH_SCALE=1``, its latency at 100,000 articles (bench/search_latency.py; the
    first run builds that index, which takes several minutes per database)."""
    import search_eval

    flags = [arg for database in databases for arg in ("--db", database)]
    if search_eval.main(flags) != 0:
        raise BenchError("bench/search_eval.py failed")
    if os.environ.get("BENCH_SEARCH_SCALE", "") not in ("", "0"):
        import search_latency

        if search_latency.main(flags) != 0:
            raise BenchError("bench/search_latency.py failed")
    else:
        print("search at scale: skipped (BENCH_SEARCH_SCALE=1 make bench measures it)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=DATABASES,
                        help="database to bench (repeatable; default: both)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator (default: wrk if installed, else python)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before measuring")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_at_start = round(os.getloadavg()[0], 2)  # before the bench adds its own
    try:
        client = load.pick_client(args.client)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        manage(bench_env("sqlite"), "collectstatic", "--no-input", "--verbosity", "0")
        for database in args.db or DATABASES:
            report = bench(database, args, client, load_at_start)
            path = DATA_DIR / f"results-{database}.json"
            path.write_text(json.dumps(report, indent=2) + "\n")
            print(f"\n{table(report)}\n(saved in {path.relative_to(REPO)})\n", flush=True)
        bench_search(args.db or DATABASES)
    except (BenchError, RuntimeError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
