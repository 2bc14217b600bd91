#!/usr/bin/python3
"""Broker restarts: gridgated streams 5 metersim meters (100 ms polls) to mosquitto, which is
killed with SIGKILL and started again on the same port, GG_BROKER_RESTARTS times (default
8), each time after a random stretch of streaming and down for a random while (gridgated's
reconnects are refused meanwhile and back off).

gridgated reaches the broker through link_proxy.LinkProxy, which forwards unchanged (with
50 ms latency on the broker's packets, so batches are in flight when the broker dies) and
records every readings batch the broker PUBACKed. The proxy also holds gridgated's new
connection until the subscriber (mosquitto_sub -q 1, which loses its session with the
broker's memory) has subscribed again; otherwise readings published in between would be
accepted by a broker with no subscriber, and the test could not tell that from loss.

Asserts, with last_seq from gridgatectl status after the meters fall silent and the daemon
drains: every seq 1..last_seq was PUBACKed by a broker (gridgated's side of the contract,
seen on the wire); the subscriber received every seq except, at most, seqs whose only
acknowledgements came from a broker instance that was then SIGKILLed before delivering
them (mosquitto without persistence loses what it held in memory: a broker property,
counted and printed); a seq always carried the same reading; duplicates <= restarts x
inflight_batches x batch_max_readings.
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


class BrokerRestarts(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-broker-")
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.close()
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_broker_killed_and_restarted_on_the_same_port(self):
        restarts = int(os.environ.get("GG_BROKER_RESTARTS", "8"))
        seed = int(os.environ.get("GG_FAULT_SEED", str(random.randrange(1 << 31))))
        rng = random.Random(seed)
        wd = self.wd
        broker = fk.Broker(wd)
        self.proxy = proxy = LinkProxy(broker.port, latency=0.05)
        proxy.epoch = broker.generation
        _sim, ports = h.start_metersim(wd, 5)
        cfg = fk.daemon_config(wd, proxy.port, ports, batch=BATCH, inflight=INFLIGHT, poll_interval="100ms")
        sub = fk.SeqSubscriber(wd, broker.port)
        gw = fk.Daemon(wd, cfg)
        gw.start()
        s = gw.wait_status(lambda s: s["mqtt"]["cursor"] > 0, 30, "the first acknowledged batch")

        for _ in range(restarts):
            time.sleep(rng.uniform(0.2, 1.0))  # streaming for a while (not an assertion)
            connects = s["mqtt"]["connects"]
            sub.poll()
            subacks = sub.subacks
            broker.kill()
            time.sleep(rng.uniform(0.0, 1.5))  # broker down: refused reconnects, backlog grows
            proxy.hold(True)
            broker.start()
            proxy.epoch = broker.generation
            h.wait_until(lambda: sub.poll() or sub.subacks > subacks, 20, "the subscriber to subscribe again")
            proxy.hold(False)
            s = gw.wait_status(lambda s, c=connects: s["mqtt"]["connects"] > c and s["mqtt"]["connected"], 90,
                               "gridgated to reconnect")

        fk.silence_meters(wd, ports)
        status = gw.wait_drained()
        last_seq = status["store"]["last_seq"]
        self.assertEqual(gw.stop(), 0, gw.proc.output()[-3000:])
        self.assertGreaterEqual(status["mqtt"]["connection_losses"], restarts)

        epochs = fk.check_broker_acknowledged(self, proxy, last_seq)
        try:
            h.wait_until(lambda: sub.has_all(last_seq), 30, "the subscriber to hold every seq")
        except AssertionError:
            pass
        missing, dups, beyond = sub.coverage(last_seq)
        lost_by_broker = [m for m in missing if max(epochs[m]) < broker.generation]
        self.assertEqual([m for m in missing if m not in lost_by_broker], [],
                         "seqs missing although the surviving broker acknowledged them: %s" % fk.ranges_text(missing))
        self.assertEqual(beyond, [])
        self.assertEqual(sub.conflicts[:5], [], "a seq carried two different readings (seq reused)")
        bound = restarts * INFLIGHT * BATCH
        self.assertLessEqual(dups, bound)
        self.assertGreater(last_seq, 0)
        sys.stderr.write("\nbroker restarts (seed %d): %d restarts, last_seq %d, %d duplicates (bound %d), "
                         "%d seqs lost by killed brokers after their PUBACK: %s\n"
                         % (seed, restarts, last_seq, dups, bound, len(lost_by_broker), fk.ranges_text(lost_by_broker)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
