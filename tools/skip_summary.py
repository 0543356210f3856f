#!/usr/bin/env python3
"""The skipped tests of the last ctest run, counted by reason (tools/test.sh prints it after ctest).

ctest's output says which tests did not run ("N - name (Skipped)") but not why. The why is in
Testing/Temporary/LastTest.log: for a GoogleTest test the message after "<file>:<line>: Skipped", for
a script skipped with exit code 77 (which that log calls "Test Passed.") its last line of output.
Reasons that differ only in a quoted path or value are one reason.

  python3 tools/skip_summary.py BUILD_DIR [CTEST_OUTPUT_FILE]
"""
import collections
import pathlib
import re
import sys

BLOCK = re.compile(r"^\d+/\d+ Testing: (?P<name>.+)$", re.M)
GTEST_SKIP = re.compile(r"^[^\n]*:\d+: Skipped\n(?P<reason>.*?)\n\[  SKIPPED \]", re.M | re.S)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


NOT_RUN = re.compile(r"^\s*\d+ - (?P<name>.+) \((?P<why>Skipped|Disabled)\)\s*$", re.M)


def skipped_tests(log, not_run):
    """{test name: reason}: the GoogleTest skips in `log`, and the tests ctest listed as not run."""
    starts = list(BLOCK.finditer(log))
    found = {}
    for i, m in enumerate(starts):
        name = m.group("name")
        block = log[m.end(): starts[i + 1].start() if i + 1 < len(starts) else len(log)]
        output = block.split("Output:\n", 1)[-1].split("<end of output>", 1)[0]
        g = GTEST_SKIP.search(output)
        if g:
            found[name] = g.group("reason").strip() or "(no reason given)"
        elif name in not_run:
            lines = [l for l in output.strip("-\n").splitlines() if l.strip()]
            found[name] = lines[-1].strip() if lines else "(no output)"
    for name, why in not_run.items():
        found.setdefault(name, f"{why.lower()} (no output in LastTest.log)")
    return found


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build")
    log_file = build / "Testing" / "Temporary" / "LastTest.log"
    if not log_file.exists():
        print(f"skip summary: no {log_file}")
        return
    not_run = {}
    if len(sys.argv) > 2 and pathlib.Path(sys.argv[2]).exists():
        not_run = {m.group("name"): m.group("why") for m in NOT_RUN.finditer(pathlib.Path(sys.argv[2]).read_text())}
    skipped = skipped_tests(log_file.read_text(errors="replace"), not_run)
    if not skipped:
        print("skip summary: no test skipped")
        return
    by_reason = collections.Counter(QUOTED.sub("…", r.splitlines()[0]) for r in skipped.values())
    print(f"skip summary: {len(skipped)} tests skipped, by reason:")
    for reason, n in by_reason.most_common():
        print(f"  {n:4d}  {reason}")


if __name__ == "__main__":
    main()
