"""The LP relaxation of an allocation round (shared/oracle/README.md, "allocation/"),
solved by HiGHS, as the baseline of scripts/bench-allocation.sh.

Usage: highs_lp.py DIR WOMEN_SHARE DEPRIVED_SHARE TIER_WEIGHTS WOMEN_BONUS
DIR holds applications.csv and budgets.csv as `taavon allocate-synth` writes them.
Prints one JSON line: the LP objective, HiGHS's solve seconds and the process's peak RSS.
"""

import csv
import json
import resource
import sys
import time

import highspy
import numpy as np


def main() -> None:
    folder, women_share, deprived_share = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    tier_weights = [float(w) for w in sys.argv[4].split(",")]
    women_bonus = float(sys.argv[5])
    budgets = {}
    with open(f"{folder}/budgets.csv", newline="") as f:
        for row in csv.DictReader(f):
            budgets[row["province"]] = float(row["budget"])
    provinces = sorted(budgets)
    row_of = {p: i for i, p in enumerate(provinces)}
    women_row, deprived_row = len(provinces), len(provinces) + 1
    cost, starts, index, value = [], [], [], []
    with open(f"{folder}/applications.csv", newline="") as f:
        for row in csv.DictReader(f):
            amount = float(row["amount"])
            tier = int(row["tier"])
            women = row["women_led"] in ("1", "true")
            cost.append(-(float(row["jobs"]) * tier_weights[tier - 1]
                          + women_bonus * float(row["women_jobs"])))
            starts.append(len(index))
            # Budget row; the two quota rows as Σ amount·(flag − share)·x ≥ 0.
            index += [row_of[row["province"]], women_row, deprived_row]
            value += [amount, amount * ((1.0 if women else 0.0) - women_share),
                      amount * ((1.0 if tier <= 2 else 0.0) - deprived_share)]
    n = len(cost)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(provinces) + 2
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.array([-inf] * len(provinces) + [0.0, 0.0])
    lp.row_upper_ = np.array([budgets[p] for p in provinces] + [inf, inf])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts + [len(index)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    print(json.dumps({
        "status": h.modelStatusToString(h.getModelStatus()),
        "lp_objective": -h.getInfo().objective_function_value,
        "solve_seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
