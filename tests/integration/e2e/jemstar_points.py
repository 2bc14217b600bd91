"""The JEMStar II demo point map (docs/metersim.md, docs/examples/jemstar2.yaml), as YAML
for gridgated and as independent decoders for checking what it published."""
import struct

COUNTERS = [("wh_del", 0, "kWh"), ("wh_rec", 2, "kWh"), ("varh_del", 4, "kvarh"), ("varh_rec", 6, "kvarh"),
            ("vah_del", 8, "kVAh")]
ANALOGS = [("va", 0, "V", 530), ("vb", 1, "V", 530), ("vc", 2, "V", 530), ("ia", 3, "A", 20), ("ib", 4, "A", 20),
           ("ic", 5, "A", 20), ("wa", 6, "W", 10600), ("wb", 7, "W", 10600), ("wc", 8, "W", 10600),
           ("w_total", 9, "W", 31800), ("vara", 10, "var", 10600), ("varb", 11, "var", 10600),
           ("varc", 12, "var", 10600), ("var_total", 13, "var", 31800), ("pfa", 14, "", 1.0), ("pfb", 15, "", 1.0),
           ("pfc", 16, "", 1.0), ("pf_total", 17, "", 1.0), ("freq", 18, "Hz", 100)]
INPUTS = [("di1", 0), ("di2", 1), ("trig1", 2), ("trig2", 3), ("trig3", 4)]


def template_yaml(template_id="jemstar2"):
    lines = ["  - id: %s" % template_id, "    points:"]
    for name, addr, unit in COUNTERS:
        lines.append("      - {name: %s, table: holding, address: %d, type: u32, scale: 0.001, unit: %s}" % (name, addr, unit))
    for name, addr, unit, fs in ANALOGS:
        u = (", unit: %s" % unit) if unit else ""
        lines.append("      - {name: %s, table: input, address: %d, type: s16, full_scale: %s%s}" % (name, addr, fs, u))
    for name, addr in INPUTS:
        lines.append("      - {name: %s, table: discrete_input, address: %d}" % (name, addr))
    return "\n".join(lines) + "\n"


def point_names():
    return [c[0] for c in COUNTERS] + [a[0] for a in ANALOGS] + [i[0] for i in INPUTS]


def s16(v):
    return struct.unpack(">h", struct.pack(">H", v))[0]


def values_from_served(entry):
    """Decoded (point, value) pairs a served-log entry of metersim carries."""
    fc, addr, vals = entry["fc"], entry["addr"], entry["values"]
    out = []

    def reg(a):
        i = a - addr
        return vals[i] if 0 <= i < len(vals) else None

    if fc == 3:
        for name, a, _unit in COUNTERS:
            hi, lo = reg(a), reg(a + 1)
            if hi is not None and lo is not None:
                out.append((name, ((hi << 16) | lo) * 0.001))
    elif fc == 4:
        for name, a, _unit, fs in ANALOGS:
            r = reg(a)
            if r is not None:
                out.append((name, s16(r) / 32767.0 * fs))
    elif fc == 2:
        for name, a in INPUTS:
            r = reg(a)
            if r is not None:
                out.append((name, float(r)))
    return out
