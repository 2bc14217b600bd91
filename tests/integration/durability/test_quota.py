#!/usr/bin/python3
"""The store quota at daemon level (docs/configuration.md store.quota_*, docs/store.md
"Quota"): what a full quota loses is exactly what the policy says, counted and audited.

gridgated polls metersim meters of 350 points each (150 kWh counters, 200 analogs) into a
1 MiB quota. To build a backlog without a disconnect, link_proxy.LinkProxy swallows the
readings batches on their way to mosquitto (the link stays up, nothing is acknowledged);
later it lets them through and cuts the link once, so gridgated resends from its cursor.

- drop_oldest (2 meters every 100 ms): the store keeps to its size (main file within
  3 x the quota, WAL within its documented ~4 MB + one transaction, while several times
  the quota goes through); every seq the subscriber never got lies in a quota_dropped
  audit event, their number equals meta.dropped_unacked and the dropped_unacked counter
  in gridgatectl status; the dropped seqs are one contiguous run of the oldest
  unacknowledged ones; everything else arrives; nothing polled is lost before the store
  (sum of meters[].readings = last_seq).
- stop_low_priority (the analogs are priority: low): 3 fast meters fill the store to just
  under the quota and fall silent; a slow meter (every second) then takes it over, slowly
  enough that one quota run (5 s) adds less than the 10 % hard-limit margin. Over the
  quota, its polls read only the 150 counters, gridgatectl status counts the skipped
  low-priority polls, and the audit log has quota_over; once the backlog is delivered
  and pruned, its polls read all 350 points again (quota_ok); every seq not delivered was
  dropped past the hard limit, counted and audited.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultkit as fk  # noqa: E402
from faultkit import h  # noqa: E402
from link_proxy import LinkProxy  # noqa: E402

QUOTA = 1 << 20
BATCH = 500
INFLIGHT = 16
COUNTERS = 150
ANALOGS = 200


def file_bytes(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def contiguous(seqs):
    seqs = sorted(seqs)
    return not seqs or seqs == list(range(seqs[0], seqs[-1] + 1))


class Quota(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-quota-")
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.close()
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def start(self, policy, meters=2, analog_priority=None, intervals=None):
        """intervals: {meter id: poll interval}, 100ms for the others."""
        wd = self.wd
        broker = fk.Broker(wd)
        self.proxy = LinkProxy(broker.port)
        _sim, self.ports = h.start_metersim(wd, meters)
        cfg = fk.daemon_config(wd, self.proxy.port, self.ports, batch=BATCH, inflight=INFLIGHT, poll_interval="100ms",
                               template=fk.wide_template(COUNTERS, ANALOGS, analog_priority),
                               store_extra="  quota_bytes: 1MiB\n  quota_policy: %s\n" % policy)
        for meter, interval in (intervals or {}).items():
            with open(cfg) as f:
                text = f.read()
            text = text.replace("{id: %s, host: 127.0.0.1, port: %d, template: jemstar2, poll_interval: 100ms,"
                                % (meter, self.ports[meter]),
                                "{id: %s, host: 127.0.0.1, port: %d, template: jemstar2, poll_interval: %s,"
                                % (meter, self.ports[meter], interval))
            h.write_config(cfg, text)
        self.sub = fk.SeqSubscriber(wd, broker.port)
        self.gw = fk.Daemon(wd, cfg)
        self.gw.start()
        self.gw.wait_status(lambda s: s["mqtt"]["cursor"] > 0, 30, "the first acknowledged batch")
        self.db = os.path.join(wd.file("data"), "gridgate.db")

    def counter(self, status, key):
        value = fk.find_counter(status, key)
        self.assertIsNotNone(value, "gridgatectl status reports no %s counter; store section: %s"
                             % (key, status.get("store")))
        return value

    def release_backlog_and_drain(self):
        """Lets the readings through again and cuts the link once: gridgated resends from its
        cursor (across the quota's hole). Returns the drained status."""
        self.proxy.swallow_readings(False)
        self.proxy.cut()
        return self.gw.wait_drained(90)

    def test_drop_oldest_loses_exactly_the_audited_oldest_backlog(self):
        self.start("drop_oldest")
        gw = self.gw
        cursor_before = gw.status()["mqtt"]["cursor"]
        self.proxy.swallow_readings(True)
        first = gw.wait_status(lambda s: (fk.find_counter(s, "dropped_unacked") or 0) > 0, 60,
                               "the quota to drop unacknowledged readings (gridgatectl status: dropped_unacked)")
        # Keep ingesting through several quota runs (several times the quota goes through):
        # the store must stay at its size.
        gw.wait_status(lambda s: s["store"]["last_seq"] > first["store"]["last_seq"] + 200_000, 90,
                       "200,000 more readings under the quota")
        db_size, wal_size = file_bytes(self.db), file_bytes(self.db + "-wal")

        fk.silence_meters(self.wd, self.ports)
        status = self.release_backlog_and_drain()
        last_seq = status["store"]["last_seq"]
        produced = sum(m["readings"] for m in status["meters"])
        dropped_status = self.counter(status, "dropped_unacked")
        self.assertEqual(gw.stop(), 0, gw.proc.output()[-3000:])

        self.assertEqual(produced, last_seq, "readings polled but never stored")
        events = [d for k, d in fk.db_audit(self.db) if k == "quota_dropped"]
        self.assertTrue(events, "no quota_dropped event in the audit log")
        audited = set()
        for e in events:
            self.assertEqual(e["count"], e["last_seq"] - e["first_seq"] + 1, e)
            audited.update(range(e["first_seq"], e["last_seq"] + 1))
        self.assertEqual(len(audited), sum(e["count"] for e in events), "audited ranges overlap")
        self.assertEqual(fk.db_meta(self.db, "dropped_unacked"), len(audited))
        self.assertEqual(dropped_status, len(audited))
        self.assertTrue(contiguous(audited), "drops are not one run of the oldest: %s" % fk.ranges_text(audited))
        self.assertGreater(min(audited), cursor_before, "an acknowledged reading was counted as dropped")

        h.wait_until(lambda: self.sub.complete_through() >= min(audited) - 1 and
                     all(s in self.sub.counts for s in range(max(audited) + 1, last_seq + 1)), 30,
                     "every reading the quota kept")
        missing, dups, beyond = self.sub.coverage(last_seq)
        self.assertEqual(set(missing), audited, "seqs missing at the subscriber are not exactly the dropped ones")
        self.assertEqual(beyond, [])
        self.assertEqual(self.sub.conflicts[:5], [])
        self.assertLessEqual(dups, (status["mqtt"]["connection_losses"] + 1) * INFLIGHT * BATCH)
        # Between two quota runs (5 s) the store grows by what arrives; the WAL is bounded by
        # SQLite's checkpoints (docs/store.md: about 4 MB plus one transaction).
        self.assertLessEqual(db_size, 3 * QUOTA, "the store file kept growing under its quota")
        self.assertLessEqual(wal_size, 5 * QUOTA, "the WAL kept growing under the quota")
        sys.stderr.write("\ndrop_oldest: last_seq %d, dropped %d in %d events (%s); store file %d bytes, WAL %d\n"
                         % (last_seq, len(audited), len(events), fk.ranges_text(audited), db_size, wal_size))

    def test_stop_low_priority_suspends_low_points_until_there_is_room(self):
        self.start("stop_low_priority", meters=4, analog_priority="low", intervals={"jem4": "1s"})
        gw = self.gw
        full_poll = COUNTERS + ANALOGS

        def slow_meter_reads(expected, timeout, what):
            """Waits for 5 consecutive polls of the slow meter that each read `expected` points."""
            last = [None]

            def check(s):
                m = next(m for m in s["meters"] if m["id"] == "jem4")
                now = (m["polls"], m["readings"])
                if last[0] is None or now[0] - last[0][0] < 5:
                    last[0] = last[0] or now
                    return False
                prev, last[0] = last[0], now
                return now[1] - prev[1] == expected * (now[0] - prev[0])
            return gw.wait_status(check, timeout, what)

        slow_meter_reads(full_poll, 30, "the slow meter's polls reading all %d points" % full_poll)
        self.proxy.swallow_readings(True)
        # Fast fill to just under the quota (about 20-28 bytes a reading), then only the slow meter.
        gw.wait_status(lambda s: s["store"]["last_seq"] - s["mqtt"]["cursor"] >= QUOTA // 28, 60,
                       "a backlog just under the quota")
        fk.silence_meters(self.wd, ["jem1", "jem2", "jem3"])
        over = slow_meter_reads(COUNTERS, 120, "the slow meter's polls reading only the %d counters "
                                "(low-priority analogs suspended over the quota)" % COUNTERS)
        self.assertGreater(self.counter(over, "low_priority_skipped"), 0)

        self.proxy.swallow_readings(False)
        self.proxy.cut()
        slow_meter_reads(full_poll, 120, "the slow meter reading all points again once the backlog is delivered")

        fk.silence_meters(self.wd, ["jem4"])
        status = gw.wait_drained(90)
        last_seq = status["store"]["last_seq"]
        produced = sum(m["readings"] for m in status["meters"])
        dropped_status = self.counter(status, "dropped_unacked")
        self.assertEqual(gw.stop(), 0, gw.proc.output()[-3000:])

        self.assertEqual(produced, last_seq, "readings polled but never stored")
        audit = fk.db_audit(self.db)
        kinds = [k for k, _d in audit]
        self.assertIn("quota_over", kinds)
        self.assertIn("quota_ok", kinds[kinds.index("quota_over"):])
        dropped = set()
        for k, e in audit:
            if k == "quota_dropped":
                dropped.update(range(e["first_seq"], e["last_seq"] + 1))
        self.assertEqual(fk.db_meta(self.db, "dropped_unacked"), len(dropped))
        self.assertEqual(dropped_status, len(dropped))
        h.wait_until(lambda: self.sub.poll() or all(s in self.sub.counts or s in dropped
                                                     for s in range(1, last_seq + 1)), 30, "every reading the quota kept")
        missing, _dups, beyond = self.sub.coverage(last_seq)
        self.assertEqual(set(missing), dropped)
        self.assertEqual(beyond, [])
        sys.stderr.write("\nstop_low_priority: last_seq %d, dropped past the hard limit %d, audit: %s\n"
                         % (last_seq, len(dropped), ", ".join(sorted(set(kinds)))))

if __name__ == "__main__":
    unittest.main(verbosity=2)
