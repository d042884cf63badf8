#!/usr/bin/env python3
"""The comparison suite: jobmatch against its peers on one corpus, in one run.

See README.md beside this file for what is measured and how. In short: one corpus from a fixed
seed in the real market's shapes (corpus.py); per size, every engine is loaded once, then
measured in interleaved passes (the order rotates each repetition), and each figure is the
median over the repetitions of that pass's percentile. Writes BENCHMARKS.md, latency.svg and
results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
import corpus as corpus_mod  # noqa: E402

TOP_K = 20
PROFILES = 200
# Every participant of a caseload this large is ranked at once (top CASELOAD_TOP_K each): the first
# PROFILES of them are the profiles above.
CASELOAD = 10_000
CASELOAD_TOP_K = 10
# A pass that stops on its time budget has measured at least this many calls (as compare.rs).
MIN_SAMPLES = 20


def log(msg: str):
    print(f"[compare {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fail(msg: str):
    log(f"FAILED: {msg}")
    sys.exit(1)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("check", True)
    kw.setdefault("text", True)
    try:
        return subprocess.run([str(c) for c in cmd], **kw)
    except subprocess.CalledProcessError as e:
        fail(f"{' '.join(map(str, cmd))} exited with {e.returncode}:\n{e.stdout or ''}\n{e.stderr or ''}")


def timed(cmd, **kw):
    """Runs under /usr/bin/time -v: (completed process, wall seconds, peak RSS in KiB)."""
    out = tempfile.NamedTemporaryFile(prefix="compare-time-", delete=False)
    started = time.perf_counter()
    p = run(["/usr/bin/time", "-v", "-o", out.name, *cmd], capture_output=True, **kw)
    wall = time.perf_counter() - started
    text = Path(out.name).read_text()
    os.unlink(out.name)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return p, wall, rss


def percentiles(samples_us):
    import numpy as np

    a = np.asarray(samples_us, dtype=float)
    return {"p50_us": float(np.percentile(a, 50)), "p95_us": float(np.percentile(a, 95)),
            "p99_us": float(np.percentile(a, 99)), "samples": int(a.size)}


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],
                        capture_output=True, text=True).stdout.strip()
    import sqlite3

    return {"cores": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem / 1024 / 1024, 1),
            "kernel": platform.release(), "os": platform.platform(), "postgresql": pg,
            "sqlite": sqlite3.sqlite_version, "python": platform.python_version(),
            "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()}


# ---------------------------------------------------------------------------------------------
# Tools the suite needs: installed here so CI needs nothing set up beforehand.

def ensure_tools():
    missing = [t for t in ("wrk", "/usr/bin/time") if not shutil.which(t)]
    if missing:
        log(f"installing {missing} with apt-get")
        pkgs = {"wrk": "wrk", "/usr/bin/time": "time"}
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        run([*sudo, "apt-get", "install", "-y", "-q", *[pkgs[m] for m in missing]], capture_output=True)
    try:
        import matplotlib  # noqa: F401
        import numpy  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError:
        log("installing psycopg[binary] and matplotlib with pip")
        run([sys.executable, "-m", "pip", "install", "-q", "psycopg[binary]", "matplotlib"], capture_output=True)
    if not shutil.which("psql"):
        fail("psql is required (the PostgreSQL client) and PostgreSQL on 127.0.0.1:5432")


def build(target_dir: Path):
    env = dict(os.environ)
    env.setdefault("CARGO_BUILD_JOBS", "1")
    env["CARGO_TARGET_DIR"] = str(target_dir)
    log("building the release binary and the compare bench (cargo, release profile)")
    run(["cargo", "build", "--release", "--locked", "--bin", "jobmatch"], cwd=REPO, env=env)
    p = run(["cargo", "bench", "--locked", "--bench", "compare", "--no-run", "--message-format=json"],
            cwd=REPO, env=env, capture_output=True)
    exe = None
    for line in p.stdout.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "compare" and msg.get("executable"):
            exe = msg["executable"]
    if not exe:
        fail("cargo bench --no-run did not name the compare executable")
    return target_dir / "release" / "jobmatch", Path(exe)


# ---------------------------------------------------------------------------------------------
# Engines. Each is loaded once per size and then asked for passes.

class LineProcess:
    """A bench process that answers `COMMAND LOOPS` with one JSON line."""

    def __init__(self, cmd, name):
        self.name = name
        self.p = subprocess.Popen([str(c) for c in cmd], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, env={**os.environ, "RUST_LOG": "warn"})
        self.ready = self._read()

    def _read(self):
        line = self.p.stdout.readline()
        if not line:
            fail(f"{self.name} exited with {self.p.wait()}")
        msg = json.loads(line)
        if "error" in msg:
            fail(f"{self.name}: {msg['error']}")
        return msg

    def ask(self, cmd, loops, budget_s=None):
        self.p.stdin.write(f"{cmd} {loops} {budget_s if budget_s is not None else 'inf'}\n")
        self.p.stdin.flush()
        return self._read()

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
            self.p.wait(timeout=60)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, token=None, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, json.loads(r.read() or b"null")


def vm_hwm_kib(pid):
    m = re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) if m else None


def wrk_pass(base, token, path, bodies_file, clients, seconds, out_dir):
    out = out_dir / f"wrk-{clients}.json"
    env = {**os.environ, "WRK_BODIES": str(bodies_file), "WRK_PATH": path, "WRK_TOKEN": token, "WRK_OUT": str(out)}
    # One wrk thread: the machine has 2 cores and the server needs them more than the client.
    run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", HERE / "wrk.lua", base],
        env=env, capture_output=True)
    r = json.loads(out.read_text())
    errors = sum(r["errors"].values())
    if errors:
        fail(f"wrk {path} with {clients} clients: {r['errors']} errors of {r['requests']} requests")
    if r["requests"] == 0:
        fail(f"wrk {path} with {clients} clients made no request")
    return {"p50_us": r["p50_us"], "p95_us": r["p95_us"], "p99_us": r["p99_us"], "samples": r["requests"],
            "throughput_per_s": r["requests"] / (r["duration_us"] / 1e6)}


class Postgres:
    """The match written the way a municipality's IT would: skills as text arrays with GIN,
    earthdistance for the travel limit, Swedish full text, a weighted sum in SQL, top 20."""

    SCHEMA = """
    CREATE EXTENSION IF NOT EXISTS cube;
    CREATE EXTENSION IF NOT EXISTS earthdistance;
    CREATE TABLE openings (
        id bigint PRIMARY KEY,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        title text NOT NULL,
        description text NOT NULL,
        ssyk text,
        skills_must text[] NOT NULL,
        skills_merit text[] NOT NULL,
        swedish_min int,
        swedish_strict boolean NOT NULL,
        licences text[] NOT NULL,
        lat float8,
        lon float8,
        start_date date,
        deadline date,
        hours text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('swedish', title || ' ' || description)) STORED
    );
    """
    INDEXES = [
        "CREATE INDEX openings_must ON openings USING gin (skills_must)",
        "CREATE INDEX openings_merit ON openings USING gin (skills_merit)",
        "CREATE INDEX openings_tsv ON openings USING gin (tsv)",
        "CREATE INDEX openings_earth ON openings USING gist (ll_to_earth(lat, lon))",
        "CREATE INDEX openings_ssyk ON openings (ssyk)",
        "ANALYZE openings",
    ]
    # Weights of jobmatch's default profile; the total is the weighted mean of the categories
    # that apply, as jobmatch's is.
    MATCH = """
    WITH p AS (
        SELECT %(skills)s::text[] AS skills, %(occ)s::text[] AS occ, %(years)s::float8[] AS years,
               %(step)s::int AS step, ll_to_earth(%(lat)s, %(lon)s) AS home, %(travel)s::float8 AS travel,
               %(lic)s::text[] AS lic, %(avail)s::date AS avail, %(hours)s::text AS hours,
               to_tsquery('swedish', %(tsq)s) AS q
    ), c AS (
        SELECT o.*, earth_distance(ll_to_earth(o.lat, o.lon), p.home) / 1000 AS km,
               (SELECT max(CASE WHEN o.ssyk = x THEN 1.0 WHEN left(o.ssyk, 3) = left(x, 3) THEN 0.6
                                WHEN left(o.ssyk, 2) = left(x, 2) THEN 0.3 WHEN left(o.ssyk, 1) = left(x, 1) THEN 0.1
                                ELSE 0 END) FROM unnest(p.occ) x) AS occ_sim,
               (SELECT max(least(y / 3.0, 1.0)) FROM unnest(p.occ, p.years) AS e(x, y) WHERE x = o.ssyk) AS exp,
               (SELECT count(*) FROM unnest(o.skills_must) s WHERE s = ANY(p.skills)) AS must_held,
               (SELECT count(*) FROM unnest(o.skills_merit) s WHERE s = ANY(p.skills)) AS merit_held,
               ts_rank(o.tsv, p.q) AS text_rank,
               p.step AS p_step, p.avail AS p_avail, p.hours AS p_hours
        FROM openings o, p
        WHERE o.status = 'open' AND (o.deadline IS NULL OR o.deadline >= current_date)
          AND (o.skills_must && p.skills OR o.skills_merit && p.skills OR o.ssyk = ANY(p.occ) OR o.tsv @@ p.q)
          AND (NOT o.swedish_strict OR o.swedish_min <= p.step)
          AND o.licences <@ p.lic
          AND (p.travel IS NULL OR (earth_box(p.home, p.travel * 1000) @> ll_to_earth(o.lat, o.lon)
                                    AND earth_distance(ll_to_earth(o.lat, o.lon), p.home) <= p.travel * 1000))
    ), s AS (
        SELECT id,
            (CASE WHEN cardinality(skills_must) > 0 THEN 0.25 * must_held / cardinality(skills_must) ELSE 0 END
           + CASE WHEN cardinality(skills_merit) > 0 THEN 0.08 * merit_held / cardinality(skills_merit) ELSE 0 END
           + CASE WHEN ssyk IS NOT NULL THEN 0.18 * coalesce(occ_sim, 0) + 0.07 * coalesce(exp, 0) * coalesce(occ_sim, 0) ELSE 0 END
           + CASE WHEN swedish_min IS NOT NULL THEN 0.12 * greatest(0, 1 - 0.25 * greatest(0, swedish_min - p_step)) ELSE 0 END
           + 0.12 * power(0.5, km / 10)
           + CASE WHEN cardinality(licences) > 0 THEN 0.03 ELSE 0 END
           + 0.07 * CASE WHEN start_date IS NULL OR p_avail <= start_date THEN 1
                         ELSE greatest(0, 1 - (p_avail - start_date) / 60.0) END
                  * CASE WHEN p_hours = 'part' AND hours = 'full' THEN 0.5 WHEN p_hours = 'full' AND hours = 'part' THEN 0.8 ELSE 1 END
           + 0.08 * least(1, text_rank * 10))
          / (0.12 + 0.07 + 0.08
             + CASE WHEN cardinality(skills_must) > 0 THEN 0.25 ELSE 0 END
             + CASE WHEN cardinality(skills_merit) > 0 THEN 0.08 ELSE 0 END
             + CASE WHEN ssyk IS NOT NULL THEN 0.25 ELSE 0 END
             + CASE WHEN swedish_min IS NOT NULL THEN 0.12 ELSE 0 END
             + CASE WHEN cardinality(licences) > 0 THEN 0.03 ELSE 0 END) AS score
        FROM c
    )
    SELECT id, score FROM s ORDER BY score DESC, id LIMIT 20
    """

    def __init__(self, n, openings_file, profiles):
        import psycopg

        self.db = f"jm_compare_{n}_{os.getpid()}"
        admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{self.db}"')
        admin.execute(f'CREATE DATABASE "{self.db}"')
        admin.close()
        self.conn = psycopg.connect(f"host=127.0.0.1 user=postgres dbname={self.db}", autocommit=True)
        self.conn.execute(self.SCHEMA)
        started = time.perf_counter()
        cols = ["id", "kind", "title", "description", "ssyk", "skills_must", "skills_merit", "swedish_min",
                "swedish_strict", "licences", "lat", "lon", "start_date", "deadline", "hours"]
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY openings ({', '.join(cols)}) FROM STDIN") as copy:
                copy.set_types(["int8", "text", "text", "text", "text", "text[]", "text[]", "int4", "bool",
                                "text[]", "float8", "float8", "date", "date", "text"])
                with open(openings_file, encoding="utf-8") as f:
                    for i, line in enumerate(f):
                        if i == n:
                            break
                        o = json.loads(line)
                        copy.write_row([
                            i + 1, o["kind"], o["title"], o["description"], o.get("occupation"),
                            o["skills_required"], o["skills_merit"],
                            corpus_mod.LEVEL_STEP.get(o.get("swedish_min")), o["swedish_required"],
                            o["licences"], o["location"]["lat"], o["location"]["lon"],
                            dt.date.fromisoformat(o["start_date"]), dt.date.fromisoformat(o["deadline"]), o["hours"]])
        self.copy_s = time.perf_counter() - started
        started = time.perf_counter()
        for stmt in self.INDEXES:
            self.conn.execute(stmt)
        self.index_s = time.perf_counter() - started
        self.size_bytes = self.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        self.params = [self._params(p["resolved"]) for p in profiles]

    @staticmethod
    def _params(r):
        words = sorted({w for w in re.findall(r"\w+", " ".join(r["skill_words"])) if len(w) > 2})
        return {"skills": r["skills"], "occ": [o[0] for o in r["occupations"]],
                "years": [float(o[1]) for o in r["occupations"]], "step": r["swedish_step"],
                "lat": r["lat"], "lon": r["lon"], "travel": r["max_travel_km"], "lic": r["licences"],
                "avail": r["available_from"], "hours": r["hours"], "tsq": " | ".join(words) or "x"}

    def explain(self):
        rows = self.conn.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) " + self.MATCH, self.params[0]).fetchall()
        return "\n".join(r[0] for r in rows)

    def match_pass(self, budget_s):
        # A pass stops early when it runs out of time: at the largest size each query can take
        # seconds. At least MIN_SAMPLES queries are always measured.
        latencies, results = [], 0
        started = time.perf_counter()
        for params in self.params:
            t = time.perf_counter()
            rows = self.conn.execute(self.MATCH, params, prepare=True).fetchall()
            latencies.append((time.perf_counter() - t) * 1e6)
            results += len(rows)
            if len(latencies) >= MIN_SAMPLES and time.perf_counter() - started > budget_s:
                break
        return {"latencies_us": latencies, "mean_results": results / len(latencies)}

    def close(self):
        import psycopg

        self.conn.close()
        admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{self.db}"')
        admin.close()


class Fts5:
    """SQLite FTS5 alone: title and description, unicode61 (no stemming: FTS5 ships none for
    Swedish), the two words ANDed, top 20 by bm25."""

    def __init__(self, n, openings_file, path, queries):
        import sqlite3

        self.conn = sqlite3.connect(path)
        self.conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, description, tokenize='unicode61')")
        started = time.perf_counter()
        with open(openings_file, encoding="utf-8") as f:
            rows = ((json.loads(line) for _, line in zip(range(n), f)))
            self.conn.executemany("INSERT INTO docs (title, description) VALUES (?, ?)",
                                  ((o["title"], o["description"]) for o in rows))
        self.conn.commit()
        self.build_s = time.perf_counter() - started
        self.queries = [" AND ".join(f'"{w}"' for w in q.split()) for q in queries]

    def search_pass(self, loops, budget_s):
        sql = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 20"
        latencies = []
        started = time.perf_counter()
        for q in [q for _ in range(loops) for q in self.queries]:
            t = time.perf_counter()
            self.conn.execute(sql, (q,)).fetchall()
            latencies.append((time.perf_counter() - t) * 1e6)
            if len(latencies) >= MIN_SAMPLES and time.perf_counter() - started > budget_s:
                break
        hits = sum(self.conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (q,)).fetchone()[0]
                   for q in self.queries)
        return {"latencies_us": latencies, "mean_hits": hits / len(self.queries)}

    def close(self):
        self.conn.close()


# ---------------------------------------------------------------------------------------------

ENGINES = {
    # key: (label, kind) -- kind "match" ranks openings for a profile, "search" is the plain
    # two-word AND search.
    "jobmatch": ("jobmatch in-process", "match"),
    "http1": ("jobmatch HTTP, 1 client", "match"),
    "http4": ("jobmatch HTTP, 4 clients", "match"),
    "http16": ("jobmatch HTTP, 16 clients", "match"),
    "scan": ("core brute-force scan", "match"),
    "postgres": ("PostgreSQL, match in SQL", "match"),
    "jobmatch_search": ("jobmatch search in-process", "search"),
    "tantivy": ("tantivy alone", "search"),
    "fts5": ("SQLite FTS5", "search"),
}


def measure_size(n, cfg, bins, files, work, corpus):
    jobmatch, compare = bins
    out = {"openings": n, "build": {}, "engines": {k: {"reps": []} for k in ENGINES}, "rss_kib": {}}
    data = work / f"jobmatch-{n}"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    import_file = work / f"import-{n}.json"
    corpus_mod.write_import_file(import_file, corpus, files["openings"], n)

    log(f"{n}: jobmatch import")
    p, wall, rss = timed([jobmatch, "import", "--data-dir", data, import_file])
    report = json.loads(p.stdout.strip().splitlines()[-1])
    if report.get("openings") != n or report.get("employers") != len(corpus.employers):
        fail(f"jobmatch import reported {report}, not {n} openings of {len(corpus.employers)} employers")
    out["build"]["jobmatch_import"] = {"seconds": wall, "per_s": n / wall, "peak_rss_kib": rss}
    import_file.unlink()
    # A fresh database numbers the imported employers 1.. in file order; the write bodies
    # name employers by those ids (checked over the API once the server is up).
    employer_ids = list(range(1, len(corpus.employers) + 1))
    files["writes"].write_text("".join(json.dumps(o, ensure_ascii=False) + "\n"
                                       for o in corpus.writes(20_000, employer_ids)))
    log(f"{n}: imported at {n / wall:,.0f} openings/s; jobmatch reindex")
    _, wall, rss = timed([jobmatch, "reindex", "--data-dir", data])
    out["build"]["jobmatch_reindex"] = {"seconds": wall, "per_s": n / wall, "peak_rss_kib": rss}
    token = json.loads(run([jobmatch, "token", "create", "--data-dir", data, "--role", "matcher", "--name", "compare"],
                           capture_output=True).stdout.strip().splitlines()[-1])["token"]
    inproc = work / f"jobmatch-{n}-inprocess"
    shutil.rmtree(inproc, ignore_errors=True)
    # Its own copy: two processes cannot hold one tantivy index's writer.
    shutil.copytree(data, inproc)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([str(jobmatch), "serve", "--data-dir", str(data), "--addr", f"127.0.0.1:{port}",
                               "--max-in-flight", "256"], stdout=subprocess.DEVNULL,
                              stderr=open(work / f"serve-{n}.log", "w"), env={**os.environ, "RUST_LOG": "warn"})
    engines = {}
    try:
        while True:
            try:
                if http("GET", base + "/health")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                fail(f"jobmatch serve exited with {server.returncode}; see {work / f'serve-{n}.log'}")
            time.sleep(0.1)
        out["build"]["jobmatch_serve_ready_s"] = time.perf_counter() - started
        last = corpus.employers[-1]
        status, answer = http("GET", base + f"/v1/employers/{employer_ids[-1]}", token)
        if status != 200 or answer.get("name") != last["name"]:
            fail(f"employer {employer_ids[-1]} is {answer}, not the file's last, {last['name']}")
        status, answer = http("POST", base + f"/v1/match?limit={TOP_K}", token, json.loads(files["bodies"].read_text().splitlines()[0]))
        results = answer.get("suggestions") if isinstance(answer, dict) else None
        if status != 200 or not results:
            fail(f"POST /v1/match answered {status} with {str(answer)[:300]}")

        log(f"{n}: opening the in-process engine")
        engines["engine"] = LineProcess([compare, "engine", inproc, files["profiles"], files["queries"], files["caseload"]],
                                        "compare engine")
        out["build"]["jobmatch_open_s"] = engines["engine"].ready["open_s"]
        out["build"]["scan_features_s"] = engines["engine"].ready["scan_features_s"]
        log(f"{n}: building tantivy alone")
        tdir = work / f"tantivy-{n}"
        shutil.rmtree(tdir, ignore_errors=True)
        engines["tantivy"] = LineProcess([compare, "tantivy", files["openings"], n, files["queries"], tdir], "compare tantivy")
        out["build"]["tantivy_alone"] = {"seconds": engines["tantivy"].ready["build_s"], "per_s": n / engines["tantivy"].ready["build_s"]}
        log(f"{n}: loading PostgreSQL")
        pg = Postgres(n, files["openings"], corpus.profiles_cache)
        engines["postgres"] = pg
        out["build"]["postgres"] = {"copy_s": pg.copy_s, "index_s": pg.index_s, "per_s": n / (pg.copy_s + pg.index_s),
                                    "database_bytes": pg.size_bytes}
        out["postgres_plan"] = pg.explain()
        log(f"{n}: loading SQLite FTS5")
        fpath = work / f"fts5-{n}.db"
        if fpath.exists():
            fpath.unlink()
        fts = Fts5(n, files["openings"], fpath, json.loads(files["queries"].read_text()))
        engines["fts5"] = fts
        out["build"]["sqlite_fts5"] = {"seconds": fts.build_s, "per_s": n / fts.build_s}

        def pass_of(key):
            budget = cfg.pass_budget_s
            if key == "jobmatch":
                return engines["engine"].ask("match", cfg.loops, budget)
            if key == "scan":
                return engines["engine"].ask("scan", 1, budget)
            if key == "jobmatch_search":
                return engines["engine"].ask("search", cfg.loops, budget)
            if key == "tantivy":
                return engines["tantivy"].ask("search", cfg.loops, budget)
            if key == "fts5":
                return fts.search_pass(cfg.loops, budget)
            if key == "postgres":
                return pg.match_pass(cfg.pass_budget_s)
            clients = {"http1": 1, "http4": 4, "http16": 16}[key]
            return wrk_pass(base, token, f"/v1/match?limit={TOP_K}", files["bodies"], clients, cfg.http_seconds, work)

        keys = list(ENGINES)
        # The machine may be shared: the load before and after the passes goes in the report.
        out["load_average"] = {"before": os.getloadavg()}
        for rep in range(cfg.reps):
            # Interleaved: each repetition visits every engine once, starting one further along,
            # so drift in the machine (heat, page cache, the other tenant) spreads over all.
            order = keys[rep % len(keys):] + keys[:rep % len(keys)]
            for key in order:
                answer = pass_of(key)
                if "error" in answer:
                    fail(f"{key}: {answer['error']}")
                stats = percentiles(answer["latencies_us"]) if "latencies_us" in answer else answer
                for extra in ("mean_results", "mean_hits", "throughput_per_s"):
                    if extra in answer:
                        stats[extra] = answer[extra]
                if ENGINES[key][1] == "match" and stats.get("mean_results", 1) == 0:
                    fail(f"{key} found no match for any profile")
                out["engines"][key]["reps"].append(stats)
            log(f"{n}: repetition {rep + 1}/{cfg.reps}: " + ", ".join(
                f"{k} {out['engines'][k]['reps'][-1]['p50_us']:,.0f} µs" for k in keys))

        out["load_average"]["after"] = os.getloadavg()
        log(f"{n}: every participant of a caseload of {CASELOAD:,}, top {CASELOAD_TOP_K} each")
        caseload = engines["engine"].ask("caseload", CASELOAD_TOP_K)
        if "error" in caseload:
            fail(f"caseload: {caseload['error']}")
        if caseload["participants"] != CASELOAD or caseload["mean_results"] == 0:
            fail(f"the caseload ranked {caseload}, not {CASELOAD} participants with results")
        out["caseload"] = caseload
        log(f"{n}: opening creates over HTTP, 8 clients")
        writes = wrk_pass(base, token, "/v1/openings", files["writes"], 8, cfg.write_seconds, work)
        out["writes_http_8_clients"] = writes
        out["rss_kib"]["jobmatch_serve"] = vm_hwm_kib(server.pid)
        out["rss_kib"]["jobmatch_in_process_engine"] = engines["engine"].ask("match", 1).get("peak_rss_kib")
        out["rss_kib"]["tantivy_alone"] = engines["tantivy"].ready.get("peak_rss_kib")
        out["rss_kib"]["jobmatch_import"] = out["build"]["jobmatch_import"]["peak_rss_kib"]
    finally:
        for e in engines.values():
            e.close()
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        if not cfg.keep:
            for path in (data, inproc, work / f"tantivy-{n}", work / f"fts5-{n}.db"):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                elif path.exists():
                    path.unlink()

    for key, e in out["engines"].items():
        for field in ("p50_us", "p95_us", "p99_us", "throughput_per_s", "mean_results", "mean_hits", "samples"):
            values = [r[field] for r in e["reps"] if field in r]
            if values:
                e[field] = statistics.median(values)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated corpus sizes (openings)")
    ap.add_argument("--reps", type=int, default=5, help="interleaved repetitions per size")
    ap.add_argument("--loops", type=int, default=2, help="times each in-process pass goes over the 200 profiles or the queries")
    ap.add_argument("--http-seconds", type=int, default=8, help="length of each wrk pass")
    ap.add_argument("--write-seconds", type=int, default=10, help="length of the write-throughput pass")
    ap.add_argument("--pass-budget-s", type=float, default=30,
                    help="seconds after which a per-query pass stops (having measured at least 20 calls); "
                         "the profiles are in random order, so a shortened pass measures a random sample")
    ap.add_argument("--seed", type=int, default=corpus_mod.SEED)
    ap.add_argument("--today", default=None, help="the corpus's today (ISO date); default: today, as the server's")
    ap.add_argument("--reference", default=str(REPO.parent / "shared" / "reference"))
    ap.add_argument("--work-dir", default=None, help="scratch space (default: a temporary directory)")
    ap.add_argument("--target-dir", default=str(REPO / "target"))
    ap.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    ap.add_argument("--results", default=str(HERE / "results.json"))
    ap.add_argument("--chart", default=str(HERE / "latency.svg"))
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    ap.add_argument("--ci", action="store_true",
                    help="smallest size, one short repetition; fails only when something breaks, never on timing")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite BENCHMARKS.md and the chart from --results, measuring nothing")
    cfg = ap.parse_args()
    if cfg.report_only:
        import report

        results = json.loads(Path(cfg.results).read_text())
        report.chart(results, Path(cfg.chart))
        Path(cfg.out).write_text(report.markdown(results, Path(cfg.chart), Path(cfg.out)))
        log(f"wrote {cfg.out} and {cfg.chart} from {cfg.results}")
        return
    if cfg.ci:
        cfg.sizes, cfg.reps, cfg.loops, cfg.http_seconds, cfg.write_seconds, cfg.pass_budget_s = "10000", 1, 1, 2, 2, 5
    sizes = sorted({int(s.replace("_", "")) for s in cfg.sizes.split(",")})
    total_started = time.perf_counter()

    ensure_tools()
    reference = Path(cfg.reference)
    if not reference.is_dir():
        log(f"NOTE: {reference} is absent; the corpus uses the product's own fixtures (fixtures/taxonomy) "
            "with uniform weights instead of the 2024 ad counts. The figures are not comparable to a run on the reference data.")
    bins = build(Path(cfg.target_dir))
    work = Path(cfg.work_dir) if cfg.work_dir else Path(tempfile.mkdtemp(prefix="jobmatch-compare-"))
    work.mkdir(parents=True, exist_ok=True)

    shapes = corpus_mod.load_shapes(REPO, reference)
    today = dt.date.fromisoformat(cfg.today) if cfg.today else dt.date.today()
    corpus = corpus_mod.Corpus(shapes, cfg.seed, today)
    log(f"corpus from {shapes.source} shapes, seed {cfg.seed}: writing {max(sizes):,} openings")
    files = {k: work / v for k, v in {"openings": "openings.jsonl", "profiles": "profiles.json", "bodies": "bodies.jsonl",
                                      "queries": "queries.json", "writes": "writes.jsonl",
                                      "caseload": "caseload.json"}.items()}
    started = time.perf_counter()
    sample = []
    with open(files["openings"], "w", encoding="utf-8") as f:
        for i, o in enumerate(corpus.openings(max(sizes))):
            if i < 10_000:
                sample.append(o)
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    gen_s = time.perf_counter() - started
    caseload = corpus.profiles(CASELOAD)
    files["caseload"].write_text(json.dumps([{"body": p["body"]} for p in caseload], ensure_ascii=False))
    # The profiles are a prefix of one stream: the first of the caseload.
    corpus.profiles_cache = caseload[:PROFILES]
    files["profiles"].write_text(json.dumps(corpus.profiles_cache, ensure_ascii=False))
    files["bodies"].write_text("".join(json.dumps(p["body"], ensure_ascii=False) + "\n" for p in corpus.profiles_cache))
    files["queries"].write_text(json.dumps(corpus.queries(sample), ensure_ascii=False))

    results = {
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip(),
        "config": {"sizes": sizes, "reps": cfg.reps, "loops": cfg.loops, "http_seconds": cfg.http_seconds,
                   "write_seconds": cfg.write_seconds, "pass_budget_s": cfg.pass_budget_s, "ci": cfg.ci,
                   "profiles": PROFILES, "top_k": TOP_K,
                   "caseload": CASELOAD, "caseload_top_k": CASELOAD_TOP_K},
        "corpus": {"source": shapes.source, "seed": cfg.seed, "today": today.isoformat(), "generate_s": gen_s,
                   "employers": len(corpus.employers), "queries": json.loads(files["queries"].read_text())[:10]},
        "sizes": {},
    }
    for n in sizes:
        results["sizes"][str(n)] = measure_size(n, cfg, bins, files, work, corpus)
        # Kept as it goes, so a failure at a large size leaves the smaller sizes' figures.
        Path(cfg.results).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    results["suite_seconds"] = time.perf_counter() - total_started
    if not cfg.work_dir and not cfg.keep:
        shutil.rmtree(work, ignore_errors=True)

    import report

    Path(cfg.results).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    report.chart(results, Path(cfg.chart))
    Path(cfg.out).write_text(report.markdown(results, Path(cfg.chart), Path(cfg.out)))
    log(f"wrote {cfg.out}, {cfg.chart} and {cfg.results} in {results['suite_seconds']:.0f} s")


if __name__ == "__main__":
    main()
