#!/usr/bin/python3
"""A bad configuration never crashes the daemon: every file in tests/fixtures/config/bad
is refused by `gridgated --check-config` and by `gridgated --config` with exit code 1 and
the message its `# expect:` line names; every file in good/ (and the documented example)
passes the check."""
import glob
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness as h  # noqa: E402

FIXTURES = os.path.join(h.SRC, "tests", "fixtures", "config")
GRIDGATED = os.path.join(h.BIN, "gridgated")


def expectations(path):
    out = []
    with open(path, "rb") as f:
        for line in f.read().decode(errors="replace").splitlines():
            if line.startswith("# expect:"):
                out.append(line[len("# expect:"):].strip())
    return out


class BadConfigs(unittest.TestCase):
    def test_bad_files_are_refused_with_their_message(self):
        files = sorted(glob.glob(os.path.join(FIXTURES, "bad", "*")))
        self.assertGreaterEqual(len(files), 10)
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                for mode in (["--check-config", path], ["--config", path]):
                    r = subprocess.run([GRIDGATED] + mode, capture_output=True, text=True, timeout=20)
                    self.assertEqual(r.returncode, 1, "%s %s: rc %d\n%s" % (mode[0], path, r.returncode, r.stderr))
                    for fragment in expectations(path):
                        self.assertIn(fragment, r.stderr)

    def test_non_yaml_bytes_are_refused(self):
        wd = h.Workdir("gg-badcfg-")
        try:
            path = wd.file("binary.yaml")
            with open(path, "wb") as f:
                f.write(bytes(range(256)) * 4)
            r = subprocess.run([GRIDGATED, "--check-config", path], capture_output=True, text=True, timeout=20)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(path, r.stderr)
            r = subprocess.run([GRIDGATED, "--check-config", wd.file("missing.yaml")], capture_output=True, text=True,
                               timeout=20)
            self.assertEqual(r.returncode, 1)
            self.assertIn("missing.yaml", r.stderr)
        finally:
            wd.cleanup()

    def test_good_files_pass(self):
        files = sorted(glob.glob(os.path.join(FIXTURES, "good", "*.yaml")))
        files.append(os.path.join(h.SRC, "docs", "examples", "jemstar2.yaml"))
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                r = subprocess.run([GRIDGATED, "--check-config", path], capture_output=True, text=True, timeout=20)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("OK", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
