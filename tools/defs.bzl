"""Project-wide build macros: one place for compiler flags and test tags.

c_library / c_binary   product code: C11, -Wall -Wextra -Werror.
test_library           a test-only library (testonly = True): C11 flags, or C++17 ones when a
                       source is a .cc file (gtest fixtures and helpers).
unit_test              a gtest file beside the code it proves (no PostgreSQL).
pg_test                a gtest target that starts its own PostgreSQL and/or server processes
                       through //testing (tags: requires-postgres, no-sandbox).
story_test             a pg_test in a story package (benchmarks, integration, load, resilience,
                       observability); exclusive=True for timing-sensitive targets, manual=True
                       for long profiles that run only on purpose.
"""

C_OPTS = [
    "-std=c11",
    "-O2",
    "-g",
    "-D_GNU_SOURCE",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
]

CXX_OPTS = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

def c_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = C_OPTS + copts, **kwargs)

def test_library(name, srcs = [], copts = [], **kwargs):
    cxx = [s for s in srcs if s.endswith(".cc")]
    native.cc_library(
        name = name,
        srcs = srcs,
        copts = (CXX_OPTS if cxx else C_OPTS) + copts,
        testonly = True,
        **kwargs
    )

def c_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = C_OPTS + copts, **kwargs)

def unit_test(name, srcs, deps = [], size = "small", copts = [], **kwargs):
    native.cc_test(
        name = name,
        srcs = srcs,
        deps = deps + ["//third_party:gtest_main"],
        copts = CXX_OPTS + copts,
        size = size,
        **kwargs
    )

def pg_test(name, srcs, deps = [], size = "medium", tags = [], copts = [], **kwargs):
    native.cc_test(
        name = name,
        srcs = srcs,
        deps = deps + ["//third_party:gtest_main"],
        copts = CXX_OPTS + copts,
        size = size,
        tags = tags + ["requires-postgres", "no-sandbox"],
        **kwargs
    )

def story_test(name, srcs, deps = [], size = "medium", tags = [], exclusive = False, manual = False, **kwargs):
    extra = []
    if exclusive:
        extra.append("exclusive")
    if manual:
        extra.append("manual")
    pg_test(name = name, srcs = srcs, deps = deps, size = size, tags = tags + extra, **kwargs)

def _path(label):
    """Workspace-relative path of a source-file label ("//a/b:c.c" or "c.c" in this package)."""
    if label.startswith("//"):
        pkg, _, f = label[2:].partition(":")
        return pkg + "/" + f
    return native.package_name() + "/" + label

def fuzz_test(name, srcs, corpus, hdrs = [], libs = "", size = "medium"):
    """A libFuzzer target built with clang by //servers/common:fuzz/run_fuzz.sh from srcs (C
    files; the first is the target) and run for FUZZ_SECONDS (20) with an RSS limit over the
    seed corpus directory `corpus` of this package. hdrs: every header the sources include."""
    native.sh_test(
        name = name,
        size = size,
        srcs = ["//servers/common:fuzz/run_fuzz.sh"],
        args = [name, native.package_name() + "/" + corpus, libs] + [_path(s) for s in srcs],
        data = srcs + hdrs + native.glob([corpus + "/*"]),
        tags = ["fuzz"],
    )
