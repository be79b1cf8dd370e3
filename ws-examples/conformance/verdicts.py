#!/usr/bin/env python3
"""Summarises an Autobahn|Testsuite index.json and compares its verdicts with a committed expected file.

Used by run.sh; standard library only. Subcommands:

  check     per-section summary of one mode's index.json, the cases that did not pass, and the differences
            from the expected file (caseId -> {behavior, behaviorClose}); writes <out>/verdicts.json and
            <out>/counts ("passed failed"). Exit status 0 when nothing regressed and the index holds every
            announced case, 1 otherwise.
  markdown  per-section counts of the server and client verdicts.json as one Markdown table (for the README).

A case passes when behavior and behaviorClose are both OK or INFORMATIONAL. Durations are ignored.
"""
import argparse
import json
import os
import re
import sys

# Lower is better; 0 passes. A change to a worse rank in either field is a regression.
BEHAVIOR_RANK = {"OK": 0, "INFORMATIONAL": 0, "NON-STRICT": 1, "UNIMPLEMENTED": 2, "FAILED": 3}
CLOSE_RANK = {"OK": 0, "INFORMATIONAL": 0, "WRONG CODE": 1, "UNCLEAN": 2, "FAILED BY CLIENT": 2, "FAILED": 3}
UNKNOWN_RANK = 4
LISTED_FAILURES = 60


def case_key(case_id):
    return tuple(int(part) for part in case_id.split("."))


def section_of(case_id):
    return int(case_id.split(".")[0])


def passes(verdict):
    return (BEHAVIOR_RANK.get(verdict["behavior"], UNKNOWN_RANK) == 0
            and CLOSE_RANK.get(verdict["behaviorClose"], UNKNOWN_RANK) == 0)


def show(verdict):
    return "missing" if verdict is None else "%s/%s" % (verdict["behavior"], verdict["behaviorClose"])


def compile_patterns(patterns):
    # The suite's own rule (caseset.py): '.' is literal, '*' matches anything, anchored at both ends.
    return [re.compile("^" + p.replace(".", "\\.").replace("*", ".*") + "$") for p in patterns]


def selected(case_id, compiled):
    return any(p.match(case_id) for p in compiled)


def load_index(path, agent):
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if agent not in index:
        raise SystemExit("%s has no results for agent %r (agents: %s)" % (path, agent, ", ".join(index) or "none"))
    return {case_id: {"behavior": r["behavior"], "behaviorClose": r["behaviorClose"]}
            for case_id, r in index[agent].items()}


