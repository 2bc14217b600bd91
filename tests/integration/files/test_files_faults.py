#!/usr/bin/python3
"""Power-quality files under faults, against real sshd instances on loopback: the link to
the head-end cut mid-upload (a proxy resets the TCP stream), the head-end's sshd killed
mid-upload and restarted, gridgated killed (SIGKILL) mid-upload, and the link to the
meter cut mid-download. After each, every file arrives byte-identical, exactly once under
its name, with no temporary file left and its sha256 in a notice."""
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import fileskit as k  # noqa: E402
from fileskit import h  # noqa: E402

GW = "pq-faults"
FILES = 4
# Waveform recordings of about 400 kB each, uncompressed (the meter's files are up to 500 kB).
BIG = ["--pqdif-compress", "off", "--pqdif-cycles", "100", "--pqdif-types", "2"]


class FilesFaults(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-files-faults-")
        wd = self.wd
        self.key = k.keypair(wd.file("client_key"))
        self.meter_sshd = k.Sshd(wd, "meter-sshd", self.key)
        self.headend = k.Sshd(wd, "headend-sshd", self.key)
        os.makedirs(os.path.join(self.headend.root, "incoming"))
        self.mosq, self.mqtt_port = h.start_mosquitto(wd)
        self.sub = h.Subscriber(wd, self.mqtt_port, "gridgate/%s/#" % GW)
        self.meter_dir = os.path.join(self.meter_sshd.root, "pqdif")
        k.start_pqdif_meter(wd, self.meter_dir, FILES, BIG)
        self.sources = {n: os.path.join(self.meter_dir, n) for n in k.pqd_files(self.meter_dir)}
        self.assertEqual(len(self.sources), FILES)
        self.assertGreater(min(os.path.getsize(p) for p in self.sources.values()), 200_000)

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def start_gateway(self, meter_port=None, headend_port=None, rate="0", name="gridgated"):
        meter_port = meter_port or self.meter_sshd.port
        headend_port = headend_port or self.headend.port
        meter_ssh = self.meter_sshd.yaml().replace("port: %d" % self.meter_sshd.port, "port: %d" % meter_port)
        sink_ssh = self.headend.yaml().replace("port: %d" % self.headend.port, "port: %d" % headend_port)
        meter = k.meter_yaml("pq1", extra=("    pqdif:\n      ssh: %s\n      directory: /pqdif\n      interval: 10s\n"
                                           "      settle: 200ms\n") % meter_ssh.replace("}", ", io_timeout: 3s}"))
        files = ("  sinks:\n    - id: headend\n      ssh: %s\n      remote_root: /incoming\n"
                 "      max_bytes_per_s: %s\n") % (sink_ssh.replace("}", ", io_timeout: 3s}"), rate)
        self.cfg = k.config(self.wd, GW, self.mqtt_port, meter, files)
        if os.path.exists(self.wd.file("gg.sock")):
            os.unlink(self.wd.file("gg.sock"))
        self.gw = h.gridgated(self.wd, self.cfg, name=name)
        h.wait_until(lambda: os.path.exists(self.wd.file("gg.sock")), 20, "gridgated's control socket")

    def remote_dir(self):
        return os.path.join(self.headend.root, "incoming", GW, "pq1")

    def remote_temp_files(self):
        d = self.remote_dir()
        return [f for f in os.listdir(d) if f.startswith(".")] if os.path.isdir(d) else []

    def assert_all_delivered(self, timeout=90):
        h.wait_until(lambda: set(k.pqd_files(self.remote_dir())) == set(self.sources) and
                     {n["name"] for n in k.notices(self.sub, GW)} == set(self.sources), timeout,
                     "every file at the head-end with a notice")
        for name, src in self.sources.items():
            with open(src, "rb") as a, open(os.path.join(self.remote_dir(), name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name + " byte-identical")
        by_name = {}
        for n in k.notices(self.sub, GW):
            self.assertNotIn(n["name"], by_name, "one notice (id) per file")
            by_name[n["name"]] = n
            self.assertEqual(n["sha256"], k.sha256(self.sources[n["name"]]))
        self.assertEqual(self.remote_temp_files(), [], "no temporary file left")
        self.assertEqual(sorted(os.listdir(self.remote_dir())), sorted(self.sources), "nothing else")

    def sink_stats(self):
        return k.files_status(self.wd)["sinks"][0]

    def wait_mid_upload(self):
        h.wait_until(lambda: self.remote_temp_files() and
                     os.path.getsize(os.path.join(self.remote_dir(), self.remote_temp_files()[0])) > 50_000,
                     30, "an upload under way")

    def test_link_cut_mid_upload_resumes(self):
        proxy = k.CutProxy(self.headend.port)
        self.start_gateway(headend_port=proxy.port, rate="400kB")
        self.wait_mid_upload()
        proxy.cut()
        time.sleep(1.5)
        self.wait_mid_upload()
        proxy.cut()
        self.assert_all_delivered()
        st = self.sink_stats()
        self.assertGreaterEqual(st["resumes"], 1, st)
        self.assertEqual(st["restarts"], 0, st)
        self.assertEqual(self.gw.stop(), 0)
        proxy.close()

    def test_headend_sshd_killed_mid_upload(self):
        self.start_gateway(rate="400kB")
        self.wait_mid_upload()
        self.headend.kill()
        time.sleep(2)
        self.headend.start()
        self.assert_all_delivered()
        self.assertGreaterEqual(self.sink_stats()["resumes"], 1)
        self.assertEqual(self.gw.stop(), 0)

    def test_gridgated_killed_mid_upload(self):
        self.start_gateway(rate="400kB")
        self.wait_mid_upload()
        self.gw.stop(signal.SIGKILL)
        self.start_gateway(rate="400kB", name="gridgated-2")
        self.assert_all_delivered()
        self.assertGreaterEqual(self.sink_stats()["resumes"], 1)
        self.assertEqual(self.gw.stop(), 0)

    def test_link_to_meter_cut_mid_download(self):
        proxy = k.CutProxy(self.meter_sshd.port)
        proxy.cut_after(down=300_000)
        self.start_gateway(meter_port=proxy.port)
        h.wait_until(lambda: proxy.cuts >= 1, 30, "the download cut")
        self.assert_all_delivered()
        pulls = k.files_status(self.wd)["pulls"][0]
        self.assertEqual(pulls["files_taken"], FILES, pulls)
        self.assertGreaterEqual(pulls["failures"], 1, pulls)
        self.assertEqual(self.gw.stop(), 0)
        proxy.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
