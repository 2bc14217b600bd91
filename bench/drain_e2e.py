#!/usr/bin/python3
"""Backlog drain, end to end over TLS: how fast gridgated empties a store of 1,000,000
unacknowledged readings into mosquitto once the broker is back, while live polling goes on.

1. The backlog. Either gridgated polls --fill-meters metersim meters (350 points each,
   every 100 ms) with its broker down until the store holds --readings unacknowledged
   readings (--fill poll, the default), or store_fill writes them (--fill store_fill,
   needs <build>/bin/store_fill). The filled store is kept as a seed and copied for every
   run, so each batch/in-flight combination drains the same backlog.
2. Per run (--batch x --inflight, lists allowed): a persistent subscriber session is
   registered on a plain listener, gridgated starts on a copy of the seed with its TLS
   broker port closed and --live-meters meters polled every --live-interval, the broker
   (mosquitto, TLS for gridgated with a throwaway CA and a certificate for 127.0.0.1,
   plain for the subscriber) restarts with both listeners, and the script watches.
3. Printed per run: the backlog (last_seq when the broker came up), the wait for
   gridgated's reconnect (its backoff), the drain time from the first batch at the
   subscriber until it holds every seq of the backlog and until gridgated's cursor
   passes it, readings/s, gridgated's CPU (cores) and peak RSS during the drain (VmHWM,
   reset when the broker starts), plus mosquitto's and the subscriber's CPU.

Figures only: nothing is asserted on time. Targets: 1M readings in <= 5 s, RSS <= 64 MB.

usage: bench/drain_e2e.py [--readings 1000000] [--batch 1000,5000] [--inflight 32,64]
                          [--repeat 1] [--fill poll|store_fill] [--live-meters 3]
                          [--live-interval 1s] [--build build]
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "durability"))
import faultkit as fk  # noqa: E402
from faultkit import h  # noqa: E402

LIVE_GW = fk.GW


def bench_template(counters=150, analogs=200):
    lines = ["  - id: bench", "    points:"]
    for i in range(counters):
        lines.append("      - {name: c%d, table: holding, address: %d, type: u32, scale: 0.001, unit: kWh}" % (i, 2 * i))
    for i in range(analogs):
        lines.append("      - {name: a%d, table: input, address: %d, type: s16, full_scale: 530, unit: V}" % (i, i))
    return "\n".join(lines) + "\n"


def config(path, data_dir, sock, mqtt_port, ca, ports, interval, batch, inflight):
    meters = "".join("  - {id: %s, host: 127.0.0.1, port: %d, template: bench, poll_interval: %s, "
                     "response_timeout: 2s}\n" % (m, p, interval) for m, p in sorted(ports.items()))
    h.write_config(path, (
        "gateway: {id: %s, data_dir: %s, control_socket: %s, log_level: warn}\n"
        "mqtt: {host: 127.0.0.1, port: %d, batch_max_readings: %d, inflight_batches: %d,"
        " tls: {enabled: true, ca_file: %s}}\n"
        "store: {commit_interval: 100ms, sync: full}\n"
        "templates:\n%smeters:\n%s") % (LIVE_GW, data_dir, sock, mqtt_port, batch, inflight, ca, bench_template(),
                                        meters))


def fill_by_polling(wd, args, tls, sim_ports):
    """gridgated polls every meter fast with its broker down until the backlog is there."""
    cfg = wd.file("fill.yaml")
    config(cfg, wd.file("seed"), wd.file("fill.sock"), h.free_port(), tls["ca"], sim_ports, "100ms", 1000, 32)
    gw = fk.Daemon(wd, cfg)
    gw.sock = wd.file("fill.sock")
    t0 = time.monotonic()
    gw.start()
    s = gw.wait_status(lambda s: s["store"]["last_seq"] >= args.readings, 600, "%d readings in the store"
                       % args.readings)
    took = time.monotonic() - t0
    gw.stop()
    print("fill: gridgated polled %d meters x 350 points every 100 ms with the broker down: %d readings in %.1f s "
          "(%.0f readings/s committed)" % (len(sim_ports), s["store"]["last_seq"], took, s["store"]["last_seq"] / took))


def fill_with_store_fill(wd, args):
    tool = os.path.join(h.BIN, "store_fill")
    os.makedirs(wd.file("seed"))
    # About 24.5 bytes a reading (docs/store.md): a little more than asked, as reported.
    size = "%dK" % (args.readings * 25 // 1024)
    argv = [tool, os.path.join(wd.file("seed"), "gridgate.db"), "--bytes", size, "--acked-fraction", "0"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    print("fill: %s\n%s" % (" ".join(argv), out.rstrip()))


def one_run(args, root, tls, sim_ports, batch, inflight):
    wd = h.Workdir("gg-drain-run-")
    try:
        shutil.copytree(root.file("seed"), wd.file("data"))
        tls_port, plain_port = h.free_port(), h.free_port()
        broker = fk.Broker(wd, port=tls_port, tls=tls, plain_port=plain_port, persistence=True, start=False)
        # The subscriber's session first, on a plain-only broker with the same store of sessions.
        early_conf = wd.file("early.conf")
        with open(early_conf, "w") as f:
            f.write("user root\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\npersistence true\n"
                    "persistence_location %s/\nlistener %d 127.0.0.1\n" % (wd.path, plain_port))
        early = wd.start("mosquitto-early", ["/usr/sbin/mosquitto", "-c", early_conf])
        h.wait_port(plain_port)
        sub = fk.SeqSubscriber(wd, plain_port, gw=LIVE_GW, name="drain-sub-%d-%d" % (batch, inflight), light=True)
        early.stop(signal.SIGTERM)  # saves the session: messages for it queue from now on

        live = dict(sorted(sim_ports.items())[: args.live_meters])
        cfg = wd.file("gridgate.yaml")
        config(cfg, wd.file("data"), wd.file("gg.sock"), tls_port, tls["ca"], live, args.live_interval, batch, inflight)
        gw = fk.Daemon(wd, cfg)
        gw.start()
        gw.wait_status(lambda s: s["store"]["last_seq"] > 0 and sum(m["polls"] for m in s["meters"]) > 0, 60,
                       "gridgated polling with its broker down")

        before = gw.status()
        backlog = before["store"]["last_seq"]
        broker.start()
        t_up = time.monotonic()
        peak_before = fk.reset_peak_rss(gw.proc.pid)
        pids = {"gw": gw.proc.pid, "mosq": broker.proc.pid, "sub": sub.proc.pid}
        cpu0 = None
        t_conn = t_first = t_sub = t_cursor = None
        next_status = 0.0
        deadline = t_up + args.timeout
        while (t_sub is None or t_cursor is None) and time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_status:
                s = gw.status()
                if s and t_conn is None and s["mqtt"]["connects"] > 0:
                    t_conn = now
                    cpu0 = {n: fk.cpu_seconds(p) for n, p in pids.items()}
                if s and t_cursor is None and s["mqtt"]["cursor"] >= backlog:
                    t_cursor = now
                next_status = now + (0.02 if t_conn is None else 0.1)
            if t_conn is not None:
                sub.poll()
                if t_first is None and sub.messages > 0:
                    t_first = now
                if t_sub is None and sub.complete_through() >= backlog:
                    t_sub = now
            time.sleep(0.02)
        t_end = time.monotonic()
        cpu1 = {n: fk.cpu_seconds(p) for n, p in pids.items()}
        mem = fk.memory_kib(gw.proc.pid)
        after = gw.status()
        gw.stop()

        if t_conn is None or t_sub is None:
            print("run batch=%d inflight=%d: INCOMPLETE after %.0f s: subscriber holds 1..%d of %d; gridgated: %s"
                  % (batch, inflight, args.timeout, sub.complete_through(), backlog, (after or {}).get("mqtt")))
            return
        drain = t_sub - t_conn
        window = t_end - t_conn
        print("run batch_max_readings=%d inflight_batches=%d: backlog %d readings" % (batch, inflight, backlog))
        print("  reconnect wait (broker up -> gridgated connected, its backoff)  %6.2f s" % (t_conn - t_up))
        print("  connected -> first batch at the subscriber                      %6.2f s" % (t_first - t_conn))
        print("  connected -> subscriber holds every backlog seq                 %6.2f s  = %9.0f readings/s"
              "   (target 1M in <= 5 s)" % (drain, backlog / drain))
        if t_cursor is not None:
            print("  connected -> gridgated's cursor passes the backlog              %6.2f s  (status polled every 0.1 s)"
                  % (t_cursor - t_conn))
        print("  gridgated CPU %.2f cores, peak RSS during the drain %.1f MiB (target <= 64); peak over its run %.1f MiB"
              % ((cpu1["gw"] - cpu0["gw"]) / window, mem["VmHWM"] / 1024, max(peak_before, mem["VmHWM"]) / 1024))
        print("  mosquitto CPU %.2f cores, subscriber CPU %.2f cores; live readings committed meanwhile %d"
              % ((cpu1["mosq"] - cpu0["mosq"]) / window, (cpu1["sub"] - cpu0["sub"]) / window,
                 after["store"]["last_seq"] - backlog if after else -1))
        print("  gridgated: batches published %d, resent %d, connects %d"
              % (after["mqtt"]["batches_published"], after["mqtt"]["resent_batches"], after["mqtt"]["connects"]))
    finally:
        wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--readings", type=int, default=1_000_000)
    ap.add_argument("--batch", default="1000,5000", help="batch_max_readings values, comma separated")
    ap.add_argument("--inflight", default="32,64", help="inflight_batches values, comma separated")
    ap.add_argument("--fill", choices=["poll", "store_fill"], default="poll")
    ap.add_argument("--fill-meters", type=int, default=30)
    ap.add_argument("--live-meters", type=int, default=3)
    ap.add_argument("--live-interval", default="1s")
    ap.add_argument("--repeat", type=int, default=1, help="runs per combination")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    args = ap.parse_args()
    h.BIN = os.path.join(os.path.abspath(args.build), "bin")
    print("command: %s" % " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print("machine: %d cores shared by gridgated, mosquitto, metersim, the subscriber and this script; "
          "load average %s" % (os.cpu_count(), load))

    root = h.Workdir("gg-drain-")
    try:
        tls = fk.make_tls_certs(root)
        sim, sim_ports = h.start_metersim(root, max(args.fill_meters, args.live_meters))
        if args.fill == "store_fill":
            fill_with_store_fill(root, args)
        else:
            fill_by_polling(root, args, tls, sim_ports)
        for batch in (int(b) for b in args.batch.split(",")):
            for inflight in (int(i) for i in args.inflight.split(",")):
                for _ in range(args.repeat):
                    one_run(args, root, tls, sim_ports, batch, inflight)
        sim.stop()
    finally:
        root.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")


if __name__ == "__main__":
    main()
