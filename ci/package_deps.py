#!/usr/bin/env python3
"""package_deps.py — the package map of docs/internals/packages.md against the real build graph.

    python3 ci/package_deps.py                 # asks bazel query; exit 1 on any difference
    python3 ci/package_deps.py --graph G --tests T [--map M]   # the same on saved query output

The map's `deps` block lists, per Bazel package, the packages it may depend on: under [product]
the edges any target may use, under [test] the ones only tests and testonly targets may use.
An edge is a direct dependency (any attribute: deps, data, srcs, tests; implicit ones left out)
from a target of one package to a target of another. The check fails, naming the offending
targets, on:
  - an edge the map does not allow (a product target using a [test] edge counts as one);
  - an entry of the map no BUILD file has any more (the map went stale), or one listed twice.
Without --graph it runs (bazel query takes no --config):
  bazel query --output=graph --nograph:factored --noimplicit_deps 'deps(//..., 1)'
  bazel query 'tests(//...) + kind(test_suite, //...) + attr(testonly, 1, //...)'
Exit 0: the map matches; 1: it does not; 2: usage, a map that does not parse, or a query that
failed. Only the Python standard library."""
import argparse
import os
import re
import subprocess
import sys

ROOT = "(root)"  # how the map names the root package (//:...)
EDGE = re.compile(r'^\s*"([^"]+)"\s*->\s*"([^"]+)"\s*$')


def fail_usage(msg):
    print("package_deps: " + msg, file=sys.stderr)
    sys.exit(2)


def package_of(label):
    """'//a/b:c' -> 'a/b', '//:c' -> ROOT; None for labels outside the main repository."""
    if not label.startswith("//"):
        return None
    pkg = label[2:].split(":", 1)[0]
    return pkg if pkg else ROOT


def read_map(path):
    """{'product': {(from, to)}, 'test': {(from, to)}} and the duplicates, from the ```deps block."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        fail_usage("cannot read the map %s: %s" % (path, e.strerror))
    m = re.search(r"^```deps\n(.*?)^```", text, re.M | re.S)
    if m is None:
        fail_usage("%s has no ```deps block" % path)
    allowed = {"product": set(), "test": set()}
    twice = []
    section = None
    for n, line in enumerate(m.group(1).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line in ("[product]", "[test]"):
            section = line[1:-1]
            continue
        if section is None or ":" not in line:
            fail_usage("%s: deps block line %d: want [product], [test] or 'PACKAGE: PACKAGE ...', "
                       "got %r" % (path, n, line))
        src, _, dsts = line.partition(":")
        for dst in dsts.split():
            e = (src.strip(), dst)
            if e in allowed["product"] or e in allowed["test"]:
                twice.append(e)
            allowed[section].add(e)
    return allowed, twice


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        fail_usage("cannot run %s: %s" % (cmd[0], e.strerror))
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        fail_usage("%s failed (exit %d)" % (" ".join(cmd), p.returncode))
    return p.stdout


def query_graph():
    return run(["bazel", "query", "--output=graph", "--nograph:factored", "--noimplicit_deps",
                "deps(//..., 1)"])


def query_tests():
    return run(["bazel", "query",
                "tests(//...) + kind(test_suite, //...) + attr(testonly, 1, //...)"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--map", default="docs/internals/packages.md")
    ap.add_argument("--graph", help="saved output of the graph query (default: run it)")
    ap.add_argument("--tests", help="saved output of the test-targets query (default: run it)")
    a = ap.parse_args()
    if (a.graph is None) != (a.tests is None):
        fail_usage("--graph and --tests go together")
    if a.graph is None:
        here = os.path.dirname(os.path.abspath(__file__))
        os.chdir(os.path.dirname(here))
    allowed, twice = read_map(a.map)
    if a.graph is None:
        graph, tests = query_graph(), query_tests()
    else:
        try:
            with open(a.graph, encoding="utf-8") as f:
                graph = f.read()
            with open(a.tests, encoding="utf-8") as f:
                tests = f.read()
        except OSError as e:
            fail_usage("cannot read %s: %s" % (e.filename, e.strerror))
    test_targets = {t.strip() for t in tests.splitlines() if t.strip()}

    # (from, to) -> {'product': [target edges], 'test': [target edges]}
    found = {}
    for line in graph.splitlines():
        m = EDGE.match(line)
        if m is None:
            continue
        src, dst = m.group(1), m.group(2)
        ps, pd = package_of(src), package_of(dst)
        if ps is None or pd is None or ps == pd:
            continue
        kind = "test" if src in test_targets else "product"
        found.setdefault((ps, pd), {"product": [], "test": []})[kind].append((src, dst))
    if not found:
        fail_usage("the graph has no edge between two packages: wrong query output?")

    problems = []

    def example(edges):
        shown = ", ".join("%s -> %s" % e for e in sorted(edges)[:3])
        more = len(edges) - 3
        return shown + (" (+%d more)" % more if more > 0 else "")

    for (ps, pd), by in sorted(found.items()):
        e = (ps, pd)
        if by["product"] and e not in allowed["product"]:
            where = "allows it for tests only" if e in allowed["test"] else "does not allow it"
            problems.append("forbidden edge %s -> %s (product code; the map %s): %s"
                            % (ps, pd, where, example(by["product"])))
        elif by["test"] and e not in allowed["product"] and e not in allowed["test"]:
            problems.append("forbidden edge %s -> %s (tests; the map does not allow it): %s"
                            % (ps, pd, example(by["test"])))
    for e in sorted(allowed["product"]):
        if e not in found or not found[e]["product"]:
            now = " (only tests use it now: move it to [test])" if e in found else ""
            problems.append("stale map entry [product] %s -> %s: no product target has this "
                            "edge%s" % (e[0], e[1], now))
    for e in sorted(allowed["test"]):
        if e in allowed["product"]:
            continue
        if e not in found or not found[e]["test"]:
            problems.append("stale map entry [test] %s -> %s: no test target has this edge"
                            % e)
    for e in twice:
        problems.append("map entry %s -> %s is listed twice" % e)

    if problems:
        for p in problems:
            print("package_deps: " + p, file=sys.stderr)
        print("package_deps: FAIL: %d difference(s) between %s and the BUILD files; fix the "
              "dependency or the map" % (len(problems), a.map), file=sys.stderr)
        return 1
    n_prod = sum(1 for by in found.values() if by["product"])
    print("package_deps: ok: %d package edges (%d used by product code) match %s"
          % (len(found), n_prod, a.map))
    return 0


if __name__ == "__main__":
    sys.exit(main())
