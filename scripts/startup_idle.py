#!/usr/bin/env python3
"""Start-up, idle and memory measurements of the real binary in a pseudo-terminal
(BENCHMARKS.md).

1. Start-up: time from launch to the first drawn frame (the table's title on screen), with a
   local config; the network answer is not waited for. Median of --runs launches.
2. Idle: once the table has loaded and the screen has been quiet for a second, CPU time and
   context switches (wakeups) of all the app's threads over --idle-seconds, and bytes drawn.
3. Peak RSS (VmHWM) with --fleet numbers and a log pane filled by repeated refreshes.

Usage: python3 scripts/startup_idle.py [--bin target/release/wareg] [--runs 10] [--idle-seconds 10]
"""
import argparse
import fcntl
import glob
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Tui:
    """wareg in a pseudo-terminal, its output drained by a thread."""

    def __init__(self, argv, env, rows=40, cols=120):
        self.started = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        self.last_output = time.monotonic()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    continue
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.output += data
                self.last_output = time.monotonic()

    def wait_for(self, needle, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                at = self.output.find(needle)
                if at >= 0:
                    return time.monotonic()
            time.sleep(0.0005)
        sys.exit(f"timed out waiting for {needle!r}")

    def wait_quiet(self, seconds=1.0, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                quiet = time.monotonic() - self.last_output
            if quiet >= seconds:
                return
            time.sleep(0.05)
        sys.exit("the screen never went quiet")

    def send(self, text):
        os.write(self.fd, text.encode())

    def stop(self):
        self.send("q")
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)

    def threads(self):
        """Per thread id: CPU milliseconds and context switches so far."""
        out = {}
        for task in glob.glob(f"/proc/{self.pid}/task/*"):
            try:
                with open(f"{task}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                    ticks = int(fields[11]) + int(fields[12])  # utime, stime
                switches = 0
                with open(f"{task}/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            switches += int(line.split()[1])
            except FileNotFoundError:
                continue
            out[os.path.basename(task)] = (ticks * 1000 / CLK_TCK, switches)
        return out

    def status(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        return "?"


def sandbox(binary, numbers):
    proc = subprocess.Popen([binary, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(numbers)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().split("listening on ")[1].strip()
    waba = proc.stdout.readline().split("WABA ")[1].split(";")[0]
    return proc, base, waba


def environment(work, base, waba):
    config = os.path.join(work, "config.toml")
    with open(config, "w") as f:
        f.write(f'[profiles.bench]\nbase_url = "{base}"\ntoken_env = "BENCH_TOKEN"\nwaba_id = "{waba}"\n'
                '[[numbers]]\nid = "106540352242922"\nlabel = "Support DE"\n')
    return dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=os.path.join(work, "data"),
                BENCH_TOKEN="bench", TERM="xterm-256color")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/wareg")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--fleet", type=int, default=10000)
    parser.add_argument("--refreshes", type=int, default=100)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.path.exists(binary):
        sys.exit(f"{binary} not found: run `cargo build --release` first")

    with tempfile.TemporaryDirectory() as work:
        proc, base, waba = sandbox(binary, 0)
        try:
            env = environment(work, base, waba)
            times = []
            for _ in range(args.runs):
                tui = Tui([binary], env)
                first = tui.wait_for(b"Numbers (")
                times.append((first - tui.started) * 1000)
                tui.wait_quiet()
                tui.stop()
            print(f"start-up to first frame: median {statistics.median(times):.1f} ms "
                  f"(min {min(times):.1f}, max {max(times):.1f}, {args.runs} runs; budget <= 50 ms)")

            tui = Tui([binary], env)
            tui.wait_for(b"Numbers (")
            tui.wait_quiet(1.0)
            before_bytes = len(tui.output)
            before = tui.threads()
            time.sleep(args.idle_seconds)
            after = tui.threads()
            drawn = len(tui.output) - before_bytes
            common = before.keys() & after.keys()
            cpu = sum(after[t][0] - before[t][0] for t in common)
            wakeups = sum(after[t][1] - before[t][1] for t in common)
            exited = len(before.keys() - after.keys())
            print(f"idle {args.idle_seconds:.0f} s after loading: {cpu:.0f} ms CPU, {wakeups} context "
                  f"switches (wakeups) over {len(common)} threads, {drawn} bytes drawn, {exited} "
                  f"thread(s) exited (budget: 0 wakeups)")
            tui.stop()
        finally:
            proc.terminate()
            proc.wait()

        proc, base, waba = sandbox(binary, args.fleet)
        try:
            env = environment(work, base, waba)
            tui = Tui([binary], env)
            tui.wait_for(b"Numbers (")
            tui.wait_quiet(1.0)
            for _ in range(args.refreshes):
                tui.send("R")
                tui.wait_quiet(0.3)
            print(f"peak RSS with {args.fleet + 10} numbers after {args.refreshes} refreshes "
                  f"(log pane full): {tui.status('VmHWM')} (budget <= 40 MB)")
            tui.stop()
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
