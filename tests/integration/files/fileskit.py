"""Shared pieces of the power-quality file tests: real OpenSSH sshd instances on loopback
(one playing the meter's SFTP service, one the head-end, one the gateway's own inbox
server), a throwaway PKI for the HTTPS receiver, a TCP proxy that cuts a link after a
number of bytes, metersim writing PQDIF recordings, and a gridgated configuration."""
import atexit
import hashlib
import json
import os
import shutil
import tempfile
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness as h  # noqa: E402,F401

SSHD = "/usr/sbin/sshd"
_LINK_DIRS = []


@atexit.register
def _remove_link_dirs():
    for d in _LINK_DIRS:
        shutil.rmtree(d, ignore_errors=True)


def chroot_path(folder):
    """sshd refuses a ChrootDirectory with a group/world-writable component, which /tmp
    is; it checks with stat() and chroot() follows symlinks, so sshd is given a link in a
    root-only folder under /run that points at the real folder."""
    d = tempfile.mkdtemp(prefix="gg-sshd-", dir="/run")
    _LINK_DIRS.append(d)
    link = os.path.join(d, "root")
    os.symlink(folder, link)
    return link


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60, **kw)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def keypair(path):
    if not os.path.exists(path):
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gridgate-test", "-f", path])
    return path


def fingerprint(pub):
    # "256 SHA256:abc... comment (ED25519)"
    return run(["ssh-keygen", "-l", "-E", "sha256", "-f", pub]).stdout.split()[1]


class Sshd:
    """An sshd serving internal-sftp only, to the user running the test, chrooted into
    `root` (a root-owned 0755 folder: what the client sees as "/")."""

    def __init__(self, wd, name, client_key, port=None, password=None):
        self.wd = wd
        self.name = name
        self.client_key_path = client_key
        self.dir = wd.file(name)
        self.root = os.path.join(self.dir, "root")
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.dir, 0o755)
        os.chmod(self.root, 0o755)
        self.host_key = keypair(os.path.join(self.dir, "host_key"))
        self.fingerprint = fingerprint(self.host_key + ".pub")
        self.authorized = os.path.join(self.dir, "authorized_keys")
        with open(client_key + ".pub") as src, open(self.authorized, "w") as dst:
            dst.write(src.read())
        self.port = port or h.free_port()
        self.password = password
        if password:
            # Password logins for the test user without touching the machine's accounts:
            # sshd runs in its own mount namespace over a copy of /etc/shadow.
            self.shadow = os.path.join(self.dir, "shadow")
            hashed = run(["openssl", "passwd", "-6", password]).stdout.strip()
            user = run(["id", "-un"]).stdout.strip()
            with open("/etc/shadow") as f:
                lines = f.read().splitlines()
            with open(self.shadow, "w") as f:
                for line in lines:
                    if line.startswith(user + ":"):
                        fields = line.split(":")
                        fields[1] = hashed
                        line = ":".join(fields)
                    f.write(line + "\n")
            os.chmod(self.shadow, 0o600)
        self.conf = os.path.join(self.dir, "sshd_config")
        with open(self.conf, "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nPidFile none\nUsePAM no\nStrictModes no\n"
                    "PermitRootLogin yes\nPasswordAuthentication %s\nKbdInteractiveAuthentication no\n"
                    "AuthorizedKeysFile %s\nSubsystem sftp internal-sftp\nForceCommand internal-sftp\n"
                    "ChrootDirectory %s\nAllowTcpForwarding no\nX11Forwarding no\nLogLevel VERBOSE\n"
                    % (self.port, self.host_key, "yes" if password else "no", self.authorized,
                       chroot_path(self.root)))
        os.makedirs("/run/sshd", exist_ok=True)
        self.proc = None
        self.starts = 0
        self.start()

    def start(self):
        self.starts += 1
        argv = [SSHD, "-D", "-e", "-f", self.conf]
        if self.password:  # the shell execs sshd: the pid stays sshd's
            argv = ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                    'mount --bind "$0" /etc/shadow && exec "$@"', self.shadow] + argv
        self.proc = self.wd.start("%s-%d" % (self.name, self.starts), argv)
        h.wait_port(self.port)

    def kill(self):
        """SIGKILL of the listener and of every session it forked (a dead box)."""
        # The session processes it forked keep their connections open: kill whatever
        # still holds the port too.
        self.proc.send_signal(9)
        self.proc.proc.wait(5)
        out = subprocess.run(["ss", "-Htnp", "sport = :%d" % self.port], capture_output=True, text=True).stdout
        for token in out.replace(",", " ").split():
            if token.startswith("pid="):
                try:
                    os.kill(int(token[4:]), 9)
                except ProcessLookupError:
                    pass

    def password_yaml(self, password_key, user="root"):
        """Password login, the password under ssh: <password_key> in the secrets file."""
        return "{host: 127.0.0.1, port: %d, user: %s, auth: password, password_key: %s, host_key_fingerprints: [\"%s\"]}" % (
            self.port, user, password_key, self.fingerprint)

    def yaml(self, user="root"):
        return "{host: 127.0.0.1, port: %d, user: %s, auth: key, private_key_file: %s, host_key_fingerprints: [\"%s\"]}" % (
            self.port, user, self.client_key_path, self.fingerprint)


