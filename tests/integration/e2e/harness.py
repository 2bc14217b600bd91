"""Process harness for gridgate's end-to-end tests: real mosquitto, metersim or another
Modbus server, gridgated and gridgatectl, all on free loopback ports, each started by the
test and stopped by pid."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("GG_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../../build/bin"))
SRC = os.environ.get("GG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../../.."))
PYTHON = "/usr/bin/python3"  # Debian's, which sees python3-pymodbus


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))


def wait_port(port, timeout=10):
    def up():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    wait_until(up, timeout, "port %d" % port)


class Proc:
    """A child process with its output in a log file, stopped by pid."""

    def __init__(self, name, argv, workdir, stdout_pipe=False, env=None):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE if stdout_pipe else self.log,
            stderr=self.log,
            stdin=subprocess.DEVNULL,
            env=env,
        )

    @property
    def pid(self):
        return self.proc.pid

    def send_signal(self, signo):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signo)

    def stop(self, signo=signal.SIGTERM, timeout=15):
        """Signals the process and returns its exit code (-N when killed by signal N)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signo)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("%s did not stop within %ss after signal %d" % (self.name, timeout, signo))
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


class Workdir:
    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix=prefix)
        self.procs = []

    def file(self, name):
        return os.path.join(self.path, name)

    def start(self, name, argv, stdout_pipe=False, env=None):
        p = Proc(name, argv, self.path, stdout_pipe, env)
        self.procs.append(p)
        return p

    def cleanup(self, keep=False):
        for p in reversed(self.procs):
            try:
                p.stop(signal.SIGKILL, 5)
            except Exception:
                pass
        if not keep:
            shutil.rmtree(self.path, ignore_errors=True)


def start_mosquitto(wd):
    port = free_port()
    conf = wd.file("mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
    p = wd.start("mosquitto", ["/usr/sbin/mosquitto", "-c", conf])
    wait_port(port)
    return p, port


def start_metersim(wd, meters, serve_log=None, extra=()):
    argv = [os.path.join(BIN, "metersim"), "--meters", str(meters), "--base-port", "0", "--print-ports"]
    argv += ["--control", wd.file("metersim.sock")]
    if serve_log:
        argv += ["--serve-log", serve_log]
    argv += list(extra)
    p = wd.start("metersim", argv, stdout_pipe=True)
    ports = {}
    while len(ports) < meters:
        line = p.proc.stdout.readline().decode()
        if not line:
            raise AssertionError("metersim exited early:\n" + p.output())
        meter, _host, port = line.split()
        ports[meter] = int(port)
    return p, ports


class Subscriber:
    """mosquitto_sub on a topic filter, one line per message: "<topic> <payload>"."""

    def __init__(self, wd, port, topic, name="sub"):
        self.path = wd.file(name + ".out")
        self.out = open(self.path, "wb")
        self.proc = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-v", "-t", topic],
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        wd.procs.append(self)
        # mosquitto_sub has no "subscribed" signal: give it a moment before publishers start.
        time.sleep(0.3)

    def stop(self, signo=signal.SIGTERM, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(signo)
            self.proc.wait(timeout)
        self.out.close()

    def messages(self):
        self.out.flush()
        msgs = []
        with open(self.path, "rb") as f:
            for line in f.read().decode(errors="replace").splitlines():
                topic, _, payload = line.partition(" ")
                msgs.append((topic, payload))
        return msgs

    def readings(self, suffix="/readings"):
        out = []
        for topic, payload in self.messages():
            if topic.endswith(suffix):
                batch = json.loads(payload)
                for r in batch["readings"]:
                    out.append(r)
        return out


def write_config(path, text):
    with open(path, "w") as f:
        f.write(text)


def gridgated(wd, config, name="gridgated"):
    return wd.start(name, [os.path.join(BIN, "gridgated"), "--config", config])


def gridgatectl(sock, *args):
    r = subprocess.run([os.path.join(BIN, "gridgatectl"), "--socket", sock] + list(args), capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout, r.stderr


# ---- process figures (benchmarks) ----------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_kib(pid):
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out
