#!/usr/bin/python3
"""Polling throughput, end to end: metersim (N JEMStar II meters on loopback Modbus TCP)
-> gridgated (poll, decode, group-commit to SQLite with full fsync) -> mosquitto (QoS 1)
-> a subscriber. Prints readings/s acknowledged by the broker, the daemon's CPU use in
cores and its RSS, next to the targets. Figures only: it never fails on time.

usage: bench/poll_throughput.py [--meters 30] [--interval 100ms] [--seconds 10] [--build build]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "e2e"))
import harness as h  # noqa: E402

cpu_seconds = h.cpu_seconds
memory_kib = h.memory_kib


def template(n_counters, n_analogs):
    lines = ["  - id: bench", "    points:"]
    for i in range(n_counters):
        lines.append("      - {name: c%d, table: holding, address: %d, type: u32, scale: 0.001, unit: kWh}" % (i, 2 * i))
    for i in range(n_analogs):
        lines.append("      - {name: a%d, table: input, address: %d, type: s16, full_scale: 530, unit: V}" % (i, i))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meters", type=int, default=30)
    ap.add_argument("--interval", default="100ms")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--counters", type=int, default=150)
    ap.add_argument("--analogs", type=int, default=200)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    args = ap.parse_args()
    h.BIN = os.path.join(os.path.abspath(args.build), "bin")

    wd = h.Workdir("gg-bench-")
    try:
        _mosq, mqtt_port = h.start_mosquitto(wd)
        sim, ports = h.start_metersim(wd, args.meters)
        meters = "".join(
            "  - {id: %s, host: 127.0.0.1, port: %d, template: bench, poll_interval: %s, response_timeout: 2s}\n"
            % (m, p, args.interval) for m, p in sorted(ports.items()))
        cfg = wd.file("gridgate.yaml")
        sock = wd.file("gg.sock")
        h.write_config(cfg, (
            "gateway: {id: bench, data_dir: %s, control_socket: %s, log_level: warn}\n"
            "mqtt: {host: 127.0.0.1, port: %d, batch_max_readings: 1000, inflight_batches: 32}\n"
            "store: {commit_interval: 100ms, sync: full}\n"
            "templates:\n%smeters:\n%s") % (wd.file("data"), sock, mqtt_port, template(args.counters, args.analogs), meters))
        sub = subprocess.Popen(["mosquitto_sub", "-p", str(mqtt_port), "-q", "1", "-t", "gridgate/bench/readings"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        gw = h.gridgated(wd, cfg)

        def status():
            rc, out, err = h.gridgatectl(sock, "--json", "status")
            return json.loads(out) if rc == 0 else None

        h.wait_until(lambda: (status() or {}).get("mqtt", {}).get("readings_acked", 0) > 0, 30, "first acks")
        time.sleep(2)  # warm-up: connections open, WAL grown
        s0, c0, g0, t0 = status(), cpu_seconds(gw.pid), cpu_seconds(sim.pid), time.monotonic()
        time.sleep(args.seconds)
        s1, c1, g1, t1 = status(), cpu_seconds(gw.pid), cpu_seconds(sim.pid), time.monotonic()
        mem = memory_kib(gw.pid)
        elapsed = t1 - t0
        acked = s1["mqtt"]["readings_acked"] - s0["mqtt"]["readings_acked"]
        committed = s1["store"]["last_seq"] - s0["store"]["last_seq"]
        polls = sum(m["polls"] for m in s1["meters"]) - sum(m["polls"] for m in s0["meters"])
        overruns = sum(m["overruns"] for m in s1["meters"])
        failed = sum(m["polls_failed"] for m in s1["meters"])
        offered = args.meters * (args.counters + args.analogs) / (h_interval_seconds(args.interval))
        print("poll_throughput: %d meters x %d points every %s (offered %.0f reads/s), %.1f s window"
              % (args.meters, args.counters + args.analogs, args.interval, offered, elapsed))
        print("  committed to store   %10.0f readings/s" % (committed / elapsed))
        print("  acked by mosquitto   %10.0f readings/s   (target >= 100000)" % (acked / elapsed))
        print("  polls                %10.0f /s, overruns %d, failed polls %d" % (polls / elapsed, overruns, failed))
        print("  gridgated CPU        %10.2f cores        (target < 0.5)" % ((c1 - c0) / elapsed))
        print("  gridgated RSS        %10.1f MiB now, %.1f MiB peak (target < 64)"
              % (mem["VmRSS"] / 1024, mem["VmHWM"] / 1024))
        print("  metersim CPU         %10.2f cores" % ((g1 - g0) / elapsed))
        gw.stop(signal.SIGTERM, 30)
        sub.terminate()
        sub.wait()
    finally:
        wd.cleanup()


def h_interval_seconds(text):
    for unit, mult in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * mult
    raise ValueError(text)


if __name__ == "__main__":
    main()
