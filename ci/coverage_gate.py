#!/usr/bin/env python3
"""Coverage gate: reads gcovr's JSON report (ci/coverage.sh), prints line and branch coverage per
package, and fails when

  * a package prefix of the gates file (e.g. "models", "servers") is below its floor, or
  * a function that no test runs is not listed in the known-uncovered file (so a new function
    without a test fails even while its package stays above the floor).

Either failure lists the uncovered functions it is about, as FILE:LINE NAME.

  python3 ci/coverage_gate.py COVERAGE_JSON GATES_FILE UNCOVERED_FILE
  python3 ci/coverage_gate.py COVERAGE_JSON GATES_FILE UNCOVERED_FILE --write-uncovered
      (rewrites UNCOVERED_FILE with today's uncovered functions: only when you removed some)

Exit 0 when every gate holds, 1 when one fails, 2 on bad input.
"""
import json
import os
import sys


def die(msg):
    print("coverage_gate: ERROR: " + msg, file=sys.stderr)
    sys.exit(2)


def read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [l.split("#", 1)[0].strip() for l in f]
    except OSError as e:
        die("cannot read %s: %s" % (path, e))


def load_gates(path):
    gates = []
    for n, line in enumerate(read_lines(path), 1):
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3:
            die("%s:%d: want 'prefix floor goal', got %r" % (path, n, line))
        try:
            gates.append((parts[0].rstrip("/"), float(parts[1]), float(parts[2])))
        except ValueError:
            die("%s:%d: floor and goal must be numbers, got %r" % (path, n, line))
    if not gates:
        die("%s has no gates" % path)
    return gates


def package_of(path):
    return os.path.dirname(path) or "."


def under(path, prefix):
    return path == prefix or path.startswith(prefix + "/")


def summarise(files):
    """Per package: [lines, covered lines, branches, taken branches]; per file: uncovered fns."""
    pkgs, uncovered = {}, []
    for f in files:
        name = f["file"]
        agg = pkgs.setdefault(package_of(name), [0, 0, 0, 0])
        for l in f.get("lines", []):
            if l.get("gcovr/noncode") or l.get("gcovr/excluded"):
                continue
            agg[0] += 1
            agg[1] += 1 if l.get("count", 0) > 0 else 0
            for b in l.get("branches", []):
                agg[2] += 1
                agg[3] += 1 if b.get("count", 0) > 0 else 0
        for fn in f.get("functions", []):
            if fn.get("execution_count", 0) == 0:
                uncovered.append((name, fn.get("lineno", 0), fn.get("name", "?")))
    return pkgs, sorted(uncovered)


def pct(a, b):
    return 100.0 * a / b if b else 100.0


def main(argv):
    if len(argv) < 4:
        die("usage: coverage_gate.py COVERAGE_JSON GATES_FILE UNCOVERED_FILE [--write-uncovered]")
    try:
        with open(argv[1], encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read gcovr JSON %s: %s" % (argv[1], e))
    gates = load_gates(argv[2])
    pkgs, uncovered = summarise(report.get("files", []))
    if not pkgs:
        die("the report has no source files: were the tests built with --config=coverage?")
    known = set(l for l in read_lines(argv[3]) if l) if os.path.exists(argv[3]) else set()

    if len(argv) > 4 and argv[4] == "--write-uncovered":
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write("# Functions no CI test runs today (FILE NAME), written by\n"
                    "# ci/coverage_gate.py --write-uncovered. Only ever remove lines: a function\n"
                    "# missing here that no test runs fails ci/coverage.sh.\n")
            for name, _, fn in uncovered:
                f.write("%s %s\n" % (name, fn))
        print("coverage_gate: wrote %d uncovered functions to %s" % (len(uncovered), argv[3]))
        return 0

    print("%-28s %7s %7s %8s %9s %8s" % ("package", "lines", "covered", "line %", "branches",
                                          "branch %"))
    for p in sorted(pkgs):
        a = pkgs[p]
        print("%-28s %7d %7d %7.1f%% %9d %7.1f%%" % ("//" + p, a[0], a[1], pct(a[1], a[0]), a[2],
                                                   pct(a[3], a[2])))
    failed = False
    figures = []
    for prefix, floor, goal in gates:
        tot = [sum(pkgs[p][i] for p in pkgs if under(p, prefix)) for i in range(4)]
        if tot[0] == 0:
            print("coverage_gate: FAIL: no measured lines under //%s" % prefix)
            failed = True
            continue
        line_pct = pct(tot[1], tot[0])
        ok = line_pct + 1e-9 >= floor
        figures.append("%s %.1f%%" % (prefix, line_pct))
        note = "" if floor >= goal else " (goal %.0f%%: floor is today's figure, raise it)" % goal
        print("gate //%s/...: lines %.1f%% (branches %.1f%%), floor %.0f%%%s: %s" %
              (prefix, line_pct, pct(tot[3], tot[2]), floor, note, "ok" if ok else "FAIL"))
        if not ok:
            failed = True
            print("  uncovered functions under //%s:" % prefix)
            for name, line, fn in uncovered:
                if under(package_of(name), prefix):
                    print("    %s:%d %s" % (name, line, fn))
    new = [u for u in uncovered if "%s %s" % (u[0], u[2]) not in known]
    if new:
        failed = True
        print("coverage_gate: FAIL: %d function(s) that no test runs (add a test, or if it truly "
              "cannot run in CI, list it in %s with a reason):" % (len(new), argv[3]))
        for name, line, fn in new:
            print("    %s:%d %s" % (name, line, fn))
    print("coverage_gate: %s (%s; %d known uncovered functions)" %
          ("FAIL" if failed else "ok", ", ".join(figures), len(uncovered) - len(new)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
