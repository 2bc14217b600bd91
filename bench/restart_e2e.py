#!/usr/bin/python3
"""Restart after SIGKILL, end to end: how long a gridgated killed with SIGKILL takes, once
started again, until it forwards anew, on a big store (1 GB by default, written by
store_fill) and, for comparison, on a small one.

For each store: gridgated runs (3 metersim meters polled every 100 ms, a real mosquitto,
a subscriber with mosquitto_sub -q 1) until the broker acknowledges its batches; then,
--kills times: it runs a moment, is killed with SIGKILL, and is started again on the same
store. Printed per restart:

- control socket answering (gridgatectl status works: configuration read, store opened);
- first new batch at the subscriber (published after the restart; the broker forwards a
  message before it PUBACKs it, so this is the publish time plus a loopback hop);
- first batch acknowledged (gridgatectl status: mqtt.batches_acked >= 1; status polled
  every 50 ms, so up to 50 ms late).

Figures only: nothing is asserted on time. Target: <= 3 s from restart to the first
acknowledged batch on the 1 GB store. Needs <build>/bin/store_fill (bench/store.cmake).
--cold drops the machine's page cache before every start (root): the store is then read
from disk as after a power cut, not from the cache a SIGKILL leaves warm.

usage: bench/restart_e2e.py [--store-bytes 1G] [--small-bytes 10M] [--acked-fraction 0.99]
                            [--kills 3] [--cold] [--build build]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "durability"))
import faultkit as fk  # noqa: E402
from faultkit import h  # noqa: E402


def fill(path, size, acked_fraction):
    argv = [os.path.join(h.BIN, "store_fill"), path, "--bytes", size, "--acked-fraction", str(acked_fraction)]
    t0 = time.monotonic()
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    print("  %s  (%.0f s)" % (" ".join([os.path.basename(argv[0])] + argv[1:]), time.monotonic() - t0))
    for line in out.rstrip().splitlines()[1:]:
        print("    " + line.strip())


def drop_page_cache():
    """The whole machine's clean page cache goes (root only): the store is then read from
    disk, as after a power cut rather than a SIGKILL."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")


def measure_restart(gw, sub, timeout, cold=False):
    """Starts gridgated and returns seconds until (control socket, first new batch at the
    subscriber, first acknowledged batch); None for what did not happen in time."""
    if cold:
        drop_page_cache()
    sub.poll()
    seen = sub.messages
    t0 = time.monotonic()
    gw.start()
    t_ctl = t_pub = t_ack = None
    next_status = t0
    while (t_pub is None or t_ack is None) and time.monotonic() - t0 < timeout:
        now = time.monotonic()
        if t_pub is None:
            sub.poll()
            if sub.messages > seen:
                t_pub = now - t0
        if t_ack is None and now >= next_status:
            s = gw.status()
            if s is not None:
                t_ctl = t_ctl if t_ctl is not None else now - t0
                if s["mqtt"]["batches_acked"] >= 1:
                    t_ack = now - t0
            next_status = now + 0.05
        time.sleep(0.01)
    return t_ctl, t_pub, t_ack


def one_store(args, label, size, sim_ports, broker):
    wd = h.Workdir("gg-restart-")
    try:
        print("%s store:" % label)
        os.makedirs(wd.file("data"))
        db = os.path.join(wd.file("data"), "gridgate.db")
        if size:
            fill(db, size, args.acked_fraction)
        cfg = fk.daemon_config(wd, broker.port, sim_ports, batch=500, inflight=16, poll_interval="100ms")
        sub = fk.SeqSubscriber(wd, broker.port, name="restart-%s" % label.split()[0], light=True)
        gw = fk.Daemon(wd, cfg)
        first = measure_restart(gw, sub, args.timeout, args.cold)
        print("  first start: control socket %s, first batch at subscriber %s, first ack %s"
              % tuple(fmt(t) for t in first))
        rows = []
        for _ in range(args.kills):
            time.sleep(1.0)  # forwarding for a moment (not an assertion)
            gw.kill9()
            time.sleep(0.3)  # let the broker deliver what the killed run published
            rows.append(measure_restart(gw, sub, args.timeout, args.cold))
            print("  SIGKILL + restart: control socket %s, first new batch at subscriber %s, "
                  "first batch acknowledged %s" % tuple(fmt(t) for t in rows[-1]))
        acks = [r[2] for r in rows if r[2] is not None]
        if acks:
            print("  => restart to first acknowledged batch: median %.2f s, min %.2f s, max %.2f s over %d restarts "
                  "(target <= 3 s on 1 GB)" % (statistics.median(acks), min(acks), max(acks), len(acks)))
        s = gw.status()
        if s:
            print("  store last_seq %d, mqtt cursor %d, file %.0f MiB"
                  % (s["store"]["last_seq"], s["mqtt"]["cursor"], os.path.getsize(db) / 2**20))
        gw.stop()
    finally:
        wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")


def fmt(t):
    return "never" if t is None else "%.2f s" % t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store-bytes", default="1G")
    ap.add_argument("--small-bytes", default="10M", help="the comparison store; 0 for an empty one")
    ap.add_argument("--acked-fraction", type=float, default=0.99,
                    help="part of the filled readings already acknowledged (the rest is a backlog)")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--cold", action="store_true",
                    help="drop the page cache (whole machine, root) before each start: a cold store")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    args = ap.parse_args()
    h.BIN = os.path.join(os.path.abspath(args.build), "bin")
    if not os.access(os.path.join(h.BIN, "store_fill"), os.X_OK):
        sys.exit("restart_e2e: %s/store_fill is missing: build it (bench/store.cmake)" % h.BIN)
    print("command: %s" % " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]))
    with open("/proc/loadavg") as f:
        print("machine: %d cores, load average %s" % (os.cpu_count(), " ".join(f.read().split()[:3])))

    root = h.Workdir("gg-restart-root-")
    try:
        broker = fk.Broker(root)
        sim, sim_ports = h.start_metersim(root, 3)
        one_store(args, "big (%s)" % args.store_bytes, args.store_bytes, sim_ports, broker)
        small = None if args.small_bytes in ("0", "") else args.small_bytes
        one_store(args, "small (%s)" % (args.small_bytes if small else "empty"), small, sim_ports, broker)
        sim.stop()
    finally:
        root.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")


if __name__ == "__main__":
    main()
