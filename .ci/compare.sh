#!/usr/bin/env bash
# CI: the comparison suite at its smallest size (10k openings), one short repetition, so it
# cannot rot. It fails when something breaks (a build, an engine, an HTTP error, an empty
# answer), never on timing. Installs what it needs (wrk, GNU time; psycopg and matplotlib from
# PyPI). Writes to a scratch directory, not to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [ ! -d ../shared/reference ]; then
  echo "compare: ../shared/reference is absent; the corpus uses the product's fixtures (fixtures/taxonomy) instead" >&2
fi
python3 benches/compare/run.py --ci \
  --out "$out/BENCHMARKS.md" --results "$out/results.json" --chart "$out/latency.svg"
echo "compare: the suite ran at 10k; its report is below"
sed -n '1,60p' "$out/BENCHMARKS.md"