def load_expected(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, verdicts):
    # One case per line, so that a diff of the committed file reads like the verdict change it records.
    lines = ['  "%s": {"behavior": %s, "behaviorClose": %s}'
             % (k, json.dumps(verdicts[k]["behavior"]), json.dumps(verdicts[k]["behaviorClose"]))
             for k in sorted(verdicts, key=case_key)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def section_rows(verdicts):
    rows = {}
    for case_id, v in verdicts.items():
        row = rows.setdefault(section_of(case_id), {"cases": 0, "passed": 0, "behavior": {}, "close": {}})
        row["cases"] += 1
        row["passed"] += passes(v)
        row["behavior"][v["behavior"]] = row["behavior"].get(v["behavior"], 0) + 1
        row["close"][v["behaviorClose"]] = row["close"].get(v["behaviorClose"], 0) + 1
    return dict(sorted(rows.items()))


def print_summary(mode, verdicts):
    print("%s: per-section verdicts (behavior | behaviorClose)" % mode)
    print("  %-7s %5s %6s %6s  %s" % ("section", "cases", "passed", "failed", "verdicts"))
    for section, row in section_rows(verdicts).items():
        counts = ", ".join("%s %d" % kv for kv in sorted(row["behavior"].items()))
        close = ", ".join("%s %d" % kv for kv in sorted(row["close"].items()))
        print("  %-7s %5d %6d %6d  %s | %s"
              % (section, row["cases"], row["passed"], row["cases"] - row["passed"], counts, close))
    failing = [c for c in sorted(verdicts, key=case_key) if not passes(verdicts[c])]
    if failing:
        print("%s: %d case(s) not OK:" % (mode, len(failing)))
        for case_id in failing[:LISTED_FAILURES]:
            print("  %-8s %s" % (case_id, show(verdicts[case_id])))
        if len(failing) > LISTED_FAILURES:
            print("  ... and %d more (see verdicts.json)" % (len(failing) - LISTED_FAILURES))


def is_worse(old, new):
    if new is None:
        return True
    if old is None:
        return not passes(new)
    b_old, b_new = BEHAVIOR_RANK.get(old["behavior"], UNKNOWN_RANK), BEHAVIOR_RANK.get(new["behavior"], UNKNOWN_RANK)
    c_old = CLOSE_RANK.get(old["behaviorClose"], UNKNOWN_RANK)
    c_new = CLOSE_RANK.get(new["behaviorClose"], UNKNOWN_RANK)
    if b_new > b_old or c_new > c_old:
        return True
    # Same ranks but another failing verdict (e.g. UNCLEAN instead of FAILED BY CLIENT): not an improvement.
    return b_new == b_old and c_new == c_old and not passes(new)


def compare(mode, expected, actual, compiled):
    """Prints every case whose verdict differs from the expected file; returns the number of regressions."""
    wanted = {c for c in expected if selected(c, compiled)} | set(actual)
    regressions = improvements = unlisted = 0
    for case_id in sorted(wanted, key=case_key):
        old, new = expected.get(case_id), actual.get(case_id)
        if old == new:
            continue
        if old is None and passes(new):
            unlisted += 1
            continue
        if is_worse(old, new):
            regressions += 1
            print("%s: REGRESSED %-8s expected %s, got %s" % (mode, case_id, show(old), show(new)))
        else:
            improvements += 1
            print("%s: changed   %-8s expected %s, got %s" % (mode, case_id, show(old), show(new)))
    if unlisted:
        print("%s: %d passing case(s) are not in the expected file yet" % (mode, unlisted))
    if improvements or unlisted:
        print("%s: %d case(s) improved or new; record them with: run.sh ... --update-expected"
              % (mode, improvements + unlisted))
    return regressions


def check(args):
    actual = load_index(args.index, args.agent)
    compiled = compile_patterns(json.loads(args.patterns))
    os.makedirs(args.out, exist_ok=True)
    write_json(os.path.join(args.out, "verdicts.json"), actual)
    print_summary(args.mode, actual)

    ok = True
    if len(actual) != args.announced:
        ok = False
        print("%s: INCOMPLETE: index.json holds %d case(s), the suite announced %d"
              % (args.mode, len(actual), args.announced))
    expected = load_expected(args.expected)
    regressions = compare(args.mode, expected, actual, compiled) if expected else 0
    if args.update:
        merged = {c: v for c, v in expected.items() if not selected(c, compiled)}
        merged.update(actual)
        write_json(args.expected, merged)
        print("%s: wrote %d verdict(s) to %s" % (args.mode, len(merged), args.expected))
    elif regressions:
        ok = False
        print("%s: %d regression(s) against %s" % (args.mode, regressions, os.path.basename(args.expected)))
    elif not expected:
        ok = False
        print("%s: no expected file at %s (create it with --update-expected)" % (args.mode, args.expected))

    passed = sum(passes(v) for v in actual.values())
    failed = len(actual) - passed + max(0, args.announced - len(actual))
    with open(os.path.join(args.out, "counts"), "w", encoding="utf-8") as f:
        f.write("%d %d\n" % (passed, failed))
    print("%s: %d passed, %d failed" % (args.mode, passed, failed))
    return 0 if ok else 1


SECTION_TITLES = {1: "framing", 2: "ping/pong", 3: "reserved bits", 4: "opcodes", 5: "fragmentation",
                  6: "UTF-8", 7: "close handshake", 9: "limits and performance", 10: "auto-fragmentation",
                  12: "permessage-deflate, payloads", 13: "permessage-deflate, parameters"}


def markdown(args):
    """One table, a row per section, server and client side by side (for the README)."""
    columns = []
    for path in (args.server, args.client):
        with open(path, encoding="utf-8") as f:
            columns.append(section_rows(json.load(f)))
    sections = sorted(set(columns[0]) | set(columns[1]))

    def cell(rows, section):
        row = rows.get(section)
        if row is None:
            return "not run"
        text = "%d OK" % row["behavior"].get("OK", 0)
        if row["behavior"].get("INFORMATIONAL", 0):
            text += ", %d INFORMATIONAL" % row["behavior"]["INFORMATIONAL"]
        others = {k: n for k, n in row["behavior"].items() if k not in ("OK", "INFORMATIONAL")}
        others.update({"close " + k: n for k, n in row["close"].items() if k not in ("OK", "INFORMATIONAL")})
        for verdict, n in sorted(others.items()):
            text += ", **%d %s**" % (n, verdict)
        return text

    print("| section | cases | server | client |")
    print("|---|---|---|---|")
    for section in sections:
        cases = max(r.get(section, {"cases": 0})["cases"] for r in columns)
        print("| %d %s | %d | %s | %s |" % (section, SECTION_TITLES.get(section, ""), cases,
                                           cell(columns[0], section), cell(columns[1], section)))
    totals = [(sum(r["cases"] for r in rows.values()), sum(r["passed"] for r in rows.values())) for rows in columns]
    print("| **all** | %d | %d of %d pass | %d of %d pass |"
          % (max(t[0] for t in totals), totals[0][1], totals[0][0], totals[1][1], totals[1][0]))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("--mode", required=True)
    c.add_argument("--index", required=True)
    c.add_argument("--agent", default="wirefly")
    c.add_argument("--announced", type=int, required=True)
    c.add_argument("--patterns", required=True, help="the spec's case patterns, as a JSON list")
    c.add_argument("--expected", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--update", action="store_true")
    m = sub.add_parser("markdown")
    m.add_argument("--server", required=True, help="server mode verdicts.json")
    m.add_argument("--client", required=True, help="client mode verdicts.json")
    args = parser.parse_args()
    return check(args) if args.command == "check" else markdown(args)


if __name__ == "__main__":
    sys.exit(main())
