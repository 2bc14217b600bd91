#!/usr/bin/python3
"""Reads `mosquitto_sub -v` output (topic, space, payload per line) of gridgate topics and
prints one line per reading, for the demo."""
import json
import sys

for line in sys.stdin:
    topic, _, payload = line.partition(" ")
    try:
        doc = json.loads(payload)
    except ValueError:
        print(line.rstrip())
        continue
    if topic.endswith("/readings"):
        print("%s: seq %d..%d, %d readings" % (topic, doc["first_seq"], doc["last_seq"], doc["count"]))
        for r in doc["readings"]:
            value = r["value"] if r["value"] is not None else float("nan")
            print("  %7d  %-6s %-10s %16.3f %-6s %s  %s" % (r["seq"], r["meter"], r["point"], value, r["unit"], r["ts"],
                                                         ",".join(r["quality"])))
    else:
        print(topic, payload.strip())
