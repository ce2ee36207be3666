#!/usr/bin/env bash
# Benchmark of issue 5: `taavon allocate` against HiGHS's LP relaxation (PyPI highspy) on
# the same synthetic round, in the same run. Prints both times, peak memories, the
# objectives and the ratios. A benchmark, never part of the tests.
#
#   scripts/bench-allocation.sh [APPLICATIONS] [SEED]      (default 1000000 7)
#
# The parameters are the CLI's defaults (women 0.3, deprived 0.45, tiers 2,1.5,1.2,1,
# women's bonus 0.5). HiGHS's simplex over a million columns takes tens of minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
seed="${2:-7}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taavon/target}"
cargo build --release -q -p taavon-cli
taavon="$CARGO_TARGET_DIR/release/taavon"
venv="$HOME/.cache/taavon/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q highspy==1.15.1 numpy
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$taavon" allocate-synth --n "$n" --seed "$seed" --out "$dir"
/usr/bin/time -f '%e %M' -o "$dir/time" \
  "$taavon" allocate --applications "$dir/applications.csv" --budgets "$dir/budgets.csv" \
  --out "$dir/funded.csv" > "$dir/summary.json"
"$venv/bin/python" scripts/highs_lp.py "$dir" 0.3 0.45 2,1.5,1.2,1 0.5 > "$dir/highs.json"
python3 - "$dir" "$n" <<'PY'
import json, sys
folder, n = sys.argv[1], int(sys.argv[2])
ours = json.load(open(f"{folder}/summary.json"))
wall, peak_kb = open(f"{folder}/time").read().split()
highs = json.load(open(f"{folder}/highs.json"))
print(f"applications: {n}")
print(f"taavon allocate: {float(wall):.2f} s whole command, peak {int(peak_kb)/1024:.0f} MB; "
      f"objective {ours['objective']:.1f}, its upper bound {ours['upper_bound']:.1f}")
print(f"HiGHS LP ({highs['status']}): {highs['solve_seconds']:.2f} s solve, "
      f"peak {highs['peak_rss_mb']:.0f} MB; LP bound {highs['lp_objective']:.1f}")
print(f"speed: {highs['solve_seconds'] / float(wall):.1f}x faster than HiGHS's LP solve")
print(f"quality: {100 * ours['objective'] / highs['lp_objective']:.4f} % of the LP bound")
PY
