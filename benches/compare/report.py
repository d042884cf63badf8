"""BENCHMARKS.md and the latency chart from the suite's results (results.json's shape)."""

from __future__ import annotations

import os
from pathlib import Path

from run import ENGINES

GIB = 1024 * 1024  # KiB in a GiB

# Part 4 of issue 8: (label, size, value getter, comparison, limit, unit)
TARGETS = [
    ("top-20 match, in-process, p50", 100_000, lambda s: s["engines"]["jobmatch"].get("p50_us"), "<=", 300, "µs"),
    ("top-20 match over HTTP, sequential keep-alive, p50", 100_000, lambda s: s["engines"]["http1"].get("p50_us"), "<=", 2000, "µs"),
    ("matches/s with 4 clients", 100_000, lambda s: s["engines"]["http4"].get("throughput_per_s"), ">=", 1500, "/s"),
    ("p99 with 4 clients", 100_000, lambda s: s["engines"]["http4"].get("p99_us"), "<=", 20_000, "µs"),
    ("top-20 match, in-process, p50", 1_000_000, lambda s: s["engines"]["jobmatch"].get("p50_us"), "<=", 5000, "µs"),
    ("peak RSS of jobmatch serve", 1_000_000, lambda s: s["rss_kib"].get("jobmatch_serve"), "<=", 1.5 * GIB, "KiB"),
    ("every participant of 10k, top 10 each", 100_000, lambda s: s.get("caseload", {}).get("seconds"), "<=", 20, " s"),
    ("`jobmatch import`", None, lambda s: s["build"]["jobmatch_import"]["per_s"], ">=", 50_000, "/s"),
    ("opening creates over HTTP, 8 clients", None, lambda s: s["writes_http_8_clients"]["throughput_per_s"], ">=", 1000, "/s"),
]


def fmt_us(us):
    if us is None:
        return "–"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.0f} µs"


def fmt_value(v, unit):
    if v is None:
        return "not measured"
    if unit == "µs":
        return fmt_us(v)
    if unit == "KiB":
        return f"{v / GIB:.2f} GiB"
    if unit == " s":
        return f"{v:.1f} s"
    return f"{v:,.0f}{unit}"


def fmt_limit(v, unit):
    if unit == "KiB":
        return f"{v / GIB:.1f} GiB"
    if unit == "µs":
        return fmt_us(v)
    return f"{v:,.0f}{unit}"


