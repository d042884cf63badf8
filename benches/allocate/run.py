#!/usr/bin/env python3
"""Allocation end to end: n openings and m participants generated from one seed in the shapes
of the real 2024 labour market (the comparison suite's corpus, ../compare/corpus.py), imported
with `jobmatch import`, then `jobmatch allocate --all` (release build) under a priority policy:
every participant's 30 best openings ranked as suggestions rank them, the exact assignment under
the openings' places, the explanations, the fairness figures with and without the policy, and
the stored answer. It prints the wall time of each step and what the allocation placed.

Never fails on timing; it fails when a step fails or the allocation does not account for every
participant.

    python3 benches/allocate/run.py --openings 100000 --participants 10000
"""

from __future__ import annotations

import argparse
import json
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
        }
    print(f"| openings | participants | import s | reindex s | allocate s | placed | mean score | mean own rank |")
    print(f"|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {figures['openings']:,} | {figures['participants']:,} | {figures['import_s']} | "
        f"{figures['reindex_s']} | **{figures['allocate_s']}** | {placed:,} | "
        f"{figures['mean_score']} | {figures['mean_own_rank']} |"
    )
    if cfg.out:
        Path(cfg.out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
