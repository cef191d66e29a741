#!/usr/bin/env python3
"""The TUI's start against the sandbox, first (nothing known) and second (storage kept) on the
same data dir, at each fleet size (BENCHMARKS.md, issue 28): the calls the sandbox served
(listing pages, /settings reads), the time from launch until they are all answered, and the
TUI's CPU per storage answer (user + system time of the whole process, divided by the
/settings answers of that start).

Usage: python3 scripts/storage_start.py [--bin target/release/wareg] [--fleets 1000,20000]
       [--latency-ms 50]
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
                self.last = time.monotonic()

    def counts(self):
        with self.lock:
            return self.pages, self.settings, self.last

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
    tui.stop()
    return pages - pages0, settings - settings0, took, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/wareg")
    parser.add_argument("--fleets", default="1000,20000")
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.path.exists(binary):
        sys.exit(f"{binary} not found: run `cargo build --release` first")
    for fleet in [int(n) for n in args.fleets.split(",")]:
        sandbox = Sandbox(binary, fleet, args.latency_ms)
        try:
            with tempfile.TemporaryDirectory() as work:
                path = config(work, sandbox.base, sandbox.waba, fleet)
                env = dict(os.environ, WAREG_CONFIG=path, WAREG_DATA_DIR=os.path.join(work, "data"),
                           BENCH_TOKEN="bench", TERM="xterm-256color")
                pages_expected = (fleet + 10 + 16 + 99) // 100
                for name in ["first start", "second start"]:
                    pages, settings, took, cpu = one_start(binary, env, sandbox, fleet, pages_expected)
                    per = f"{cpu / settings:.3f} ms CPU per storage answer" if settings else \
                        f"{cpu:.0f} ms CPU in all"
                    print(f"{fleet} configured numbers, {name}: {pages + settings} calls "
                          f"({pages} listing pages + {settings} /settings), {took:.2f} s to the "
                          f"last answer, TUI {cpu:.0f} ms CPU ({per})", flush=True)
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
