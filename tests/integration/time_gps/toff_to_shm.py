#!/usr/bin/python3
"""Test shim: gpsd's TOFF reports into NTP shared-memory segment 0.

Stands in for gpsd's own SHM export, which gpsd 3.22 refuses for pseudo-terminal
sources ("don't talk to NTP when running inside the test harness") while gpsfake
always feeds gpsd through a pty. On the appliance gpsd reads a real serial GPS and
writes the segment itself; this script exists only for the test.

gpsd sends a TOFF message to clients watching with "pps":true each time it would
have written the segment, carrying the same two times: `real` (the fix's time from
the NMEA) and `clock` (the system time when the sentence arrived). They go to the
segment following the NTP SHM driver's documented `struct shmTime` (mode 1: the
count is bumped before and after the update and the reader drops the sample when
it changed while reading).

Usage: toff_to_shm.py PORT. Connects to gpsd on 127.0.0.1:PORT (retrying while
gpsd starts), prints one line per sample ("sample <real> <clock>", seconds) and
exits when gpsd closes the connection. Run it inside a private IPC namespace: the
key below is the machine's real NTP segment 0.
"""
import ctypes
import json
import socket
import sys
import time

SHM_KEY_UNIT0 = 0x4E545030  # "NTP0": the SHM driver's key for unit 0
IPC_CREAT = 0o1000
PRECISION_NMEA = -1          # log2 seconds: serial NMEA time is good to ~0.5 s at best
NSAMPLES = 3                 # informational; chronyd does its own filtering


class ShmTime(ctypes.Structure):
    # Native C layout and alignment, as ntpd and chronyd compile it on this machine.
    _fields_ = [
        ("mode", ctypes.c_int),
        ("count", ctypes.c_int),
        ("clockTimeStampSec", ctypes.c_long),   # time_t
        ("clockTimeStampUSec", ctypes.c_int),
        ("receiveTimeStampSec", ctypes.c_long),
        ("receiveTimeStampUSec", ctypes.c_int),
        ("leap", ctypes.c_int),
        ("precision", ctypes.c_int),
        ("nsamples", ctypes.c_int),
        ("valid", ctypes.c_int),
        ("clockTimeStampNSec", ctypes.c_uint),
        ("receiveTimeStampNSec", ctypes.c_uint),
        ("dummy", ctypes.c_int * 8),
    ]


def attach_segment():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    libc.shmat.restype = ctypes.c_void_p
    # Owner-only, like units 0 and 1 always are; whoever comes first (chronyd or
    # this script) creates it.
    shmid = libc.shmget(SHM_KEY_UNIT0, ctypes.sizeof(ShmTime), IPC_CREAT | 0o600)
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget of NTP segment 0 failed")
    address = libc.shmat(shmid, None, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "shmat of NTP segment 0 failed")
    return ShmTime.from_address(address)


def put_sample(seg, real_sec, real_nsec, clock_sec, clock_nsec):
    # Writer's side of mode 1. On x86 stores are not reordered with each other, and
    # each assignment below is a separate interpreter step, so the reader sees them in
    # this order.
    # Set with every sample: gpsd creates and initialises units 0-7 when it starts (even
    # for a pty it will never export), which may come after this script attached.
    seg.mode = 1
    seg.valid = 0
    seg.count += 1
    seg.clockTimeStampSec = real_sec
    seg.clockTimeStampUSec = real_nsec // 1000
    seg.clockTimeStampNSec = real_nsec
    seg.receiveTimeStampSec = clock_sec
    seg.receiveTimeStampUSec = clock_nsec // 1000
    seg.receiveTimeStampNSec = clock_nsec
    seg.leap = 0  # no leap second announced
    seg.precision = PRECISION_NMEA
    seg.nsamples = NSAMPLES
    seg.count += 1
    seg.valid = 1


def connect(port, attempts=100):
    for _ in range(attempts):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            time.sleep(0.1)
    raise SystemExit("toff_to_shm: gpsd not accepting on 127.0.0.1:%d" % port)


def main():
    port = int(sys.argv[1])
    seg = attach_segment()
    with connect(port) as sock:
        sock.settimeout(None)
        # "pps":true is the watch flag gpsd 3.22 sends TOFF under.
        sock.sendall(b'?WATCH={"enable":true,"json":true,"pps":true}\n')
        samples = 0
        for line in sock.makefile("r", encoding="utf-8", errors="replace"):
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("class") != "TOFF":
                continue
            put_sample(seg, msg["real_sec"], msg["real_nsec"], msg["clock_sec"], msg["clock_nsec"])
            samples += 1
            print("sample %d.%09d %d.%09d" % (msg["real_sec"], msg["real_nsec"],
                                             msg["clock_sec"], msg["clock_nsec"]), flush=True)
    print("gpsd closed the connection after %d samples" % samples, flush=True)


if __name__ == "__main__":
    main()
