#!/usr/bin/env python3
"""Allocation and gap analysis end to end: n openings and m participants generated from one
seed in the shapes of the real 2024 labour market (the comparison suite's corpus,
../compare/corpus.py), imported with `jobmatch import`, then

1. `jobmatch allocate --all` (release build): every participant's 30 best openings ranked as
   suggestions rank them, the exact assignment under the openings' places, the explanations,
   the fairness figures with and without the policy, and the stored answer;
2. `GET /v1/participants/{id}/gaps` over HTTP from a real `jobmatch serve` for 50 participants,
   one at a time on a keep-alive connection: its latency (p50, p95).

It prints the wall time of each step, what the allocation placed, and the gaps' latency.

Never fails on timing; it fails when a step fails or the allocation does not account for every
participant.

    python3 benches/allocate/run.py --openings 100000 --participants 10000
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "compare"))
import corpus as corpus_mod  # noqa: E402

GROUPS = ["under_25", "parent", "newly_unemployed", "long_term_recipient"]


def log(msg):
    print(f"[allocate] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{out.stderr[-4000:]}")
    return out.stdout, time.monotonic() - started


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gaps_latency(binary, data, participants, n=50):
    """p50 and p95 of the gap analysis, in ms, over n participants, after one warm-up call."""
    out, _ = run([binary, "token", "create", "--data-dir", data, "--role", "admin"])
    token = json.loads(out.splitlines()[-1])["token"]
    port = free_port()
    server = subprocess.Popen(
        [str(binary), "serve", "--data-dir", str(data), "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, RUST_LOG="warn"))
    try:
        conn = None
        deadline = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/v1/status", headers={"authorization": f"Bearer {token}"})
                status = json.loads(conn.getresponse().read())
                if status.get("index_ready"):
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                sys.exit("the server did not become ready within 120 s")
            time.sleep(0.2)
        step = max(1, participants // n)
        ids = list(range(1, participants + 1, step))[:n]
        samples = []
        for i, pid in enumerate([ids[0]] + ids):
            started = time.perf_counter()
            conn.request("GET", f"/v1/participants/{pid}/gaps", headers={"authorization": f"Bearer {token}"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                sys.exit(f"gaps of {pid}: {resp.status} {body[:300]!r}")
            if i:
                samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--openings", type=int, default=100_000)
    ap.add_argument("--participants", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=corpus_mod.SEED)
    ap.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", str(REPO / "target")))
    ap.add_argument("--out", help="write the figures here as JSON")
    cfg = ap.parse_args()

    reference = REPO.parent / "shared" / "reference"
    if not (reference / "labour_market").is_dir():
        log(f"{reference} is absent: the corpus uses the product's fixtures with uniform weights")
    shapes = corpus_mod.load_shapes(REPO, reference)
    env = dict(os.environ, CARGO_TARGET_DIR=cfg.target_dir)
    log("building the release binary")
    run(["cargo", "build", "--release", "--locked", "--bin", "jobmatch"], cwd=REPO, env=env)
    binary = Path(cfg.target_dir) / "release" / "jobmatch"

    corpus = corpus_mod.Corpus(shapes, seed=cfg.seed)
    rng = random.Random(cfg.seed ^ 0xA110C)
    with tempfile.TemporaryDirectory(prefix="jobmatch-allocate-") as work:
        work = Path(work)
        openings_jsonl = work / "openings.jsonl"
        with open(openings_jsonl, "w", encoding="utf-8") as f:
            for o in corpus.openings(cfg.openings):
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
        people = []
        for i, p in enumerate(corpus.profiles(cfg.participants)):
            body = dict(p["body"])
            body["name"] = f"Deltagare {i + 1}"
            body["priority_groups"] = sorted({g for g in GROUPS if rng.random() < 0.2})
            people.append(body)
        import_file = work / "import.json"
        corpus_mod.write_import_file(import_file, corpus, openings_jsonl, cfg.openings)
        # The suite's file has no participants; put them in.
        text = import_file.read_text(encoding="utf-8")
        text = text.replace('"participants":[]', '"participants":' + json.dumps(people, ensure_ascii=False), 1)
        import_file.write_text(text, encoding="utf-8")

        data = work / "data"
        log(f"importing {cfg.openings} openings and {cfg.participants} participants")
        _, t_import = run([binary, "import", "--data-dir", data, import_file])
        log("indexing")
        _, t_index = run([binary, "reindex", "--data-dir", data])
        log("allocating everyone")
        out, t_alloc = run([binary, "allocate", "--data-dir", data, "--all"], env=dict(os.environ, RUST_LOG="warn"))
        allocation = json.loads(out)
        placed = len({a["participant_id"] for a in allocation["assignments"]})
        unplaced = len(allocation["unassigned"])
        if placed + unplaced != cfg.participants:
            sys.exit(f"{placed} placed + {unplaced} unplaced is not {cfg.participants} participants")
        everyone = next(g for g in allocation["fairness"]["with_policy"] if g["group"] == "all")
        log("gap analysis over HTTP")
        gaps_p50, gaps_p95 = gaps_latency(binary, data, cfg.participants)
        figures = {
            "openings": cfg.openings,
            "participants": cfg.participants,
            "import_s": round(t_import, 2),
            "reindex_s": round(t_index, 2),
            "allocate_s": round(t_alloc, 2),
            "placed": placed,
            "unassigned": unplaced,
            "mean_score": everyone["mean_score"],
            "mean_own_rank": everyone["mean_own_rank"],
            "total": allocation["total"],
            "gaps_p50_ms": round(gaps_p50, 1),
            "gaps_p95_ms": round(gaps_p95, 1),
        }
    print("| openings | participants | import s | reindex s | allocate s | placed | mean score | mean own rank | gaps p50 ms | gaps p95 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {figures['openings']:,} | {figures['participants']:,} | {figures['import_s']} | "
        f"{figures['reindex_s']} | **{figures['allocate_s']}** | {placed:,} | "
        f"{figures['mean_score']} | {figures['mean_own_rank']} | **{figures['gaps_p50_ms']}** | {figures['gaps_p95_ms']} |"
    )
    if cfg.out:
        Path(cfg.out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
