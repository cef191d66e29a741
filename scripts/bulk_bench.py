#!/usr/bin/env python3
"""Bulk benchmarks (BENCHMARKS.md): the plan stage in the TUI and the CLI, and a whole bulk
region change in the CLI, each against its own `wareg sandbox --numbers N --latency-ms L`.

Every measurement runs for each binary given (`--bin`, and `--before LABEL=PATH` as many times
as wanted), side by side in one run, each on a fresh sandbox and data dir.

1. TUI plan stage: the release TUI in a pty with the N generated numbers configured; once its
   start has read them (listing pages, one storage read each) and gone quiet, `*` marks them
   all (a filter on "Fleet" first: the sandbox also lists its own misbehaving numbers), `B`
   opens the bulk popup, the region change (DE) is chosen and Enter plans it. Timed
   from Enter to the last of the plan's 2N reads (each number's status, then its storage) the
   sandbox answered, and to the plan on screen.
2. CLI plan: `wareg bulk region --region DE --dry-run` (the default --concurrency 4), timed
   from launch to exit and from the first to the last plan read the sandbox answered.
   The plan's limit in both: 2 reads x latency x N / 8 (the fleet's 8 reads at a time).
3. CLI plan and run: `wareg bulk region --region DE --concurrency C --yes`. Its limit: the
   plan's, plus 3 writes (deregister, settings, register) x latency x N / C.

Usage: python3 scripts/bulk_bench.py [--numbers 200] [--latency-ms 50] [--concurrency 4]
       [--bin target/release/wareg] [--before before=/path/to/old/wareg] [--only tui,plan,run]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from startup_idle import CLK_TCK, Tui  # noqa: E402

# The fleet's reads at a time (src/fleet/mod.rs READ_CONCURRENCY).
READS_AT_ONCE = 8


class Sandbox:
    """`wareg sandbox`, each request line kept with when it was answered."""

    def __init__(self, binary, numbers, latency_ms):
        self.proc = subprocess.Popen(
            [binary, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(numbers),
             "--latency-ms", str(latency_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.base = self.proc.stdout.readline().split("listening on ")[1].strip()
        self.waba = self.proc.stdout.readline().split("WABA ")[1].split(";")[0]
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._count, daemon=True).start()

    def _count(self):
        for line in self.proc.stderr:
            with self.lock:
                self.lines.append((time.monotonic(), line))

    def since(self, start):
        """(when, line) of the requests answered from `start` on."""
        with self.lock:
            return [(t, line) for t, line in self.lines if t >= start]

    def quiet_for(self):
        with self.lock:
            last = self.lines[-1][0] if self.lines else 0.0
        return time.monotonic() - last

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def plan_reads(lines):
    """A plan's reads: single-number GETs (its status, its storage), not the listing."""
    return [(t, line) for t, line in lines
            if line.startswith("GET ") and "/phone_numbers" not in line]


def write_config(work, sandbox, numbers):
    config = os.path.join(work, "config.toml")
    with open(config, "w") as f:
        f.write(f'[profiles.bench]\nbase_url = "{sandbox.base}"\ntoken_env = "BENCH_TOKEN"\n'
                f'waba_id = "{sandbox.waba}"\ntimeout_secs = 30\n')
        for i in range(numbers):
            f.write(f'[[numbers]]\nid = "{1990000000000000 + i}"\nlabel = "Fleet {i + 1:05}"\n')
    return dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=os.path.join(work, "data"),
                BENCH_TOKEN="bench", BENCH_PIN="000000", TERM="xterm-256color")


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLK_TCK


