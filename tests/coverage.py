#!/usr/bin/python3
"""Line and branch coverage of src/ from a --coverage build whose suites ran.

usage: coverage.py BUILD_DIR
Runs Debian's gcovr over the .gcda files under BUILD_DIR (written by the unit
tests and by the tvc program the integration suite ran), prints one row per
src/ file and the total, writes the same table to BUILD_DIR/coverage.txt,
then checks the targets of issue 9 and prints "N passed, N failed" last.
"""
import json
import os
import subprocess
import sys

# Targets: the whole of src/, and the files that parse bytes from outside.
TOTAL_LINES = 95.0
TOTAL_BRANCHES = 85.0
FILE_LINES = 98.0
PARSERS = ("src/http_response.c", "src/chunked.c", "src/url.c")  # and src/json*.c


def pct(covered, total):
    return 100.0 * covered / total if total else 100.0


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip())
        return 2
    build = os.path.abspath(sys.argv[1])
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    summary = os.path.join(build, "coverage.json")
    cmd = ["gcovr", "--root", root, "--filter", os.path.join(root, "src") + "/",
           "--exclude-unreachable-branches", "--json-summary", summary, build]
    r = subprocess.run(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    if r.returncode != 0 or not os.path.exists(summary):
        sys.stdout.write(r.stdout.decode(errors="replace"))
        print("gcovr failed (exit %d)" % r.returncode)
        print("0 passed, 1 failed")
        return 1
    with open(summary) as f:
        data = json.load(f)
    files = sorted(data["files"], key=lambda e: e["filename"])

    rows = ["%-24s %17s %17s" % ("file (src/)", "lines", "branches")]
    for e in files:
        rows.append("%-24s %6.1f%% %4d/%-4d %6.1f%% %4d/%-4d" % (
            e["filename"], pct(e["line_covered"], e["line_total"]),
            e["line_covered"], e["line_total"],
            pct(e["branch_covered"], e["branch_total"]),
            e["branch_covered"], e["branch_total"]))
    lc, lt = data["line_covered"], data["line_total"]
    bc, bt = data["branch_covered"], data["branch_total"]
    rows.append("%-24s %6.1f%% %4d/%-4d %6.1f%% %4d/%-4d" % (
        "total", pct(lc, lt), lc, lt, pct(bc, bt), bc, bt))
    table = "\n".join(rows) + "\n"
    with open(os.path.join(build, "coverage.txt"), "w") as f:
        f.write(table)
    sys.stdout.write(table)

    checks = []
    if lt == 0:
        checks.append(("src/ has coverage data", False, "no .gcda: did the suites run?"))
    checks.append(("src/ lines >= %.0f%%" % TOTAL_LINES, pct(lc, lt) >= TOTAL_LINES,
                   "%.1f%%" % pct(lc, lt)))
    checks.append(("src/ branches >= %.0f%%" % TOTAL_BRANCHES, pct(bc, bt) >= TOTAL_BRANCHES,
                   "%.1f%%" % pct(bc, bt)))
    names = {e["filename"]: e for e in files}
    parsers = list(PARSERS) + sorted(n for n in names
                                     if os.path.basename(n).startswith("json"))
    for n in parsers:
        e = names.get(n)
        if e is None:
            checks.append(("%s lines >= %.0f%%" % (n, FILE_LINES), False, "not measured"))
            continue
        p = pct(e["line_covered"], e["line_total"])
        checks.append(("%s lines >= %.0f%%" % (n, FILE_LINES), p >= FILE_LINES, "%.1f%%" % p))
    passed = failed = 0
    for name, ok, got in checks:
        print("%s  %s (%s)" % ("ok  " if ok else "FAIL", name, got))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
