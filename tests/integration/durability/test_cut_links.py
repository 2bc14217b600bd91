#!/usr/bin/python3
"""Cut links: gridgated streams 5 metersim meters (100 ms polls) to mosquitto through
link_proxy.LinkProxy, which cuts the link GG_CUT_LOOPS times (default 12), rotating through:

- cut:          both sides reset at once, wherever the stream is;
- mid_publish:  a readings PUBLISH reaches the broker only half-way, then both sides reset
                (a batch cut mid-flight: the broker drops it, gridgated must resend it);
- before_puback: the broker acknowledged a batch but the PUBACK is swallowed and both sides
                reset (gridgated must resend it: a duplicate, never a gap);
- blackhole:    the link goes silent without FIN or RST; gridgated has to notice through
                its MQTT keepalive (1 s here) and reconnect.

The subscriber sits on the broker directly and never loses its connection. Asserts, with
last_seq from gridgatectl status after the meters fall silent and the daemon drains: every
seq 1..last_seq was PUBACKed by the broker and reached the subscriber, a seq always carried
the same reading, nothing beyond last_seq, duplicates <= cuts x inflight_batches x
batch_max_readings, and gridgated counted every loss (mqtt.connection_losses).
"""
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultkit as fk  # noqa: E402
from faultkit import h  # noqa: E402
from link_proxy import LinkProxy  # noqa: E402

BATCH = 40
INFLIGHT = 16
MODES = ["cut", "mid_publish", "before_puback", "blackhole"]


class CutLinks(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-cut-")
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.close()
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_links_cut_mid_batch_and_silently(self):
        loops = int(os.environ.get("GG_CUT_LOOPS", "12"))
        seed = int(os.environ.get("GG_FAULT_SEED", str(random.randrange(1 << 31))))
        rng = random.Random(seed)
        wd = self.wd
        broker = fk.Broker(wd)
        self.proxy = proxy = LinkProxy(broker.port)
        _sim, ports = h.start_metersim(wd, 5)
        cfg = fk.daemon_config(wd, proxy.port, ports, batch=BATCH, inflight=INFLIGHT, poll_interval="100ms",
                               mqtt_extra="  keepalive: 1s\n")
        sub = fk.SeqSubscriber(wd, broker.port)
        gw = fk.Daemon(wd, cfg)
        gw.start()
        s = gw.wait_status(lambda s: s["mqtt"]["cursor"] > 0, 30, "the first acknowledged batch")

        modes = (MODES * (loops // len(MODES) + 1))[:loops]
        rng.shuffle(modes)
        recovery = {m: [] for m in MODES}
        for mode in modes:
            time.sleep(rng.uniform(0.1, 0.8))  # streaming for a while (not an assertion)
            losses, connects = s["mqtt"]["connection_losses"], s["mqtt"]["connects"]
            if mode == "cut":
                proxy.cut()
            elif mode == "mid_publish":
                proxy.cut_mid_publish()
            elif mode == "before_puback":
                proxy.cut_before_puback()
            else:
                proxy.blackhole()
            t0 = time.monotonic()
            s = gw.wait_status(lambda s, l=losses, c=connects: s["mqtt"]["connection_losses"] > l
                               and s["mqtt"]["connects"] > c and s["mqtt"]["connected"], 30,
                               "gridgated to notice the %s and reconnect" % mode)
            self.assertFalse(proxy.armed(), "the %s never happened" % mode)
            recovery[mode].append(time.monotonic() - t0)

        fk.silence_meters(wd, ports)
        status = gw.wait_drained()
        last_seq = status["store"]["last_seq"]
        self.assertEqual(gw.stop(), 0, gw.proc.output()[-3000:])
        self.assertGreaterEqual(status["mqtt"]["connection_losses"], loops)

        fk.check_broker_acknowledged(self, proxy, last_seq)
        bound = loops * INFLIGHT * BATCH
        dups, _ = fk.check_delivery(self, sub, last_seq, bound)
        sys.stderr.write("\ncut links (seed %d): last_seq %d, %d duplicates (bound %d), resent batches %d; "
                         "cut to reconnected, worst per kind: %s\n"
                         % (seed, last_seq, dups, bound, status["mqtt"]["resent_batches"],
                            ", ".join("%s %.1f s" % (m, max(t)) for m, t in recovery.items() if t)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
