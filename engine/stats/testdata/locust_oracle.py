"""Replays request logs through Locust's own stats code and prints what it
computes, so the Go tests can compare their numbers with Locust's.

Reads JSON from stdin: {"percentiles": [...], "cases": [{"name", "start",
"steps": [{"op": "log"|"reset"|"query", "t", ...}]}]} and writes one JSON
object with the answers of every "query" step. Time is simulated: Locust's
stats module reads the clock through time.time(), which is replaced here.
"""

import json
import sys
import types

import locust.stats as ls

clock = [0.0]
ls.time = types.SimpleNamespace(time=lambda: clock[0])


def entry_view(e, percentiles):
    return {
        "name": e.name,
        "method": e.method,
        "num_requests": e.num_requests,
        "num_failures": e.num_failures,
        "median": e.median_response_time,
        "avg": e.avg_response_time,
        "min": e.min_response_time or 0,
        "max": e.max_response_time,
        "histogram": sorted([k, v] for k, v in e.response_times.items() if v),
        "percentiles": [e.get_response_time_percentile(p) for p in percentiles],
        "current": [e.get_current_response_time_percentile(p) for p in percentiles],
        "current_rps": e.current_rps,
        "current_fail_per_sec": e.current_fail_per_sec,
        "total_rps": e.total_rps,
        "total_fail_per_sec": e.total_fail_per_sec,
        "avg_content_length": e.avg_content_length,
        "fail_ratio": e.fail_ratio,
        "start_time": e.start_time,
        "last_request_timestamp": e.last_request_timestamp,
    }


def query(stats, percentiles):
    return {
        "entries": [entry_view(e, percentiles) for e in ls.sort_stats(stats.entries)],
        "total": entry_view(stats.total, percentiles),
        "errors": [e.to_dict() for e in stats.errors.values()],
    }


def run_case(case, percentiles):
    clock[0] = case["start"]
    stats = ls.RequestStats()
    answers = []
    for step in case["steps"]:
        clock[0] = step["t"]
        if step["op"] == "log":
            # Real Locust times requests as floats; JSON would turn 147.0 into 147.
            stats.log_request(step["method"], step["name"], float(step["rt"]), step["len"])
            if step.get("err"):
                stats.log_error(step["method"], step["name"], step["err"])
        elif step["op"] == "reset":
            stats.reset_all()
        elif step["op"] == "query":
            answers.append(query(stats, percentiles))
    return {"name": case["name"], "queries": answers}


def main():
    req = json.load(sys.stdin)
    out = [run_case(c, req["percentiles"]) for c in req["cases"]]
    json.dump({"cases": out}, sys.stdout)


main()