class CutProxy:
    """127.0.0.1 TCP relay to a port; cut() resets every connection (RST both ways);
    cut_after(up=N) or cut_after(down=N) arms a cut once N more bytes went that way."""

    def __init__(self, target_port):
        self.target = target_port
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []
        self.up = self.down = 0
        self.arm_up = self.arm_down = None
        self.cuts = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns.append((c, u))
            threading.Thread(target=self._pump, args=(c, u, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c, False), daemon=True).start()

    def _pump(self, src, dst, upstream):
        while True:
            try:
                data = src.recv(16384)
            except OSError:
                return
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            cut = False
            with self.lock:
                if upstream:
                    self.up += len(data)
                    if self.arm_up is not None:
                        self.arm_up -= len(data)
                        cut = self.arm_up <= 0
                else:
                    self.down += len(data)
                    if self.arm_down is not None:
                        self.arm_down -= len(data)
                        cut = self.arm_down <= 0
            if cut:
                self.cut()
                return
            try:
                dst.sendall(data)
            except OSError:
                return

    def cut_after(self, up=None, down=None):
        with self.lock:
            self.arm_up, self.arm_down = up, down

    def cut(self):
        with self.lock:
            conns, self.conns = self.conns, []
            self.arm_up = self.arm_down = None
            self.cuts += 1
        for pair in conns:
            for s in pair:
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.lsock.close()
        self.cut()


def make_pki(wd):
    """CA + server certificate for 127.0.0.1 (+ a client certificate), EC P-256."""
    d = wd.file("pki")
    os.makedirs(d, exist_ok=True)
    p = lambda n: os.path.join(d, n)  # noqa: E731
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
         "-subj", "/CN=gridgate test CA", "-keyout", p("ca.key"), "-out", p("ca.pem")])
    for name, cn, ext in (("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
                          ("client", "meter-142300003", "extendedKeyUsage=clientAuth")):
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + cn,
             "-keyout", p(name + ".key"), "-out", p(name + ".csr")])
        with open(p(name + ".ext"), "w") as f:
            f.write(ext + "\n")
        run(["openssl", "x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
             "-CAcreateserial", "-days", "2", "-extfile", p(name + ".ext"), "-out", p(name + ".pem")])
    return {k: p(k + ".pem") for k in ("ca", "server", "client")} | {"server_key": p("server.key"),
                                                                      "client_key": p("client.key")}


def start_pqdif_meter(wd, folder, files, extra=()):
    """metersim with only a PQDIF folder (the meter's SFTP service serves it)."""
    os.makedirs(folder, exist_ok=True)
    argv = [os.path.join(h.BIN, "metersim"), "--meters", "0", "--pqdif-dir", folder, "--pqdif-files", str(files),
            "--control", wd.file("metersim.sock")] + list(extra)
    p = wd.start("metersim", argv)
    h.wait_until(lambda: len([n for n in os.listdir(folder) if n.endswith(".pqd")]) >= files, 20,
                 "metersim's first recordings")
    return p


def sim_command(wd, *words):
    """One metersim control command; its answer."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(wd.file("metersim.sock"))
    s.sendall((" ".join(words) + "\n").encode())
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    s.close()
    return out.decode()


def pqd_files(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".pqd")) if os.path.isdir(folder) else []


def notices(sub, gw):
    """The files notices received, deduplicated by id (at-least-once)."""
    seen = {}
    for topic, payload in sub.messages():
        if topic == "gridgate/%s/files" % gw:
            n = json.loads(payload)
            seen[n["id"]] = n
    return list(seen.values())


def events(sub, gw, kind=None):
    out = {}
    for topic, payload in sub.messages():
        if topic == "gridgate/%s/events" % gw:
            e = json.loads(payload)
            if kind is None or e["kind"] == kind:
                out[e["id"]] = e
    return list(out.values())


def files_status(wd):
    rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "files", "500")
    if rc != 0:
        raise AssertionError("gridgatectl files failed: " + err)
    return json.loads(out)


def config(wd, gw, mqtt_port, meters_yaml, files_yaml, data="data", gateway_extra=""):
    cfg = wd.file("gridgate.yaml")
    h.write_config(cfg, (
        "gateway: {id: %s, data_dir: %s, control_socket: %s" + gateway_extra + "}\n"
        "mqtt: {host: 127.0.0.1, port: %d}\n"
        "store: {commit_interval: 50ms}\n"
        "meters:\n%s"
        "files:\n%s") % (gw, wd.file(data), wd.file("gg.sock"), mqtt_port, meters_yaml, files_yaml))
    return cfg


def meter_yaml(meter_id, modbus_port=1, extra=""):
    """A Modbus TCP meter nobody answers for (its polls fail quietly) with files keys."""
    return ("  - id: %s\n    host: 127.0.0.1\n    port: %d\n    poll_interval: 1h\n"
            "    points: [{name: wh, ref: 40001, type: u32}]\n%s") % (meter_id, modbus_port, extra)