def wait_screen(tui, needle, after, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with tui.lock:
            if tui.output.find(needle, after) >= 0:
                return time.monotonic()
        time.sleep(0.002)
    sys.exit(f"timed out waiting for {needle!r} on the TUI's screen")


def tui_plan(binary, args):
    """Seconds from Enter to the last plan read, to the plan on screen; reads; TUI CPU ms."""
    sandbox = Sandbox(binary, args.numbers, args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as work:
            env = write_config(work, sandbox, args.numbers)
            tui = Tui([binary], env)
            tui.wait_for(b"Numbers (")
            # The start: its listing pages and one storage read per number, then quiet.
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                settings = sum("/settings ->" in line for _, line in sandbox.since(0))
                if settings >= args.numbers and sandbox.quiet_for() >= 1.0:
                    break
                time.sleep(0.05)
            tui.wait_quiet(0.5)
            # Only the configured numbers: the sandbox's own misbehaving ones (a slow one
            # takes 8 s by design) are listed too.
            tui.send("/Fleet\r")
            tui.wait_quiet(0.5)
            tui.send("*")
            tui.send("B")
            tui.wait_quiet(0.5)
            # The third action is the region change; DE is the region it offers first.
            tui.send("jj")
            tui.wait_quiet(0.5)
            with tui.lock:
                mark = len(tui.output)
            cpu_before = cpu_ms(tui.pid)
            entered = time.monotonic()
            tui.send("\r")
            shown = wait_screen(tui, b"CALLS", mark, 300)
            # Every plan read is answered before the plan is drawn; a moment for the last lines.
            time.sleep(0.2)
            reads = plan_reads(sandbox.since(entered))
            cpu = cpu_ms(tui.pid) - cpu_before
            tui.send("\x1b")
            tui.wait_quiet(0.3)
            tui.stop()
    finally:
        sandbox.stop()
    last = reads[-1][0] if reads else entered
    return last - entered, shown - entered, len(reads), cpu


def cli_bulk(binary, args, dry_run):
    """Wall seconds of `wareg bulk region`; seconds from its first to its last plan read."""
    sandbox = Sandbox(binary, args.numbers, args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as work:
            env = write_config(work, sandbox, args.numbers)
            argv = [binary, "bulk", "region", "--label", "Fleet *", "--region", "DE",
                    "--pin-env", "BENCH_PIN", "--concurrency", str(args.concurrency)]
            argv.append("--dry-run" if dry_run else "--yes")
            started = time.monotonic()
            out = subprocess.run(argv, env=env, capture_output=True, text=True)
            wall = time.monotonic() - started
            if out.returncode != 0:
                sys.exit(f"bulk failed ({out.returncode}): {out.stdout[-2000:]} {out.stderr[-2000:]}")
            time.sleep(0.2)
            reads = plan_reads(sandbox.since(started))[: 2 * args.numbers]
    finally:
        sandbox.stop()
    span = reads[-1][0] - reads[0][0] if reads else 0.0
    return wall, span, len(reads)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--bin", default="target/release/wareg")
    parser.add_argument("--before", action="append", default=[], metavar="LABEL=PATH",
                        help="another binary to measure beside --bin (repeatable)")
    parser.add_argument("--only", default="tui,plan,run",
                        help="which of tui (the TUI's plan stage), plan (the CLI's dry run), "
                             "run (the CLI's plan and run)")
    args = parser.parse_args()
    binaries = []
    for spec in args.before:
        label, _, path = spec.partition("=")
        binaries.append((label, os.path.abspath(path)))
    binaries.append(("this", os.path.abspath(args.bin)))
    for _, path in binaries:
        if not os.path.exists(path):
            sys.exit(f"{path} not found: run `cargo build --release` first")
    only = set(args.only.split(","))
    latency = args.latency_ms / 1000
    plan_limit = 2 * latency * args.numbers / READS_AT_ONCE
    run_limit = plan_limit + 3 * latency * args.numbers / args.concurrency
    print(f"{args.numbers} numbers, region change to DE, {args.latency_ms} ms latency")
    if "tui" in only:
        print(f"TUI plan stage (limit 2 reads x latency x numbers / {READS_AT_ONCE}: "
              f"{plan_limit:.2f} s)")
        for label, path in binaries:
            reads_took, shown, reads, cpu = tui_plan(path, args)
            print(f"  {label}: {reads} plan reads in {reads_took:.2f} s "
                  f"({reads_took / plan_limit:.2f}x the limit), plan on screen after "
                  f"{shown:.2f} s ({shown / plan_limit:.2f}x), TUI {cpu:.0f} ms CPU", flush=True)
    if "plan" in only:
        print(f"CLI plan, bulk region --dry-run --concurrency {args.concurrency} "
              f"(limit {plan_limit:.2f} s)")
        for label, path in binaries:
            wall, span, reads = cli_bulk(path, args, dry_run=True)
            print(f"  {label}: {wall:.2f} s ({wall / plan_limit:.2f}x the limit), its {reads} "
                  f"reads from first to last {span:.2f} s", flush=True)
    if "run" in only:
        print(f"CLI plan and run, bulk region --concurrency {args.concurrency} --yes (limit: "
              f"the plan's {plan_limit:.2f} s + 3 writes x latency x numbers / "
              f"{args.concurrency} = {run_limit:.2f} s)")
        for label, path in binaries:
            wall, span, reads = cli_bulk(path, args, dry_run=False)
            print(f"  {label}: {wall:.2f} s ({wall / run_limit:.2f}x the limit), the plan's "
                  f"{reads} reads {span:.2f} s", flush=True)


if __name__ == "__main__":
    main()
