"""Replays request logs through Locust's own stats code and prints the CSV
text and console tables it would write, so the Go tests can compare ours
byte for byte.

Reads JSON from stdin: {"start", "steps": [{"op": "log"|"exception"|"csv",
"t", ...}]} and writes a JSON list with, for each "csv" step, the text of
the stats, failures and exceptions tables, of the history rows (plain and
full) and of the final console report. Time is simulated by replacing the clock of Locust's stats module.
"""

import csv
import io
import json
import sys
import tempfile
import types

import locust.stats as ls

clock = [0.0]
ls.time = types.SimpleNamespace(time=lambda: clock[0])
ls.STATS_NAME_WIDTH = 80  # the width Locust uses when not on a terminal


def text(write):
    buf = io.StringIO()
    write(csv.writer(buf))
    return buf.getvalue()


def console(stats):
    # What Locust logs at the end of a headless run: print_stats,
    # print_percentile_stats and print_error_report, one line each.
    lines = ls.get_stats_summary(stats, current=False) + [""]
    lines += ls.get_percentile_stats_summary(stats) + [""]
    if stats.errors:
        lines += ls.get_error_report_summary(stats)
    return "".join(line + "\n" for line in lines)


def tables(env, tmp, now):
    plain = ls.StatsCSV(env, ls.PERCENTILES_TO_REPORT)
    history = ls.StatsCSVFileWriter(env, ls.PERCENTILES_TO_REPORT, tmp + "/plain", False)
    full = ls.StatsCSVFileWriter(env, ls.PERCENTILES_TO_REPORT, tmp + "/full", True)
    out = {
        "stats": text(plain.requests_csv),
        "failures": text(plain.failures_csv),
        "exceptions": text(plain.exceptions_csv),
        "history": text(lambda w: history._stats_history_data_rows(w, now)),
        "full_history": text(lambda w: full._stats_history_data_rows(w, now)),
        "console": console(env.stats),
    }
    history.close_files()
    full.close_files()
    return out


def main():
    req = json.load(sys.stdin)
    clock[0] = req["start"]
    stats = ls.RequestStats()
    runner = types.SimpleNamespace(exceptions={}, user_count=0)
    env = types.SimpleNamespace(stats=stats, runner=runner)
    answers = []
    with tempfile.TemporaryDirectory() as tmp:
        for step in req["steps"]:
            clock[0] = step.get("t", clock[0])
            if step["op"] == "log":
                # Real Locust times requests as floats; JSON would turn 147.0 into 147.
                stats.log_request(step["method"], step["name"], float(step["rt"]), step["len"])
                if step.get("err"):
                    stats.log_error(step["method"], step["name"], step["err"])
            elif step["op"] == "exception":
                row = runner.exceptions.setdefault(
                    step["tb"], {"count": 0, "msg": step["msg"], "traceback": step["tb"], "nodes": set()}
                )
                row["count"] += 1
                row["nodes"].add(step["node"])
            elif step["op"] == "csv":
                runner.user_count = step["users"]
                answers.append(tables(env, tmp, clock[0]))
    json.dump(answers, sys.stdout)


main()
