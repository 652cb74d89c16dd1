"""Messages of Locust's master/worker protocol, made by Locust itself.

capture OUT: writes one message per line, "type hex", each serialized by
locust.rpc.protocol.Message with payloads Locust builds: a stats report
from a real RequestStats, the spawn data and options a real master sends.
check IN: reads lines "type hex" and compares each with the message
captured of that type, after Locust's own unserialize.
"""
import sys
import time

from locust import events as _events
from locust.argument_parser import parse_options
from locust.event import Events
from locust.rpc.protocol import Message
from locust.stats import RequestStats, setup_distributed_stats_event_listeners

NODE = "worker-host_0123456789abcdef"


def messages():
    ev = Events()
    stats = RequestStats()
    setup_distributed_stats_event_listeners(ev, stats)
    for rt in (3, 57, 140, 1234.5, 15000):
        stats.log_request("POST", "chat", rt, 120)
    stats.log_request("GET", "/v1/models", 4, 800)
    stats.log_request("POST", "chat", 9, 0)
    stats.log_error("POST", "chat", "HTTP 500: 'overloaded'")
    report = {}
    ev.report_to_master.fire(client_id=NODE, data=report)
    report["user_classes_count"] = {"ChatUser": 3}
    report["user_count"] = 3
    opts = vars(parse_options(["--headless", "-u", "10", "-r", "5", "-t", "15s"]))
    return [
        Message("client_ready", "2.47.0", NODE),
        Message("ack", {"index": 1}, NODE),
        Message("spawn", {"timestamp": time.time(), "user_classes_count": {"ChatUser": 3, "Other": 0},
                          "host": "http://127.0.0.1:8000", "stop_timeout": 2.5, "parsed_options": opts}, NODE),
        Message("spawning", None, NODE),
        Message("spawning_complete", {"user_classes_count": {"ChatUser": 3}, "user_count": 3}, NODE),
        Message("stats", report, NODE),
        Message("heartbeat", {"state": "running", "current_cpu_usage": 12.5, "current_memory_usage": 41943040}, NODE),
        Message("heartbeat", None, NODE),
        Message("client_stopped", None, NODE),
        Message("stop", None, NODE),
        Message("quit", None, NODE),
        Message("reconnect", None, NODE),
        Message("exception", {"msg": "boom", "traceback": "scenario.lua:3: boom"}, NODE),
        Message("logs", {"worker_id": NODE, "logs": ["a line", "another"]}, NODE),
    ]


def key(m):
    # Two heartbeats: the worker's and the master's answer.
    return m.type + ("" if m.data is None else "+")


def normal(report):
    """A report without its clock: times dropped, per-second counts summed."""
    def entry(e):
        e = dict(e)
        for k in ("start_time", "last_request_timestamp"):
            e[k] = e[k] is not None
        for k in ("num_reqs_per_sec", "num_fail_per_sec"):
            e[k] = sum(e[k].values())
        e["total_response_time"] = round(e["total_response_time"], 6)
        return e
    errors = {k: {**v, "first_seen": v["first_seen"] is not None, "last_seen": v["last_seen"] is not None}
              for k, v in report["errors"].items()}
    rows = sorted((entry(e) for e in report["stats"]), key=lambda e: (e["name"], e["method"]))
    return {**report, "stats": rows, "stats_total": entry(report["stats_total"]),
            "errors": errors}


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "report":
        want = normal(next(m for m in messages() if m.type == "stats").data)
        with open(path) as f:
            got = normal(Message.unserialize(bytes.fromhex(f.read().strip())).data)
        for k in sorted(set(want) | set(got)):
            if want.get(k) != got.get(k):
                print(f"{k}:\n  ours   {got.get(k)!r}\n  Locust {want.get(k)!r}")
                sys.exit(1)
        return
    if mode == "capture":
        with open(path, "w") as f:
            for m in messages():
                f.write(f"{key(m)} {m.serialize().hex()}\n")
        return
    want = {}
    with open(path + ".locust") as f:
        for line in f:
            k, h = line.split()
            want[k] = Message.unserialize(bytes.fromhex(h))
    bad = 0
    seen = set()
    with open(path) as f:
        for line in f:
            k, h = line.split()
            got = Message.unserialize(bytes.fromhex(h))
            w = want[k]
            seen.add(k)
            if (got.type, got.data, got.node_id) != (w.type, w.data, w.node_id):
                bad += 1
                print(f"{k}: got {got.type!r} {got.data!r} {got.node_id!r}\n  want {w.type!r} {w.data!r} {w.node_id!r}")
    for k in want:
        if k not in seen:
            bad += 1
            print(f"{k}: not sent back")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
