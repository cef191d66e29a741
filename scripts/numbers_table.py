#!/usr/bin/env python3
"""The cost of `wareg numbers`' text table at fleet size (BENCHMARKS.md).

For each --fleet count: a sandbox with that many generated numbers (`wareg sandbox --numbers
N`), a config naming all of them, and each --bin in turn (interleaved run by run, on its own
fresh data dir each run) running `wareg numbers` (the config and what was kept, nothing read)
and `wareg numbers --refresh` (the listing and the next step of every number), stdout to a pipe
that is drained. Prints the median wall time and the peak RSS (ru_maxrss of the one process,
from wait4) of each.

Usage: python3 scripts/numbers_table.py --bin BEFORE [--bin AFTER] [--fleet 1000,20000]
       [--runs 5]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def run(argv, env):
    """Wall seconds and peak RSS (KiB) of one run, its output drained and counted."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = sum(1 for _ in proc.stdout)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"{argv} exited {code}")
    return wall, usage.ru_maxrss, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", required=True)
    parser.add_argument("--fleet", default="1000,20000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for fleet in [int(n) for n in args.fleet.split(",")]:
        sandbox = subprocess.Popen(
            [args.bin[0], "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(fleet)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            base = sandbox.stdout.readline().split("listening on ")[1].strip()
            waba = sandbox.stdout.readline().split("WABA ")[1].split(";")[0]
            with tempfile.TemporaryDirectory() as work:
                config = os.path.join(work, "config.toml")
                with open(config, "w") as f:
                    f.write(f'[profiles.bench]\nbase_url = "{base}"\ntoken_env = "BENCH_TOKEN"\n'
                            f'waba_id = "{waba}"\ntimeout_secs = 30\n')
                    for i in range(fleet):
                        f.write(f'\n[[numbers]]\nid = "{1_990_000_000_000_000 + i}"\n'
                                f'label = "Fleet {i + 1:05}"\n')
                results = {}
                for r in range(args.runs):
                    for b, binary in enumerate(args.bin):
                        for what, extra in (("numbers", []), ("numbers --refresh", ["--refresh"])):
                            data = os.path.join(work, f"data-{b}-{r}-{len(extra)}")
                            env = dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=data,
                                       BENCH_TOKEN="x", NO_COLOR="1")
                            got = run([binary, "numbers", *extra], env)
                            results.setdefault((what, b), []).append(got)
                for what in ("numbers", "numbers --refresh"):
                    cells = []
                    for b, binary in enumerate(args.bin):
                        runs = results[(what, b)]
                        wall = statistics.median(w for w, _, _ in runs)
                        rss = max(m for _, m, _ in runs)
                        cells.append(f"{binary}: {wall * 1000:.0f} ms, {rss / 1024:.1f} MiB "
                                     f"({runs[0][2]} lines)")
                    print(f"{fleet} configured, `wareg {what}`: " + " | ".join(cells))
        finally:
            sandbox.terminate()
            sandbox.wait()


if __name__ == "__main__":
    main()
