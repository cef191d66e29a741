#!/usr/bin/env python3
"""The TUI's start against the sandbox, first (nothing known) and second (storage kept) on the
same data dir, at each fleet size (BENCHMARKS.md, issue 28): the calls the sandbox served
(listing pages, /settings reads), the time from launch until they are all answered, and the
TUI's CPU per storage answer (user + system time of the whole process, divided by the
/settings answers of that start), split into the loop's thread (applying answers, drawing) and
the runtime's threads (the worker and its HTTP exchanges).

With --cli, the CLI on the same sandbox, twice on fresh data dirs: `numbers --refresh` (the
listing pages: CPU per listed row) and `numbers --refresh --storage` (the same plus one
/settings read per configured number): the difference per /settings answer is what one storage
answer's HTTP exchange costs without the TUI around it.

Usage: python3 scripts/storage_start.py [--bin target/release/wareg] [--fleets 1000,20000]
       [--latency-ms 50] [--before before=/path/to/old/wareg] [--cli]
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


class Sandbox:
    """`wareg sandbox`, its request lines counted as they come."""

    def __init__(self, binary, numbers, latency_ms):
        self.proc = subprocess.Popen(
            [binary, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(numbers),
             "--latency-ms", str(latency_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.base = self.proc.stdout.readline().split("listening on ")[1].strip()
        self.waba = self.proc.stdout.readline().split("WABA ")[1].split(";")[0]
        self.pages = 0
        self.settings = 0
        # HTTP exchanges that carried /settings reads: a batch request counts once.
        self.exchanges = 0
        # Listing pages served when the last /settings read was: the pages after it are what
        # the start spent past its storage reads (the listing is never held back).
        self.pages_at_last_settings = 0
        self.last = time.monotonic()
        self.lock = threading.Lock()
        threading.Thread(target=self._count, daemon=True).start()

    def _count(self):
        for line in self.proc.stderr:
            with self.lock:
                if "/phone_numbers ->" in line:
                    self.pages += 1
                elif "/settings ->" in line:
                    self.settings += 1
                    self.pages_at_last_settings = self.pages
                    if "(in a batch)" not in line:
                        self.exchanges += 1
                elif "(a batch" in line:
                    self.exchanges += 1
                self.last = time.monotonic()

    def counts(self):
        with self.lock:
            return self.pages, self.settings, self.last

    def storage_exchanges(self):
        with self.lock:
            return self.exchanges

    def pages_after_settings(self):
        with self.lock:
            return self.pages - self.pages_at_last_settings

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def config(work, base, waba, fleet):
    path = os.path.join(work, "config.toml")
    with open(path, "w") as f:
        f.write(f'[profiles.bench]\nbase_url = "{base}"\ntoken_env = "BENCH_TOKEN"\n'
                f'waba_id = "{waba}"\ntimeout_secs = 60\n')
        for i in range(fleet):
            f.write(f'[[numbers]]\nid = "{1990000000000000 + i}"\nlabel = "Fleet {i + 1:05}"\n')
    return path


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLK_TCK


def one_start(binary, env, sandbox, fleet, pages_expected):
    pages0, settings0, _ = sandbox.counts()
    exchanges0 = sandbox.storage_exchanges()
    tui = Tui([binary], env)
    tui.wait_for(b"Numbers (")
    # Done when the listing is in and the sandbox has been quiet for a second.
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        pages, settings, last = sandbox.counts()
        if pages - pages0 >= pages_expected and time.monotonic() - last >= 1.0:
            break
        time.sleep(0.05)
    pages, settings, last = sandbox.counts()
    took = last - tui.started
    cpu = cpu_ms(tui.pid)
    # The main thread runs the loop (applying answers, drawing); the runtime's threads the
    # worker and every HTTP exchange. Threads that already ended are in neither.
    threads = tui.threads()
    ui = threads.get(str(tui.pid), (0, 0))[0]
    tui.stop()
    exchanges = sandbox.storage_exchanges() - exchanges0
    after = sandbox.pages_after_settings() if settings > settings0 else 0
    return pages - pages0, settings - settings0, took, cpu, ui, exchanges, after


def cli_cpu(binary, env, argv):
    """CPU ms (user + system) of one CLI command, and its exit code."""
    before = os.times()
    out = subprocess.run([binary] + argv, env=env, capture_output=True, text=True)
    after = os.times()
    cpu = ((after.children_user - before.children_user)
           + (after.children_system - before.children_system)) * 1000
    if out.returncode != 0:
        sys.exit(f"{argv} failed ({out.returncode}): {out.stderr[-2000:]}")
    return cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/wareg")
    parser.add_argument("--before", action="append", default=[], metavar="LABEL=PATH",
                        help="another binary measured beside --bin, in the same run (repeatable)")
    parser.add_argument("--fleets", default="1000,20000")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--cli", action="store_true",
                        help="also the CLI's CPU per listed row (numbers --refresh) and per "
                             "storage answer (numbers --refresh --storage), on a fresh data dir")
    args = parser.parse_args()
    binaries = [(label, os.path.abspath(path))
                for label, _, path in (spec.partition("=") for spec in args.before)]
    binaries.append(("this", os.path.abspath(args.bin)))
    for _, binary in binaries:
        if not os.path.exists(binary):
            sys.exit(f"{binary} not found: run `cargo build --release` first")
    for fleet in [int(n) for n in args.fleets.split(",")]:
        for label, binary in binaries:
            measure(label, binary, fleet, args)


def measure(label, binary, fleet, args):
    sandbox = Sandbox(binary, fleet, args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as work:
            path = config(work, sandbox.base, sandbox.waba, fleet)
            env = dict(os.environ, WAREG_CONFIG=path, WAREG_DATA_DIR=os.path.join(work, "data"),
                       BENCH_TOKEN="bench", TERM="xterm-256color")
            pages_expected = (fleet + 10 + 16 + 99) // 100
            for name in ["first start", "second start"]:
                pages, settings, took, cpu, ui, exchanges, after = one_start(
                    binary, env, sandbox, fleet, pages_expected)
                per = f"{cpu / settings:.3f} ms CPU per storage answer" if settings else \
                    f"{cpu:.0f} ms CPU in all"
                per += f"; the loop's thread {ui:.0f} ms, the runtime's {cpu - ui:.0f} ms"
                print(f"[{label}] {fleet} configured numbers, {name}: {pages + settings} calls "
                      f"({pages} listing pages + {settings} /settings in {exchanges} exchanges, "
                      f"{after} pages after the last /settings), "
                      f"{took:.2f} s to the "
                      f"last answer, TUI {cpu:.0f} ms CPU ({per})", flush=True)
            if args.cli:
                for run in range(2):
                    cli_env = dict(env, WAREG_DATA_DIR=os.path.join(work, f"cli{run}"))
                    listed = fleet + 16
                    pages_cpu = cli_cpu(binary, cli_env, ["numbers", "--refresh", "--json"])
                    _, settings0, _ = sandbox.counts()
                    exchanges0 = sandbox.storage_exchanges()
                    storage_cpu = cli_cpu(binary, cli_env,
                                          ["numbers", "--refresh", "--storage", "--yes", "--json"])
                    _, settings1, _ = sandbox.counts()
                    answers = settings1 - settings0
                    exchanges = sandbox.storage_exchanges() - exchanges0
                    per_answer = (storage_cpu - pages_cpu) / max(answers, 1)
                    print(f"[{label}] {fleet} configured numbers, CLI: numbers --refresh "
                          f"{pages_cpu:.0f} ms CPU ({pages_cpu / listed:.3f} ms per listed row); "
                          f"with --storage {storage_cpu:.0f} ms, {answers} /settings in "
                          f"{exchanges} exchanges: "
                          f"{per_answer:.3f} ms CPU per storage answer", flush=True)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
