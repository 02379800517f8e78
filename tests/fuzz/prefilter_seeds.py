#!/usr/bin/env python3
# prefilter_seeds.py: writes fuzz_prefilter's seed corpus (make fuzz): each rule's pattern, NUL,
# then an empty subject and each input line of a case file whose explain block names the rule.
import glob
import os
import re
import sys


def rules(root):
    """(id, pattern) of every rule in rules/*.rules."""
    out = []
    for path in sorted(glob.glob(os.path.join(root, "rules", "*.rules"))):
        rid = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^\[([^\]]+)\]", line)
                if m:
                    rid = m.group(1)
                elif line.startswith("pattern = ") and rid:
                    out.append((rid, line[len("pattern = "):].rstrip("\n")))
    return out


def case_lines(root):
    """rule id -> input lines (raw, as in the case file) its explain blocks report."""
    by_rule = {}
    for path in sorted(glob.glob(os.path.join(root, "tests", "cases", "*", "*.test"))):
        with open(path, encoding="utf-8") as f:
            text = f.read().split("\n")
        block, inp = None, []
        for line in text:
            if line.startswith("### "):
                block, inp = None, []
            elif line.startswith("--- "):
                block = line.split()[1]
                if block == "in":
                    inp = []
            elif block == "in":
                inp.append(line)
            elif block == "explain":
                m = re.match(r"^(\d+):\d+ (\S+)$", line)
                if m and 0 < int(m.group(1)) <= len(inp):
                    by_rule.setdefault(m.group(2), []).append(inp[int(m.group(1)) - 1])
    return by_rule


def main():
    root, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    lines = case_lines(root)
    n = 0
    for i, (rid, pattern) in enumerate(rules(root)):
        for j, subject in enumerate([""] + lines.get(rid, [])[:8]):
            with open(os.path.join(out, "rule-%03d-%d" % (i, j)), "wb") as f:
                f.write(pattern.encode() + b"\0" + subject.encode())
            n += 1
    print("prefilter seeds: %d" % n)


main()
