"""Start-up, idle and memory measurements of the real binary in a pseudo-terminal
(BENCHMARKS.md).

1. Start-up: time from launch to the first drawn frame (the table's title on screen), with a
   local config naming one number; the network answer is not waited for. Median of --runs.
2. The same at fleet size: the config names each of --fleet's counts of numbers (the sandbox
   holds them too), so the config's parse is on the path to the first frame.
3. Idle: once the table has loaded and the screen has been quiet for a second, CPU time and
   context switches (wakeups) of all the app's threads over --idle-seconds, and bytes drawn.
4. Peak RSS (VmHWM) with the log pane filled by --refreshes refreshes, each binary on a fresh
   sandbox and data dir (a first start: the storage of configured numbers is read, up to the
   call budget's high-water mark): for each --fleet
   count configured (and listed), and for --discovered numbers the listing brings beside one
   configured number (the original row). Beside it, `wareg numbers --refresh --json` on the
   same configured fleet under /usr/bin/time (the CLI's peak, for comparison).

Given --bin more than once (e.g. a copy of the binary before a change, then after), every
measurement runs each binary in turn, interleaved run by run, and prints them side by side.

Usage: python3 scripts/startup_idle.py [--bin target/release/wareg [--bin OTHER]] [--runs 10]
       [--idle-seconds 10] [--fleet 1000,20000] [--discovered 10000] [--refreshes 100]
       [--skip idle,rss,cli]
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
        with self.lock:
            tail = bytes(self.output[-400:])
        sys.exit(f"timed out waiting for {needle!r}; the screen's last bytes: {tail!r}")

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
        # The reader ends at the pty's end (EIO once the child is gone). Closed before that,
        # the fd's number is reused by the next launch's pty and this reader would steal its
        # first frame.
        self.reader.join(timeout=5)
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


FLEET_BASE = 1_990_000_000_000_000  # the sandbox's generated numbers (src/sandbox/seed.rs)
TIME = "/usr/bin/time"


def sandbox(binary, numbers):
    proc = subprocess.Popen([binary, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(numbers)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().split("listening on ")[1].strip()
    waba = proc.stdout.readline().split("WABA ")[1].split(";")[0]
    # Its further output must not fill the pipe and stall it.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, base, waba


def environment(work, base, waba, configured=0, name="config.toml"):
    """A config on the sandbox naming `configured` of its generated numbers (none: one of the
    built-in ones), and a data dir of its own."""
    config = os.path.join(work, name)
    parts = [f'[profiles.bench]\nbase_url = "{base}"\ntoken_env = "BENCH_TOKEN"\nwaba_id = "{waba}"\n']
    if configured:
        parts += [f'\n[[numbers]]\nid = "{FLEET_BASE + k}"\nlabel = "Fleet {k + 1:05}"\n'
                  for k in range(configured)]
    else:
        parts.append('[[numbers]]\nid = "106540352242922"\nlabel = "Support DE"\n')
    with open(config, "w") as f:
        f.write("".join(parts))
    data = os.path.join(work, name + ".data")
    os.makedirs(data, mode=0o700, exist_ok=True)
    return dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=data,
                BENCH_TOKEN="bench", TERM="xterm-256color")


def first_frame_ms(binary, env):
    tui = Tui([binary], env)
    first = tui.wait_for(b"Numbers (")
    tui.stop()
    return (first - tui.started) * 1000


def first_frames(binaries, env, runs):
    """Per binary: the launch-to-first-frame times of `runs` launches (after one warm-up each),
    the binaries taking turns so that the machine's load falls on all alike."""
    times = {b: [] for b in binaries}
    for b in binaries:
        first_frame_ms(b, env)
    for _ in range(runs):
        for b in binaries:
            times[b].append(first_frame_ms(b, env))
    return times


def summary(times):
    return (f"median {statistics.median(times):.1f} ms (min {min(times):.1f}, "
            f"max {max(times):.1f}, {len(times)} runs)")


def peak_rss(binary, env, refreshes):
    """The TUI's VmHWM after its start and `refreshes` refreshes (`R`, each waited out)."""
    tui = Tui([binary], env)
    tui.wait_for(b"Numbers (")
    tui.wait_quiet(1.0)
    for _ in range(refreshes):
        tui.send("R")
        tui.wait_quiet(0.3)
    rss = tui.status("VmHWM")
    tui.stop()
    return rss


def first_start_rss(sandbox_binary, binary, work, listed, configured, name, refreshes):
    """`peak_rss` of a first start: a fresh sandbox (its call budget unspent, so the start
    reads every configured number's storage up to the high-water mark) and a fresh data dir."""
    proc, base, waba = sandbox(sandbox_binary, listed)
    try:
        return peak_rss(binary, environment(work, base, waba, configured, f"{name}.toml"), refreshes)
    finally:
        proc.terminate()
        proc.wait()