def chart(results, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # A fixed hash salt keeps the SVG's ids the same from run to run, so diffs show data only.
    matplotlib.rcParams["svg.hashsalt"] = "jobmatch-compare"
    sizes = sorted(int(n) for n in results["sizes"])
    fig, ax = plt.subplots(figsize=(8, 5))
    styles = {"match": "-", "search": "--"}
    for key, (label, kind) in ENGINES.items():
        xs, ys = [], []
        for n in sizes:
            p50 = results["sizes"][str(n)]["engines"][key].get("p50_us")
            if p50 is not None:
                xs.append(n)
                ys.append(p50 / 1000)
        if xs:
            ax.plot(xs, ys, styles[kind], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("open openings in the corpus")
    ax.set_ylabel("p50 latency (ms, log scale)")
    ax.set_title("Top-20 match (solid) and two-word search (dashed), median of interleaved runs")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def markdown(results, chart_path: Path, out_path: Path) -> str:
    m = results["machine"]
    cfg = results["config"]
    sizes = sorted(int(n) for n in results["sizes"])
    L = []
    add = L.append
    add("# Benchmarks")
    add("")
    add(f"Written by `benches/compare/run.py --sizes {','.join(map(str, sizes))}` "
        f"({cfg['reps']} interleaved repetition{'s' if cfg['reps'] > 1 else ''}; commit `{results['commit']}`, {results['generated']}). "
        "Do not edit by hand: re-run the suite (see `benches/compare/README.md`).")
    if cfg["ci"]:
        add("")
        add("**CI mode: one short repetition; the figures show the suite works, not how fast anything is.**")
    add("")
    add(f"**Machine:** {m['cores']} cores, {m['cpu']}, {m['ram_gib']} GiB RAM, Linux {m['kernel']}; "
        f"PostgreSQL {m['postgresql']}, SQLite {m['sqlite']}, {m['wrk']}.")
    add("")
    loads = ", ".join(
        f"{int(n):,}: {results['sizes'][n]['load_average']['before'][0]:.1f} → {results['sizes'][n]['load_average']['after'][0]:.1f}"
        for n in results["sizes"] if "load_average" in results["sizes"][n])
    add(f"**Load average (1 min) before → after the passes**, per size: {loads}. "
        "Above 0 means another process shared the cores while this ran.")
    add("")
    c = results["corpus"]
    src = ("the real 2024 ad counts per SSYK group × municipality and the groups' asked-for skills "
           "(`../shared/reference/labour_market/`)" if c["source"] == "reference" else
           "**the product's own fixtures with uniform weights (../shared/reference was absent)**")
    add(f"**Corpus:** seed {c['seed']}, dated from {c['today']}, shaped by {src}; {c['employers']:,} employers; "
        f"{cfg['profiles']} participant profiles; top {cfg['top_k']}. The corpus of n openings is the first n of one stream.")
    add("")

    add("## Targets (issue 8, part 4)")
    add("")
    add("| target | size | limit | measured | |")
    add("|---|---|---|---|---|")
    for label, size, get, op, limit, unit in TARGETS:
        n = size if size is not None else max(sizes)
        s = results["sizes"].get(str(n))
        v = get(s) if s else None
        verdict = "–" if v is None else (
            "**met**" if (v <= limit if op == "<=" else v >= limit) else "**missed**")
        add(f"| {label} | {n:,} | {op.replace('<=', '≤').replace('>=', '≥')} {fmt_limit(limit, unit)} | "
            f"{fmt_value(v, unit)} | {verdict} |")
    add("")

    add("## Latency")
    add("")
    add("p50 / p95 / p99 of each pass, median over the repetitions. Ratio: the engine's p50 over jobmatch "
        "in-process (matching) or over jobmatch's own search (searching); above 1 is slower than jobmatch.")
    add("")
    for n in sizes:
        s = results["sizes"][str(n)]
        add(f"### {n:,} openings")
        add("")
        add("| engine | p50 | p95 | p99 | throughput | ratio p50 | samples/pass |")
        add("|---|---|---|---|---|---|---|")
        for key, (label, kind) in ENGINES.items():
            e = s["engines"][key]
            if "p50_us" not in e:
                continue
            base = s["engines"]["jobmatch" if kind == "match" else "jobmatch_search"].get("p50_us")
            ratio = f"{e['p50_us'] / base:.2f}×" if base else "–"
            tput = f"{e['throughput_per_s']:,.0f}/s" if "throughput_per_s" in e else "–"
            add(f"| {label} | {fmt_us(e['p50_us'])} | {fmt_us(e['p95_us'])} | {fmt_us(e['p99_us'])} | {tput} | "
                f"{ratio} | {e['samples']:,.0f} |")
        add("")
        hits = {k: s["engines"][k].get("mean_hits") for k in ("jobmatch_search", "tantivy", "fts5")}
        add("Mean hits per search (a check, not a score): " + ", ".join(
            f"{ENGINES[k][0]} {v:,.1f}" for k, v in hits.items() if v is not None)
            + f". Mean results per match: jobmatch {s['engines']['jobmatch'].get('mean_results', 0):.1f}, "
            f"PostgreSQL {s['engines']['postgres'].get('mean_results', 0):.1f}.")
        add("")

    rel = os.path.relpath(chart_path, out_path.parent)
    add(f"![p50 latency against corpus size per engine]({rel})")
    add("")

    add("## Build, import and memory")
    add("")
    add("| size | `jobmatch import` | `jobmatch reindex` | serve ready | PostgreSQL COPY + indexes | tantivy alone | SQLite FTS5 | peak RSS serve | peak RSS in-process | peak RSS import |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        s = results["sizes"][str(n)]
        b = s["build"]
        r = s["rss_kib"]
        mib = lambda k: f"{k / 1024:,.0f} MiB" if k else "–"  # noqa: E731
        add(f"| {n:,} | {b['jobmatch_import']['per_s']:,.0f}/s ({b['jobmatch_import']['seconds']:.1f} s) | "
            f"{b['jobmatch_reindex']['per_s']:,.0f}/s | {b['jobmatch_serve_ready_s']:.1f} s | "
            f"{b['postgres']['per_s']:,.0f}/s ({b['postgres']['copy_s']:.1f} + {b['postgres']['index_s']:.1f} s) | "
            f"{b['tantivy_alone']['per_s']:,.0f}/s | {b['sqlite_fts5']['per_s']:,.0f}/s | "
            f"{mib(r.get('jobmatch_serve'))} | {mib(r.get('jobmatch_in_process_engine'))} | {mib(r.get('jobmatch_import'))} |")
    add("")
    add("Peak RSS is VmHWM from `/proc` (serve, the in-process runner: engine plus the scan's copy of "
        "every opening's features) and `/usr/bin/time -v` (import).")
    add("")

    add("## Writes over HTTP")
    add("")
    add("| size | opening creates/s, 8 clients | p50 | p99 |")
    add("|---|---|---|---|")
    for n in sizes:
        w = results["sizes"][str(n)]["writes_http_8_clients"]
        add(f"| {n:,} | {w['throughput_per_s']:,.0f} | {fmt_us(w['p50_us'])} | {fmt_us(w['p99_us'])} |")
    add("")

    if any("caseload" in results["sizes"][str(n)] for n in sizes):
        c = results["sizes"][str(sizes[0])].get("caseload") or {}
        add("## A whole caseload at once")
        add("")
        add(f"Every participant of a caseload of {c.get('participants', 0):,} (the 200 profiles are its first), "
            f"top {c.get('k', 10)} each, through `Engine::rank_profiles` (what an allocation ranks first), "
            "in-process on the machine's cores; wall clock of one pass.")
        add("")
        add("| size | seconds | participants/s | results per participant |")
        add("|---|---|---|---|")
        for n in sizes:
            c = results["sizes"][str(n)].get("caseload")
            if c:
                add(f"| {n:,} | {c['seconds']:.1f} | {c['participants'] / c['seconds']:,.0f} | {c['mean_results']:.1f} |")
        add("")

    add("## How each engine is measured")
    add("")
    add("- **jobmatch in-process**: `Engine::match_profile` (what `POST /v1/match` calls) on an engine opened "
        "with `Application::build` over the imported data directory; every profile in turn. The openings "
        "a match presents are kept between requests (`src/service/presented.rs`), so the 200 profiles' "
        "results come from memory after their first match, over HTTP too.")
    add("- **jobmatch HTTP**: `jobmatch serve` (release) on loopback, `POST /v1/match?limit=20` with a "
        "matcher's token; wrk with one thread rotating over the 200 profiles: 1 connection (sequential, "
        "keep-alive) and closed loops of 4 and 16. The client shares the 2 cores with the server.")
    add("- **core brute-force scan**: `rank::rank_openings` over the features of every open opening, built once.")
    add("- **PostgreSQL**: skills as `text[]` with GIN, `earthdistance` over `cube` with a GiST index, "
        "`to_tsvector('swedish', …)` with GIN, the weighted mean of jobmatch's categories in SQL, top 20; "
        "a prepared statement through psycopg.")
    add(f"- Every per-query pass stops after {cfg['pass_budget_s']:.0f} s once it has 20 samples (samples/pass shows how many it took).")
    add("- **search**: the same two-word AND queries (two words of one real opening's text, first \"lager truck\"), "
        "top 20 by relevance: jobmatch's own `Engine::search` (with the rows from SQLite), tantivy alone "
        "(stock Swedish stemmer) and SQLite FTS5 (unicode61, no stemming) through Python's sqlite3. "
        "jobmatch's search is not the plain AND: its parser ORs the words and adds compound prefixes "
        "(`lager` finds `lagerarbetare`), hence its larger hit counts; tantivy alone and FTS5 are the AND.")
    add("")
    plan = results["sizes"][str(max(sizes))].get("postgres_plan")
    if plan:
        add(f"<details><summary>PostgreSQL's plan for the first profile at {max(sizes):,}</summary>")
        add("")
        add("```")
        add(plan)
        add("```")
        add("</details>")
        add("")
    return "\n".join(L)
