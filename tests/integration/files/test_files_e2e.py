#!/usr/bin/python3
"""Power-quality files end to end, against real OpenSSH sshd instances on loopback:
metersim records PQDIF files into the folder an sshd serves as the meter's SFTP service;
gridgated pulls them, spools them and uploads them to a second sshd playing the head-end,
publishing a `files` notice for each; files pushed into the gateway's own inbox (a third
sshd, an SFTP-only chrooted account) and files attached to HTTPS notifications (curl, real
TLS) take the same way. Every file must arrive byte-identical with a matching sha256."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import fileskit as k  # noqa: E402
from fileskit import h  # noqa: E402

GW = "pq-e2e"


class FilesEndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-files-e2e-")
        wd = self.wd
        self.key = k.keypair(wd.file("client_key"))
        # The meter's SFTP service takes a password (from the gateway's secrets file).
        self.meter_sshd = k.Sshd(wd, "meter-sshd", self.key, password="PQ-reader-1")
        self.headend = k.Sshd(wd, "headend-sshd", self.key)
        os.makedirs(os.path.join(self.headend.root, "incoming"))
        self.inbox_sshd = None
        self.mosq, self.mqtt_port = h.start_mosquitto(wd)
        self.sub = h.Subscriber(wd, self.mqtt_port, "gridgate/%s/#" % GW)
        self.meter_dir = os.path.join(self.meter_sshd.root, "pqdif")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def headend_files(self, meter):
        return k.pqd_files(os.path.join(self.headend.root, "incoming", GW, meter))

    def assert_delivered(self, meter, sources, timeout=60):
        """Every source file (name -> path) arrives byte-identical with one notice."""
        folder = os.path.join(self.headend.root, "incoming", GW, meter)
        h.wait_until(lambda: set(sources) <= set(self.headend_files(meter)) and
                     {n["name"] for n in k.notices(self.sub, GW) if n["meter"] == meter} >= set(sources),
                     timeout, "%d file(s) of %s at the head-end with notices" % (len(sources), meter))
        by_name = {}
        for n in k.notices(self.sub, GW):
            if n["meter"] == meter:
                self.assertNotIn(n["name"], by_name, "one notice per file (by id)")
                by_name[n["name"]] = n
        for name, src in sources.items():
            got = os.path.join(folder, name)
            with open(src, "rb") as a, open(got, "rb") as b:
                self.assertEqual(a.read(), b.read(), name + " byte-identical")
            n = by_name[name]
            self.assertEqual(n["sha256"], k.sha256(src))
            self.assertEqual(n["size"], os.path.getsize(src))
            self.assertEqual(n["remote_path"], "/incoming/%s/%s/%s" % (GW, meter, name))
            self.assertEqual(n["gateway"], GW)
        leftovers = [f for f in os.listdir(folder) if not f.endswith(".pqd") or f.startswith(".")]
        self.assertEqual(leftovers, [], "no temporary files left at the head-end")
        return by_name

    def start_gateway(self, meters_yaml, files_yaml):
        secrets = self.wd.file("secrets.yaml")
        with open(secrets, "w") as f:
            f.write("ssh:\n  pq1-reader: PQ-reader-1\n")
        os.chmod(secrets, 0o600)
        self.cfg = k.config(self.wd, GW, self.mqtt_port, meters_yaml, files_yaml,
                            gateway_extra=", secrets_file: " + secrets)
        self.gw = h.gridgated(self.wd, self.cfg)
        h.wait_until(lambda: os.path.exists(self.wd.file("gg.sock")), 20, "gridgated's control socket")

    def sink_yaml(self, extra=""):
        return ("  sinks:\n    - id: headend\n      ssh: %s\n      remote_root: /incoming\n%s"
                % (self.headend.yaml(), extra))

    def test_pull_forward_delete_and_on_demand(self):
        wd = self.wd
        k.start_pqdif_meter(wd, self.meter_dir, 4)
        pull = ("    pqdif:\n      ssh: %s\n      directory: /pqdif\n      interval: 1h\n      settle: 300ms\n"
                "      delete_after_forward: true\n      capacity: 100MB\n" % self.meter_sshd.password_yaml("pq1-reader"))
        # Copies of what the meter holds now: it deletes them once delivered.
        originals = wd.file("originals")
        os.makedirs(originals)
        for name in k.pqd_files(self.meter_dir):
            subprocess.run(["cp", os.path.join(self.meter_dir, name), originals], check=True)
        self.start_gateway(k.meter_yaml("pq1", extra=pull), self.sink_yaml())
        sources = {n: os.path.join(originals, n) for n in k.pqd_files(originals)}
        self.assertEqual(len(sources), 4)
        notices = self.assert_delivered("pq1", sources)
        for n in notices.values():
            self.assertEqual(n["sink"], "sftp.headend")
            self.assertEqual(n["details"]["source"], "sftp_pull")
            self.assertTrue(n["details"]["well_formed"], n)
        # Delivered files are deleted on the meter (only after delivery).
        h.wait_until(lambda: not (set(sources) & set(k.pqd_files(self.meter_dir))), 30,
                     "delivered files deleted on the meter")
        # On demand: a new recording, pulled now rather than in an hour.
        k.sim_command(wd, "pqdif", "make", "1", "2")
        h.wait_until(lambda: len(k.pqd_files(self.meter_dir)) >= 2, 10, "two new recordings")
        for name in k.pqd_files(self.meter_dir):
            subprocess.run(["cp", os.path.join(self.meter_dir, name), originals], check=True)
        rc, _, err = h.gridgatectl(wd.file("gg.sock"), "files", "pull", "pq1")
        self.assertEqual(rc, 0, err)
        sources = {n: os.path.join(originals, n) for n in k.pqd_files(originals)}
        self.assertEqual(len(sources), 6)
        self.assert_delivered("pq1", sources)
        status = k.files_status(wd)
        states = {f["name"]: f["state"] for f in status["spool"]["files"]}
        self.assertEqual(set(states), set(sources))
        self.assertEqual(set(states.values()), {"forwarded"})
        rc, out, _ = h.gridgatectl(wd.file("gg.sock"), "files")
        self.assertEqual(rc, 0)
        self.assertIn("forwarded", out)
        self.assertIn("sftp.headend", out)
        self.assertEqual(self.gw.stop(), 0)

    def test_push_inbox(self):
        wd = self.wd
        inbox_root = wd.file("inbox")
        chroot = os.path.join(inbox_root, "pq2")
        os.makedirs(os.path.join(chroot, "incoming"))
        os.chmod(inbox_root, 0o755)
        os.chmod(chroot, 0o755)
        # The gateway's own sshd: the meter's account is chrooted into <inbox_root>/<meter>.
        inbox = k.Sshd(wd, "inbox-sshd", self.key)
        with open(inbox.conf) as f:
            conf = [line for line in f.read().splitlines() if not line.startswith("ChrootDirectory ")]
        with open(inbox.conf, "w") as f:
            f.write("\n".join(conf + ["ChrootDirectory " + k.chroot_path(chroot)]) + "\n")
        inbox.proc.stop()
        inbox.start()
        k.start_pqdif_meter(wd, wd.file("meter-out"), 3)
        files_yaml = "  inbox_root: %s\n" % inbox_root + self.sink_yaml()
        self.start_gateway(k.meter_yaml("pq2", extra="    inbox: {settle: 1s}\n"), files_yaml)
        names = k.pqd_files(wd.file("meter-out"))
        # The meter pushes: one file straight in (taken when closed and well formed), one
        # under a temporary name renamed when complete.
        batch = wd.file("push.batch")
        with open(batch, "w") as f:
            f.write("put %s incoming/%s\n" % (os.path.join(wd.file("meter-out"), names[0]), names[0]))
            f.write("put %s incoming/.%s.part\n" % (os.path.join(wd.file("meter-out"), names[1]), names[1]))
            f.write("rename incoming/.%s.part incoming/%s\n" % (names[1], names[1]))
        subprocess.run(["sftp", "-q", "-b", batch, "-i", self.key, "-P", str(inbox.port),
                        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                        "root@127.0.0.1"], check=True, capture_output=True, timeout=30)
        sources = {n: os.path.join(wd.file("meter-out"), n) for n in names[:2]}
        notices = self.assert_delivered("pq2", sources)
        for n in notices.values():
            self.assertEqual(n["details"]["source"], "push_inbox")
        h.wait_until(lambda: os.listdir(os.path.join(chroot, "incoming")) == [], 10, "the inbox emptied")
        self.assertEqual(self.gw.stop(), 0)

    def test_https_notifications(self):
        wd = self.wd
        pki = k.make_pki(wd)
        k.start_pqdif_meter(wd, wd.file("meter-out"), 1)
        alarms = ("  alarms: {listen: 127.0.0.1, port: 0, cert_file: %s, key_file: %s, max_body: 1MiB,"
                  " request_timeout: 5s}\n" % (pki["server"], pki["server_key"]))
        self.start_gateway(k.meter_yaml("pq3", extra="    notification_ids: [\"142300003\"]\n"),
                           alarms + self.sink_yaml())
        port = k.files_status(wd)["alarms"]["port"]
        url = "https://127.0.0.1:%d/" % port

        def curl(*args):
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki["ca"],
                                "--max-time", "20"] + list(args) + [url], capture_output=True, text=True)
            return r.stdout.strip()

        alarm = {"EventType": "SS", "MV 90 Meter ID": "142300003", "EventTime": "2026-11-21T10:15:02Z",
                 "EventId": "e-1", "Properties": {"Sag Va": "87.5"}, "Owner": "ops", "Vendor Extra": [1, 2]}
        self.assertEqual(curl("-H", "Content-Type: application/json", "--data-binary", json.dumps(alarm)), "200")
        name = k.pqd_files(wd.file("meter-out"))[0]
        pqd = os.path.join(wd.file("meter-out"), name)
        msg = wd.file("msg.json")
        with open(msg, "w") as f:
            json.dump({"EventType": "PQD", "MV 90 Meter ID": "142300003", "EventId": "e-2",
                       "Properties": {"PQDIF File": ""}}, f)
        self.assertEqual(curl("-H", "Expect: 100-continue", "-F", "json_msg=@%s;type=application/json" % msg,
                              "-F", "pqdif_file=@%s;filename=%s" % (pqd, name)), "200")
        # Refusals: malformed JSON, wrong type, too large.
        self.assertEqual(curl("-H", "Content-Type: application/json", "--data-binary", "{\"EventType\":"), "400")
        self.assertEqual(curl("-H", "Content-Type: text/plain", "--data-binary", "hello"), "415")
        big = wd.file("big.bin")
        with open(big, "wb") as f:
            f.write(b"x" * (2 << 20))
        self.assertEqual(curl("-H", "Content-Type: application/json", "--data-binary", "@" + big), "413")

        self.assert_delivered("pq3", {name: pqd})
        h.wait_until(lambda: len(k.events(self.sub, GW, "meter_alarm")) == 1 and
                     len(k.events(self.sub, GW, "meter_pqdif")) == 1, 20, "the two notifications as events")
        e = k.events(self.sub, GW, "meter_alarm")[0]
        self.assertEqual(e["meter"], "pq3")
        self.assertEqual(e["detail"]["event_type"], "SS")
        self.assertEqual(e["detail"]["notification"]["Vendor Extra"], [1, 2], "unknown fields kept")
        self.assertEqual(k.events(self.sub, GW, "meter_pqdif")[0]["detail"]["file"], name)
        st = k.files_status(wd)["alarms"]
        self.assertEqual((st["accepted"], st["rejected_malformed"], st["rejected_media_type"],
                          st["rejected_too_large"]), (2, 1, 1, 1))

        # Nothing accepted is lost across a SIGKILL right after the 200: with the broker
        # down the notification can only be in the store when gridgated is killed.
        self.mosq.stop()
        self.sub.stop()
        self.assertEqual(curl("-H", "Content-Type: application/json", "--data-binary",
                              json.dumps(dict(alarm, EventId="e-3", EventType="OU"))), "200")
        self.gw.stop(signal.SIGKILL)
        os.unlink(wd.file("gg.sock"))
        self.mosq = wd.start("mosquitto-2", ["/usr/sbin/mosquitto", "-c", wd.file("mosquitto.conf")])
        h.wait_port(self.mqtt_port)
        self.sub = h.Subscriber(wd, self.mqtt_port, "gridgate/%s/#" % GW, name="sub-2")
        self.gw = h.gridgated(wd, self.cfg, name="gridgated-2")
        h.wait_until(lambda: any(e["detail"].get("event_id") == "e-3" for e in k.events(self.sub, GW, "meter_alarm")),
                     20, "the notification accepted before the kill, published after the restart")
        h.wait_until(lambda: os.path.exists(wd.file("gg.sock")), 20, "gridgated's control socket")
        self.assertEqual(self.gw.stop(), 0)

if __name__ == "__main__":
    unittest.main(verbosity=2)
