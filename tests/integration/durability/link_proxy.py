"""A TCP proxy between gridgated and mosquitto for fault tests.

It forwards MQTT 3.1.1 traffic unchanged, packet by packet, and reads it on the way:
every QoS 1 readings batch gridgated publishes and every PUBACK the broker returns. So a
test knows exactly which seqs a broker acknowledged (gridgated's side of the at-least-once
contract) independently of what a subscriber later received. It can add latency to the
broker's packets (a cellular link: acknowledgements come late, so batches are in flight
most of the time). On command it:

- cut():               closes every connection at once (RST both ways);
- cut_mid_publish():   the next readings PUBLISH is sent to the broker only half-way, then
                       both sides are cut (the broker drops the truncated packet);
- cut_before_puback(): the next PUBACK is swallowed and both sides are cut (the broker has
                       the batch, gridgated never learns it: it must resend it);
- blackhole():         stops forwarding and keeps the sockets open, like a link that died
                       without a FIN or RST (only keepalive can notice);
- swallow_readings(on): readings PUBLISH packets vanish on the way (the broker never sees
                       them, so gridgated never gets a PUBACK) while everything else
                       passes: a link that stays up but delivers nothing, for building a
                       backlog without disconnects;
- hold(True/False):    new connections wait, unconnected upstream, until released (lets a
                       test restart the broker and resubscribe before gridgated gets back in).

It runs its own asyncio loop on a daemon thread of the test process; every public method
is thread-safe. Only 127.0.0.1.
"""
import asyncio
import json
import threading

PUBLISH, PUBACK = 3, 4


def split_packets(buf):
    """Complete MQTT packets at the head of buf, and the unconsumed rest."""
    packets = []
    pos = 0
    while True:
        if len(buf) - pos < 2:
            break
        length, multiplier, i = 0, 1, pos + 1
        while True:
            if i >= len(buf):
                return packets, buf[pos:]
            byte = buf[i]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            i += 1
            if not byte & 0x80:
                break
            if i - pos > 4:
                raise ValueError("malformed MQTT remaining length")
        end = i + length
        if end > len(buf):
            break
        packets.append((buf[pos] >> 4, bytes(buf[pos:end]), i - pos))
        pos = end
    return packets, buf[pos:]


def publish_fields(packet, body_at):
    """(topic, packet id or None, payload) of a PUBLISH packet."""
    qos = (packet[0] >> 1) & 3
    topic_len = int.from_bytes(packet[body_at:body_at + 2], "big")
    topic = packet[body_at + 2:body_at + 2 + topic_len].decode(errors="replace")
    at = body_at + 2 + topic_len
    packet_id = None
    if qos:
        packet_id = int.from_bytes(packet[at:at + 2], "big")
        at += 2
    return topic, packet_id, packet[at:]


def batch_seqs(payload):
    doc = json.loads(payload)
    seqs = [r["seq"] for r in doc["readings"]]
    if seqs and seqs == list(range(seqs[0], seqs[0] + len(seqs))):
        return range(seqs[0], seqs[-1] + 1)
    return tuple(seqs)