def cli_rss(binary, env):
    """Peak RSS of `wareg numbers --refresh --json` (its output thrown away), in KiB."""
    with tempfile.NamedTemporaryFile(mode="r") as out:
        subprocess.run([TIME, "-f", "%M", "-o", out.name, binary, "numbers", "--refresh", "--json"],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        lines = [line for line in out.read().splitlines() if line.strip().isdigit()]
    return f"{int(lines[-1])} kB" if lines else "?"


def idle(binary, env, seconds):
    tui = Tui([binary], env)
    tui.wait_for(b"Numbers (")
    tui.wait_quiet(1.0)
    before_bytes = len(tui.output)
    before = tui.threads()
    time.sleep(seconds)
    after = tui.threads()
    drawn = len(tui.output) - before_bytes
    common = before.keys() & after.keys()
    cpu = sum(after[t][0] - before[t][0] for t in common)
    wakeups = sum(after[t][1] - before[t][1] for t in common)
    exited = len(before.keys() - after.keys())
    tui.stop()
    return (f"{cpu:.0f} ms CPU, {wakeups} context switches (wakeups) over {len(common)} threads, "
            f"{drawn} bytes drawn, {exited} thread(s) exited (budget: 0 wakeups)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append",
                        help="a wareg binary; give it twice to compare (default target/release/wareg)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--fleet", default="1000,20000",
                        help="configured fleet sizes, comma-separated (first frame and peak RSS)")
    parser.add_argument("--discovered", type=int, default=10000,
                        help="numbers the listing brings beside one configured one (peak RSS; 0: skip)")
    parser.add_argument("--refreshes", type=int, default=100)
    parser.add_argument("--skip", default="", help="comma-separated: idle, rss, cli")
    args = parser.parse_args()
    binaries = [os.path.abspath(b) for b in (args.bin or ["target/release/wareg"])]
    for binary in binaries:
        if not os.path.exists(binary):
            sys.exit(f"{binary} not found: run `cargo build --release` first")
    fleets = [int(n) for n in args.fleet.split(",") if n.strip()]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    def say(what, per_binary):
        for b in binaries:
            tag = f" [{b}]" if len(binaries) > 1 else ""
            print(f"{what}{tag}: {per_binary[b]}", flush=True)

    with tempfile.TemporaryDirectory() as work:
        proc, base, waba = sandbox(binaries[0], 0)
        try:
            env = environment(work, base, waba)
            times = first_frames(binaries, env, args.runs)
            say("start-up to first frame, 1 configured number (budget <= 50 ms)",
                {b: summary(t) for b, t in times.items()})
            if "idle" not in skip:
                say(f"idle {args.idle_seconds:.0f} s after loading",
                    {b: idle(b, env, args.idle_seconds) for b in binaries})
        finally:
            proc.terminate()
            proc.wait()

        medians = {}
        for count in fleets:
            proc, base, waba = sandbox(binaries[0], count)
            try:
                env = environment(work, base, waba, count, f"config-{count}.toml")
                times = first_frames(binaries, env, args.runs)
                for b, t in times.items():
                    medians[(b, count)] = statistics.median(t)
                say(f"start-up to first frame, {count} configured numbers",
                    {b: summary(t) for b, t in times.items()})
                if "rss" not in skip:
                    say(f"TUI peak RSS, {count} configured numbers ({count + 10} listed), first "
                        f"start, {args.refreshes} refreshes",
                        {b: first_start_rss(binaries[0], b, work, count, count, f"rss-{count}-{i}",
                                            args.refreshes)
                         for i, b in enumerate(binaries)})
                if "cli" not in skip:
                    say(f"CLI `numbers --refresh --json` peak RSS, {count} configured numbers",
                        {b: cli_rss(b, env) for b in binaries})
            finally:
                proc.terminate()
                proc.wait()
        if len(fleets) >= 2:
            small, large = min(fleets), max(fleets)
            say(f"first frame {large} / {small} configured numbers",
                {b: f"{medians[(b, large)] / medians[(b, small)]:.1f}x" for b in binaries})

        if args.discovered and "rss" not in skip:
            say(f"TUI peak RSS, 1 configured number, {args.discovered + 10} listed, "
                f"{args.refreshes} refreshes (log pane full)",
                {b: first_start_rss(binaries[0], b, work, args.discovered, 0, f"discovered-{i}",
                                    args.refreshes)
                 for i, b in enumerate(binaries)})


if __name__ == "__main__":
    main()
