#!/usr/bin/python3
"""The gateway's wall clock steps forwards and backwards (+1 h, -1 h, +1 day, -1 day)
while it polls two metersim meters: a quick one every second and a slow one whose polls
take about four seconds, so every step lands inside one of its polls. libfaketime moves
only gridgated's wall clock (CLOCK_REALTIME); its monotonic clock, the simulator, the
broker and this test keep real time.

Asserted: no reading is lost or reordered (the store's seqs arrive gapless, in order, one
per point per poll); the quick meter's polls realign after each step with neither a burst
(catching up an hour of slots) nor a gap (waiting out an hour); the slow meter's readings
taken across a step, and only those, carry `clock_step`; each step is logged, counted in
`status` and published once as a `gateway_clock_step` event with its size."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness as h  # noqa: E402

GW = "clock-steps"
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
HOUR = 3600
# Offsets of the daemon's wall clock from real time, one phase each: the steps between
# them are +1 h, -1 h, -1 h, +1 day, -1 day.
OFFSETS = [0, HOUR, 0, -HOUR, 23 * HOUR, -HOUR]


def config_text(wd, mqtt_port, ports):
    # quick: two blocks of registers; slow: one block (a 4 s poll, shorter than a phase, so
    # no poll spans two steps).
    quick = "points: [{name: wh, table: holding, address: 0, type: u32}, {name: varh, table: holding, address: 4, type: u32}]"
    slow = "points: [{name: wh, table: holding, address: 0, type: u32}, {name: varh, table: holding, address: 2, type: u32}]"
    return (
        "gateway: {id: %s, data_dir: %s, control_socket: %s, log_level: info}\n"
        "mqtt: {host: 127.0.0.1, port: %d}\n"
        "store: {commit_interval: 50ms}\n"
        "meters:\n"
        "  - {id: quick, host: 127.0.0.1, port: %d, unit_id: 1, poll_interval: 1s, response_timeout: 2s, %s}\n"
        "  - {id: slow, host: 127.0.0.1, port: %d, unit_id: 1, poll_interval: 1s, response_timeout: 10s, %s}\n"
        % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, ports["jem1"], quick, ports["jem2"], slow))


class ClockSteps(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-clock-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def set_offset(self, seconds):
        # libfaketime reads "+N"/"-N" seconds relative to the real clock; written to a new
        # file and renamed so the daemon never reads half a line.
        tmp = self.offset_file + ".new"
        with open(tmp, "w") as f:
            f.write("%+d\n" % seconds)
        os.replace(tmp, self.offset_file)

    def status(self):
        rc, out, err = h.gridgatectl(self.wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_steps_lose_nothing_and_polls_realign(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        # jem2 answers every request 4 s late: its polls (one block, 4 s, shorter than a
        # phase) run back to back, so every step lands inside one of them, and only one.
        served = wd.file("served.jsonl")
        _sim, ports = h.start_metersim(wd, 2, serve_log=served, extra=["--fault", "jem2=slow:4s"])
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, config_text(wd, mqtt_port, ports))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)

        self.offset_file = wd.file("faketime.rc")
        self.set_offset(OFFSETS[0])
        env = dict(os.environ, LD_PRELOAD=FAKETIME, FAKETIME_TIMESTAMP_FILE=self.offset_file,
                   FAKETIME_DONT_FAKE_MONOTONIC="1", FAKETIME_NO_CACHE="1")
        gw = wd.start("gridgated", [os.path.join(h.BIN, "gridgated"), "--config", cfg], env=env)
        h.wait_until(lambda: os.path.exists(wd.file("gg.sock")), 20, "gridgated's control socket")
        h.wait_until(lambda: any(m["polls"] >= 1 for m in self.status()["meters"] if m["id"] == "slow"), 20,
                     "a first poll of the slow meter")

        def slow_answers():
            with open(served) as f:
                return sum(1 for line in f if '"jem2"' in line)

        def quick_polls():
            return next(m["polls"] for m in self.status()["meters"] if m["id"] == "quick")

        # Each step 2 s after the slow meter answered a poll: its next poll starts within a
        # second of that answer (the next whole-second slot) and lasts 4 s, so the step
        # falls inside it; steps are a poll or more apart, so no poll spans two.
        marks = [(time.monotonic(), quick_polls())]  # (real time, quick polls) at each step
        for offset in OFFSETS[1:]:
            seen = slow_answers()
            h.wait_until(lambda: slow_answers() > seen, 15, "an answer of the slow meter")
            time.sleep(2)
            self.set_offset(offset)
            marks.append((time.monotonic(), quick_polls()))
        time.sleep(3)
        marks.append((time.monotonic(), quick_polls()))
        steps = [b - a for a, b in zip(OFFSETS, OFFSETS[1:])]

        def step_events():
            found = {}
            for topic, payload in sub.messages():
                if topic == "gridgate/%s/events" % GW:
                    e = json.loads(payload)
                    if e["kind"] == "gateway_clock_step":
                        found[e["id"]] = e
            return [found[i] for i in sorted(found)]

        h.wait_until(lambda: len(step_events()) >= len(steps), 20, "the steps' events on MQTT")
        # The slow meter's poll in flight at the last step must end before the count.
        time.sleep(5)
        st = self.status()
        self.assertEqual(gw.stop(), 0)

        # Realignment: one quick poll a second between steps, whatever the step: neither a
        # burst (catching up the slots of an hour) nor a gap (waiting an hour out).
        for i, ((t0, p0), (t1, p1)) in enumerate(zip(marks, marks[1:])):
            self.assertGreaterEqual(p1 - p0, round(t1 - t0) - 2, "a gap after step %d: %s" % (i, marks))
            self.assertLessEqual(p1 - p0, round(t1 - t0) + 2, "a burst after step %d: %s" % (i, marks))

        # Every step seen once, logged, counted and published with its size.
        self.assertEqual(st["clock"]["clock_steps"], len(steps), st["clock"])
        sizes = [round(e["detail"]["step_ms"] / 60000.0) * 60 for e in step_events()]
        self.assertEqual(sizes, steps)
        with open(wd.file("gridgated.log")) as f:
            log = f.read()
        self.assertEqual(log.count("the wall clock stepped"), len(steps))

        # Nothing lost, nothing reordered: gapless seqs in publication order, and every
        # poll delivered both points of its meter.
        readings = {}
        order = []
        for r in sub.readings():
            if r["seq"] not in readings:
                order.append(r["seq"])
            readings[r["seq"]] = r
        self.assertEqual(order, sorted(order), "published in seq order")
        self.assertEqual(sorted(readings), list(range(1, max(readings) + 1)), "gapless")
        for meter in ("quick", "slow"):
            mine = [readings[s] for s in sorted(readings) if readings[s]["meter"] == meter]
            self.assertEqual(len(mine) % 2, 0)
            self.assertEqual([r["point"] for r in mine], ["wh", "varh"] * (len(mine) // 2))

        # clock_step: on the slow meter's polls that spanned a step, one poll per step
        # (its two readings), and on nothing else of it.
        slow = [readings[s] for s in sorted(readings) if readings[s]["meter"] == "slow"]
        flagged = [r for r in slow if "clock_step" in r["quality"]]
        self.assertEqual(len(flagged), 2 * len(steps), [r["ts"] for r in flagged])
        slow_status = next(m for m in st["meters"] if m["id"] == "slow")
        self.assertEqual(slow_status["clock_step_polls"], len(steps))
        quick_status = next(m for m in st["meters"] if m["id"] == "quick")
        quick_flagged = [r for r in readings.values() if r["meter"] == "quick" and "clock_step" in r["quality"]]
        self.assertEqual(len(quick_flagged), 2 * quick_status["clock_step_polls"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