class _Pair:
    def __init__(self, proxy, client_reader, client_writer):
        self.proxy = proxy
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.broker_writer = None
        self.pending = {}  # packet id -> seqs of the readings batch published with it
        self.frozen = False
        self.client_gone = asyncio.Event()

    def abort(self):
        for w in (self.client_writer, self.broker_writer):
            if w is not None:
                w.transport.abort()

    async def run(self):
        p = self.proxy
        await p._released.wait()
        try:
            broker_reader, self.broker_writer = await asyncio.open_connection("127.0.0.1", p.target_port)
        except OSError:
            self.client_writer.transport.abort()
            return
        if not p._released.is_set():
            # hold() came while this connection was on its way upstream: not yet.
            self.abort()
            return
        p._pairs.add(self)
        try:
            await asyncio.gather(self.pump_up(self.client_reader, self.broker_writer),
                                 self.pump_down(broker_reader, self.client_writer))
        finally:
            p._pairs.discard(self)
            self.abort()

    async def pump_up(self, reader, writer):
        try:
            await self._pump_up(reader, writer)
        finally:
            self.client_gone.set()
            self.abort()

    async def _pump_up(self, reader, writer):
        buf = bytearray()
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            if self.frozen:
                continue
            buf += chunk
            packets, rest = split_packets(buf)
            buf = bytearray(rest)
            for kind, packet, body_at in packets:
                cut_here = False
                if kind == PUBLISH:
                    topic, packet_id, payload = publish_fields(packet, body_at)
                    if topic.endswith("/readings") and packet_id is not None:
                        if self.proxy.swallowing:
                            self.proxy._count("batches_swallowed")
                            continue
                        self.pending[packet_id] = batch_seqs(payload)
                        self.proxy._count("batches_up")
                        cut_here = self.proxy._take("cut_mid_publish")
                if writer.transport.is_closing():
                    return  # cut: what follows goes nowhere
                if cut_here:
                    writer.write(packet[: len(packet) // 2])
                    await writer.drain()
                    self.proxy._count("cuts")
                    self.abort()
                    return
                writer.write(packet)
            await writer.drain()
        writer.close()

    async def pump_down(self, reader, writer):
        latency = self.proxy.latency
        if latency <= 0:
            return await self._pump_down(reader, writer)
        # Broker -> gridgated packets are held back by the link's latency, in order.
        delayed = asyncio.Queue()

        async def deliver():
            loop = asyncio.get_running_loop()
            while True:
                due, packet = await delayed.get()
                if packet is None:
                    return
                await asyncio.sleep(max(0.0, due - loop.time()))
                if writer.transport.is_closing():
                    return
                writer.write(packet)

        class Late:
            def write(self, packet):
                delayed.put_nowait((asyncio.get_running_loop().time() + latency, packet))

            async def drain(self):
                await writer.drain()

            def close(self):
                delayed.put_nowait((0.0, None))

        late = Late()
        sender = asyncio.ensure_future(deliver())
        try:
            try:
                await self._pump_down(reader, late)
            finally:
                late.close()  # what is on its way still arrives (if the socket is still there)
            await sender
        finally:
            sender.cancel()
            writer.close()

    async def _pump_down(self, reader, writer):
        buf = bytearray()
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                if self.frozen:
                    # A dead link tells gridgated nothing: it must notice by itself.
                    await self.client_gone.wait()
                break
            if self.frozen:
                continue
            buf += chunk
            packets, rest = split_packets(buf)
            buf = bytearray(rest)
            for kind, packet, body_at in packets:
                if kind == PUBACK:
                    packet_id = int.from_bytes(packet[body_at:body_at + 2], "big")
                    seqs = self.pending.pop(packet_id, None)
                    if seqs is not None:
                        self.proxy._acked(seqs)
                        if self.proxy._take("cut_before_puback"):
                            self.proxy._count("cuts")
                            self.abort()
                            return
                if getattr(writer, "transport", None) is not None and writer.transport.is_closing():
                    return
                writer.write(packet)
            await writer.drain()
        writer.close()


class LinkProxy:
    def __init__(self, target_port, latency=0.0):
        self.target_port = target_port
        self.latency = latency  # seconds added to every broker -> gridgated packet
        self.epoch = 0  # tag for acknowledgements: the test bumps it at each broker restart
        self._lock = threading.Lock()
        self._acks = []  # (seqs, epoch) per PUBACKed readings batch
        self._armed = {}
        self._counters = {"connections": 0, "cuts": 0, "batches_up": 0, "batches_acked": 0, "batches_swallowed": 0}
        self.swallowing = False
        self._pairs = set()
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)
        self.port = self._server.sockets[0].getsockname()[1]

    def _run(self, started):
        asyncio.set_event_loop(self._loop)
        self._released = asyncio.Event()
        self._released.set()
        self._server = self._loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        started.set()
        self._loop.run_forever()

    async def _accept(self, reader, writer):
        self._count("connections")
        try:
            await _Pair(self, reader, writer).run()
        except (ConnectionError, OSError):
            pass  # a cut or a killed peer: that is what these tests do

    def _count(self, name, n=1):
        with self._lock:
            self._counters[name] += n

    def _take(self, name):
        with self._lock:
            if self._armed.get(name):
                self._armed[name] = False
                return True
            return False

    def _acked(self, seqs):
        with self._lock:
            self._acks.append((seqs, self.epoch))
            self._counters["batches_acked"] += 1

    def _call(self, fn):
        done = threading.Event()

        def run():
            try:
                fn()
            finally:
                done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(10)

    # ---- commands -------------------------------------------------------------------

    def cut(self):
        def do():
            for pair in list(self._pairs):
                pair.abort()
            if self._pairs:
                self._count("cuts")
        self._call(do)

    def cut_mid_publish(self):
        with self._lock:
            self._armed["cut_mid_publish"] = True

    def cut_before_puback(self):
        with self._lock:
            self._armed["cut_before_puback"] = True

    def armed(self):
        with self._lock:
            return any(self._armed.values())

    def blackhole(self):
        def do():
            for pair in self._pairs:
                pair.frozen = True
        self._call(do)

    def swallow_readings(self, on):
        self._call(lambda: setattr(self, "swallowing", on))

    def hold(self, on):
        self._call(lambda: self._released.clear() if on else self._released.set())

    def stats(self):
        with self._lock:
            out = dict(self._counters)
        out["open"] = len(self._pairs)
        return out

    def acknowledged(self):
        """[(seqs, epoch)] for every readings batch the broker PUBACKed, in order."""
        with self._lock:
            return list(self._acks)

    def close(self):
        async def shut():
            self._server.close()
            for pair in list(self._pairs):
                pair.abort()
            self._released.set()  # connections held at the gate end too
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in others:
                t.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            self._loop.stop()
        asyncio.run_coroutine_threadsafe(shut(), self._loop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
