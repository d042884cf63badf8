#!/usr/bin/env python3
"""Import rate of Platsbanken ads, end to end: ads generated in the JobSearch shape from one
seed with the real 2024 distribution of occupation group x municipality and each group's
most asked-for skills (the comparison suite's corpus, ../compare/corpus.py), then

1. `POST /v1/openings/import` to a real `jobmatch serve` (release build), answered once every
   ad is in the database and the search index: the end-to-end rate;
2. the same file again: every ad unchanged (the idempotent re-import's rate);
3. `jobmatch import-ads` into a fresh data directory (database only) and `jobmatch reindex`.

It prints a Markdown table and writes the figures as JSON. Never fails on timing; it fails when
an import does not report every ad as it should.

    python3 benches/ads/run.py --ads 100000 [--target-dir target] [--out results.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "compare"))
import corpus as corpus_mod  # noqa: E402

DRIVING = {}  # licence code -> concept id, from the product's fixtures
SWEDISH_TEXT = [
    "",
    "Du behöver kunna kommunicera på svenska.",
    "Goda kunskaper i svenska i tal och skrift är ett krav.",
    "Flytande svenska är meriterande.",
    "Svenska är inget krav.",
    "Grundläggande svenska räcker.",
]


def log(msg):
    print(f"[ads] {msg}", file=sys.stderr, flush=True)


def load_licences():
    import csv
    with open(REPO / "fixtures/taxonomy/licences.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "driving":
                DRIVING[row["code"]] = row["concept_id"]


def ad_of(i, body, corpus, rng):
    """One opening of the corpus in Platsbanken's JobSearch shape."""
    s = corpus.shapes
    emp = corpus.employers[body["employer_ref"] - 1]
    code = body["occupation"]
    skill = lambda x, w: {"concept_id": x, "label": s.skill_label.get(x, x), "weight": w}
    # Most real ads list no skills; a third here do not, so reading them from text is measured.
    listed = rng.random() > 0.33
    svenska = {"concept_id": "zSLA_vw2_FXN", "label": "Svenska", "weight": 10}
    must_lang = [svenska] if body.get("swedish_required") else []
    nice_lang = [dict(svenska, weight=5)] if body.get("swedish_min") and not must_lang else []
    ad_id = str(40_000_000 + i)
    return {
        "id": ad_id,
        "headline": body["title"],
        "description": {"text": body["description"] + " " + SWEDISH_TEXT[i % len(SWEDISH_TEXT)]},
        "number_of_vacancies": body["places"],
        "application_deadline": body["deadline"] + "T23:59:59",
        "employment_type": {"concept_id": "PFZr_Syz_cUq", "label": "Vanlig anställning"},
        "working_hours_type": {"label": "Heltid" if body["hours"] == "full" else "Deltid"},
        "scope_of_work": {"min": 100, "max": 100} if body["hours"] == "full" else {"min": 50, "max": 75},
        "employer": {"organization_number": emp["org_number"].replace("-", ""), "name": emp["name"]},
        "application_details": {"information": "Ansök via Platsbanken", "via_af": True},
        "webpage_url": f"https://arbetsformedlingen.se/platsbanken/annonser/{ad_id}",
        "driving_license": [{"concept_id": DRIVING[c], "label": c} for c in body["licences"] if c in DRIVING],
        "occupation_group": {"label": s.group_label.get(code, ""), "legacy_ams_taxonomy_id": code},
        "workplace_address": {"municipality_code": body["municipality_code"],
                              "coordinates": [body["location"]["lon"], body["location"]["lat"]]},
        "must_have": {"skills": [skill(x, 10) for x in body["skills_required"]] if listed else [],
                      "languages": must_lang, "work_experiences": []},
        "nice_to_have": {"skills": [skill(x, 5) for x in body["skills_merit"]] if listed else [],
                         "languages": nice_lang, "work_experiences": []},
        "publication_date": (dt.date.today() - dt.timedelta(days=rng.randint(0, 30))).isoformat() + "T00:00:00",
        "removed": False,
        "timestamp": 1_796_083_200_000 + i,
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{p.stderr}")
    return p


def timed(cmd):
    started = time.perf_counter()
    p = run(cmd)
    return p, time.perf_counter() - started


def post_file(port, token, path):
    """Streams the file as the body (chunked), returns (seconds, answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    started = time.perf_counter()
    with open(path, "rb") as body:
        conn.request("POST", "/v1/openings/import", body=body,
                     headers={"authorization": f"Bearer {token}", "content-type": "application/x-ndjson",
                              "content-length": str(path.stat().st_size)})
        r = conn.getresponse()
        answer = json.loads(r.read())
    wall = time.perf_counter() - started
    if r.status != 200:
        sys.exit(f"import answered {r.status}: {answer}")
    return wall, answer


def vm_hwm_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ads", type=int, default=100_000)
    ap.add_argument("--target-dir", type=Path, default=REPO / "target")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=corpus_mod.SEED)
    cfg = ap.parse_args()
    reference = REPO.parent / "shared" / "reference"
    shapes = corpus_mod.load_shapes(REPO, reference)
    if shapes.source != "reference":
        log(f"{reference} is absent: the ads follow the taxonomy's shapes, not the 2024 market's")
    load_licences()
    log("building the release binary")
    env = {**os.environ, "CARGO_TARGET_DIR": str(cfg.target_dir)}
    env.setdefault("CARGO_BUILD_JOBS", "1")
    run(["cargo", "build", "--release", "--locked", "--bin", "jobmatch"], cwd=REPO, env=env)
    jobmatch = cfg.target_dir / "release" / "jobmatch"
    work = Path(tempfile.mkdtemp(prefix="jobmatch-ads-"))
    try:
        corpus = corpus_mod.Corpus(shapes, seed=cfg.seed)
        rng = random.Random(cfg.seed ^ 0xAD)
        ads = work / "ads.jsonl"
        started = time.perf_counter()
        with open(ads, "w", encoding="utf-8") as f:
            for i, body in enumerate(corpus.openings(cfg.ads)):
                f.write(json.dumps(ad_of(i, body, corpus, rng), ensure_ascii=False) + "\n")
        log(f"{cfg.ads} ads written in {time.perf_counter() - started:.1f} s ({ads.stat().st_size / 2**20:.0f} MiB)")
        out = {"ads": cfg.ads, "shapes": shapes.source, "file_mib": ads.stat().st_size / 2**20}

        data = work / "served"
        token = json.loads(run([jobmatch, "token", "create", "--data-dir", data, "--role", "matcher"]).stdout.splitlines()[-1])["token"]
        port = free_port()
        server = subprocess.Popen([str(jobmatch), "serve", "--data-dir", str(data), "--addr", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=open(work / "serve.log", "w"),
                                  env={**os.environ, "RUST_LOG": "warn"})
        try:
            for _ in range(600):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health")
                    break
                except OSError:
                    time.sleep(0.1)
            for key, want in [("first", "created"), ("again", "unchanged")]:
                wall, answer = post_file(port, token, ads)
                s = answer["summary"]
                if s[want] + s["rejected"] != cfg.ads or s["rejected"] > cfg.ads // 100:
                    sys.exit(f"{key} import: {s}")
                out[f"http_{key}"] = {"seconds": wall, "per_s": cfg.ads / wall, "summary": s}
                log(f"HTTP import ({key}): {cfg.ads / wall:,.0f} ads/s end to end ({s})")
            out["serve_peak_rss_mib"] = (vm_hwm_kib(server.pid) or 0) / 1024
        finally:
            server.terminate()
            server.wait(timeout=30)

        cli = work / "cli"
        p, wall = timed([jobmatch, "import-ads", "--data-dir", cli, ads])
        out["cli_import"] = {"seconds": wall, "per_s": cfg.ads / wall, "line": p.stdout.strip()}
        log(f"jobmatch import-ads: {cfg.ads / wall:,.0f} ads/s into the database ({p.stdout.strip()})")
        _, wall = timed([jobmatch, "reindex", "--data-dir", cli])
        out["cli_reindex"] = {"seconds": wall, "per_s": cfg.ads / wall}
        log(f"jobmatch reindex: {cfg.ads / wall:,.0f} openings/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = [
        f"| step ({cfg.ads:,} ads, {out['file_mib']:.0f} MiB, shapes: {out['shapes']}) | seconds | ads/s |",
        "|---|---:|---:|",
        f"| POST /v1/openings/import, database and index | {out['http_first']['seconds']:.1f} | {out['http_first']['per_s']:,.0f} |",
        f"| the same file again (all unchanged) | {out['http_again']['seconds']:.1f} | {out['http_again']['per_s']:,.0f} |",
        f"| jobmatch import-ads, database only | {out['cli_import']['seconds']:.1f} | {out['cli_import']['per_s']:,.0f} |",
        f"| jobmatch reindex | {out['cli_reindex']['seconds']:.1f} | {out['cli_reindex']['per_s']:,.0f} |",
        f"\nserve peak RSS during the imports: {out['serve_peak_rss_mib']:.0f} MiB",
    ]
    print("\n".join(table))
    if cfg.out:
        cfg.out.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
