#!/usr/bin/env python3
"""Costs that do not grow with history (issue 14): end-to-end timings of the release binary as
a user waits for them, with an audit trail of 0, 100k and 1M records and fleets of up to 20k
configured numbers. Kept out of `cargo test`; python3 stdlib only.

1. Writes audit trails (JSON lines, intent/outcome pairs, spread evenly over the last 365 days,
   oldest first, numbers 1990000000000000+k for k < 1000) into temporary data dirs, once per run.
2. Per trail size, against `wareg sandbox` on loopback: `numbers`, `status --json`, `plan
   register`, `audit --since 7d`, `audit` (whole trail), `register --pin-stdin`. Median of 5
   runs after one warm-up: wall and CPU (user+sys, from wait4), peak RSS (the child's
   ru_maxrss, reported by /usr/bin/time: see `measure` for why not wait4's), and the ratio to
   the empty trail. `register` runs 9 times per size in all, under the budget of 10.
3. `wareg config check` with 1k and 20k configured numbers.
4. The TUI in a pseudo-terminal: launch to the first frame showing the table's title, with 1k
   and 20k configured numbers (and 20k with the 1M-record trail), against `wareg sandbox
   --numbers N`; median of 5 after one warm-up, then one launch under /usr/bin/time for RSS.
5. `wareg numbers --refresh --json` with 20k numbers at 50 ms and 0 ms latency, against the
   yardstick `scripts/yardstick_client.py` (a Python client paging the same listing), and
   pages x latency, the floor.
6. The TUI's own listing: launch to the log pane's "N numbers listed" with 20k configured
   numbers at 50 ms latency (the same pipelined listing as part 5; the TUI reads storage
   beside it). Median of `--refresh-runs` after one warm-up.

Usage: python3 scripts/history_bench.py [--bin target/release/wareg] [--runs 5]
           [--sizes 0,100000,1000000,1000000@3650] [--fleet 20000] [--refresh-runs 3]
           [--skip 1,2,3,4,5,6]

A size N@D spreads N records over the last D days (default 365). 1M over 3,650 days has the
history of the 1M trail and the density (so the 7-day window) of the 100k trail: it tells a
cost that grows with history from one that grows with the records inside the window.
"""
import argparse
import fcntl
import json
import os
import pty
import random
import re
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

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN_ENV = "BENCH_TOKEN"
PROFILE = "sb"
# Seeded sandbox numbers (assets/sandbox-numbers.toml): a PENDING one and a CONNECTED one.
PENDING = "106540352242923"
CONNECTED = "106540352242925"
FLEET_BASE = 1_990_000_000_000_000
DAY = 86_400


# ---------------------------------------------------------------------------------------------
# Running a process and measuring it


class Run:
    __slots__ = ("wall_ms", "cpu_ms", "rss_kib", "rc", "out", "err")

    def __init__(self, wall_ms, cpu_ms, rss_kib, rc, out, err):
        self.wall_ms, self.cpu_ms, self.rss_kib, self.rc, self.out, self.err = (
            wall_ms, cpu_ms, rss_kib, rc, out, err)


TIME = "/usr/bin/time"  # GNU time: the child's own ru_maxrss (see measure)


def measure(argv, env, stdin=None, keep_stdout=True, under_time=False):
    """One run: wall from before fork to after reaping; CPU (user+sys) from wait4.

    Peak RSS: ru_maxrss of a child forked from this Python process starts at Python's own
    high-water mark (Linux carries the pre-exec mm's peak across execve, and subprocess uses
    vfork), so wait4 here would never show less than ~25 MiB. With `under_time` the child is
    run by /usr/bin/time, which forks it from a 1-2 MiB process and writes the child's own
    ru_maxrss (KiB) to a file: that is the RSS reported. The wrapper adds ~1 ms of wall, so
    short commands take wall and CPU from a direct run and RSS from a run under time.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rss_file:
        stdout = out if keep_stdout else subprocess.DEVNULL
        if under_time:
            argv = [TIME, "-f", "%M", "-o", rss_file.name, *argv]
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=stdout, stderr=err,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
        if stdin is not None:
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except BrokenPipeError:
                pass
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        rss = None
        if under_time:
            lines = [line for line in rss_file.read().splitlines() if line.strip()]
            # GNU time writes "Command exited with non-zero status N" before the format.
            rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else None
        out.seek(0)
        err.seek(0)
        return Run(wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000, rss,
                   proc.returncode, out.read(), err.read())


def series(argv, env, runs, warmup=1, stdin=None, keep_stdout=True, rss_runs=None):
    """`runs` direct runs (wall, CPU) after `warmup`, each followed by a run under time (RSS),
    up to `rss_runs` of them (default: as many as `runs`)."""
    rss_runs = runs if rss_runs is None else rss_runs
    for _ in range(warmup):
        measure(argv, env, stdin, keep_stdout)
    results = []
    for i in range(runs):
        run = measure(argv, env, stdin, keep_stdout)
        if i < rss_runs:
            timed = measure(argv, env, stdin, keep_stdout, under_time=True)
            run.rss_kib = timed.rss_kib
            if timed.rc != run.rc:
                run.err += b"\n(the run under /usr/bin/time: exit %d: %s)" % (timed.rc, timed.err[-200:])
        results.append(run)
    return results


def med(runs, attr):
    values = [getattr(r, attr) for r in runs if getattr(r, attr) is not None]
    return statistics.median(values) if values else float("nan")


def peak(runs):
    values = [r.rss_kib for r in runs if r.rss_kib is not None]
    return max(values) if values else float("nan")


def mib(kib):
    return kib / 1024


def first_line(data):
    text = data.decode(errors="replace").strip()
    return text.splitlines()[-1][:200] if text else ""


# ---------------------------------------------------------------------------------------------
# The sandbox and configs


class Sandbox:
    def __init__(self, binary, numbers=0, latency_ms=0):
        self.proc = subprocess.Popen(
            [binary, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(numbers),
             "--latency-ms", str(latency_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.base = self.proc.stdout.readline().split("listening on ")[1].strip()
        self.waba = self.proc.stdout.readline().split("WABA ")[1].split(";")[0]
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def write_config(path, sandbox, numbers):
    """One profile on the sandbox; `numbers` is a list of (id, label)."""
    parts = [f'[profiles.{PROFILE}]\nbase_url = "{sandbox.base if sandbox else "http://127.0.0.1:9"}"\n'
             f'token_env = "{TOKEN_ENV}"\nwaba_id = "{sandbox.waba if sandbox else "1"}"\n'
             'timeout_secs = 30\n']
    for number, label in numbers:
        parts.append(f'\n[[numbers]]\nid = "{number}"\nlabel = "{label}"\n')
    with open(path, "w") as f:
        f.write("".join(parts))
    return path


def fleet_numbers(count):
    return [(str(FLEET_BASE + k), f"Fleet {k + 1:05}") for k in range(count)]


def environment(config, data_dir):
    return dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=data_dir, TERM="xterm-256color",
                **{TOKEN_ENV: "bench"})


def private_dir(path):
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


# ---------------------------------------------------------------------------------------------
# 1. Audit trails

OPS = ["register"] * 45 + ["deregister"] * 40 + ["set_pin"] * 6 + ["request_code"] * 4 + \
      ["verify_code"] * 3 + ["settings"] * 2
OPERATORS = [("ana", "desk-1"), ("ben", "desk-2"), ("chloe", "desk-3"), ("dev", "laptop-7")]
ERRORS = [(133005, "Two-step PIN mismatch"),
          (133006, "Phone number needs to be verified before registering"),
          (133008, "Too many two-step verification PIN guesses for this phone number"),
          (133015, "Please wait a few minutes before attempting to register this phone number"),
          (100, "Invalid parameter")]


def iso(epoch_ms):
    seconds, ms = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def write_trail(path, records, now, days=365):
    """`records` lines (intent/outcome pairs), evenly over the `days` days before `now`."""
    rng = random.Random(14)
    pairs = records // 2
    span_ms = days * DAY * 1000
    start_ms = int(now * 1000) - span_ms
    step = span_ms / max(pairs, 1)
    gap = min(400, int(step / 2))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", buffering=8 << 20) as f:
        chunk = []
        for j in range(pairs):
            t = start_ms + int(j * step)
            number = FLEET_BASE + rng.randrange(1000)
            op = OPS[rng.randrange(len(OPS))]
            who, host = OPERATORS[rng.randrange(len(OPERATORS))]
            attempt = f"{t:x}-{j & 0xffff:04x}"
            head = (f'"attempt":"{attempt}","phase":"%s","profile":"{PROFILE}",'
                    f'"number":"{number}","op":"{op}"')
            chunk.append(f'{{"time":"{iso(t)}",{head % "intent"},'
                         f'"detail":"api v25.0","operator":"{who}@{host}","host":"{host}"}}\n')
            roll = rng.random()
            if roll < 0.80:
                tail = '"outcome":"ok"'
            elif roll < 0.95:
                code, message = ERRORS[rng.randrange(len(ERRORS))]
                tail = (f'"outcome":"error","code":{code},"trace":"A{rng.getrandbits(40):x}",'
                        f'"message":"{message}"')
            elif roll < 0.98:
                tail = '"outcome":"unknown","message":"timed out after 30 s"'
            else:
                tail = '"outcome":"not_sent","message":"connection refused"'
            chunk.append(f'{{"time":"{iso(t + gap)}",{head % "outcome"},{tail},'
                         f'"operator":"{who}@{host}","host":"{host}"}}\n')
            if len(chunk) >= 100_000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    return os.path.getsize(path)


# ---------------------------------------------------------------------------------------------
# 4. The TUI in a pseudo-terminal (the idea of scripts/startup_idle.py's Tui, not imported)


class Tui:
    """wareg in a pseudo-terminal, its output drained by a thread."""

    def __init__(self, argv, env, rows=40, cols=120):
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.output = bytearray()
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

    def wait_for(self, needle, timeout=30):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if self.output.find(needle) >= 0:
                    return time.perf_counter()
            time.sleep(0.0002)
        return None

    def stop(self, timeout=10):
        """Sends `q`; whether it exited by itself, and its rusage."""
        try:
            os.write(self.fd, b"q")
        except OSError:
            pass
        deadline = time.perf_counter() + timeout
        clean = True
        while True:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                clean = False
                os.kill(self.pid, signal.SIGKILL)
                _, status, usage = os.wait4(self.pid, 0)
                break
            time.sleep(0.005)
        # The reader ends at the pty's end; closed before that, the fd's number goes to the
        # next launch's pty and this reader would steal its first frame.
        self.reader.join(timeout=5)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return clean, usage


def tui_first_frame(binary, env, runs, warmup=1):
    times, notes = [], []
    for i in range(warmup + runs):
        tui = Tui([binary], env)
        at = tui.wait_for(b"Numbers (")
        clean, _ = tui.stop()
        if at is None:
            notes.append(f"run {i}: no frame with 'Numbers (' within 30 s; output tail "
                         f"{bytes(tui.output[-300:])!r}")
            continue
        if not clean:
            notes.append(f"run {i}: did not exit within 10 s of `q` (killed)")
        if i >= warmup:
            times.append((at - tui.started) * 1000)
    # One more launch under /usr/bin/time for the peak RSS up to the first frame (and `q`).
    with tempfile.NamedTemporaryFile(mode="r") as rss_file:
        tui = Tui([TIME, "-f", "%M", "-o", rss_file.name, binary], env)
        tui.wait_for(b"Numbers (")
        tui.stop()
        lines = [line for line in rss_file.read().splitlines() if line.strip().isdigit()]
        rss = int(lines[-1]) if lines else None
    return times, notes, rss


# ---------------------------------------------------------------------------------------------
# The report


def table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))


def trail_name(spec):
    n, days = spec
    return size_name(n) + ("" if days == 365 else f"/{days}d")


def wareg_fields():
    """FULL_FIELDS of src/graph/types.rs: what wareg's listing asks for."""
    with open(os.path.join(HERE, "..", "src", "graph", "types.rs")) as f:
        found = re.search(r'pub const FULL_FIELDS: &str = "([^"]+)"', f.read())
    return found.group(1) if found else None


def yardstick_fields():
    sys.path.insert(0, HERE)
    import yardstick_client
    return yardstick_client.FIELDS


def size_name(n):
    return f"{n // 1_000_000}M" if n and n % 1_000_000 == 0 else (f"{n // 1000}k" if n and n % 1000 == 0 else str(n))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/wareg")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="0,100000,1000000,1000000@3650")
    parser.add_argument("--fleet", type=int, default=20000)
    parser.add_argument("--small-fleet", type=int, default=1000)
    parser.add_argument("--refresh-runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--skip", default="", help="comma-separated part numbers to skip (1-6)")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.path.exists(binary):
        sys.exit(f"{binary} not found: run `cargo build --release` first")
    skip = {int(s) for s in args.skip.split(",") if s}
    sizes = [(int(s.split("@")[0]), int(s.split("@")[1]) if "@" in s else 365)
             for s in args.sizes.split(",")]
    yardstick = os.path.join(HERE, "yardstick_client.py")
    began = time.monotonic()
    notes = []

    print(f"binary: {binary}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if not os.path.exists(TIME):
        sys.exit(f"{TIME} (GNU time) not found: it measures the children's peak RSS")
    print(f"runs: median of {args.runs} after 1 warm-up (refresh: median of {args.refresh_runs} "
          f"after 1 warm-up); wall = fork to reap; CPU = ru_utime+ru_stime from wait4;")
    print("RSS = the child's ru_maxrss under /usr/bin/time -f %M (a run of its own, but for the "
          "refresh,\n  where wall and CPU come from the same run; the wrapper adds ~1 ms of wall)")

    with tempfile.TemporaryDirectory(prefix="wareg-history-") as work:
        # 1. Trails.
        now = time.time()
        data_dirs = {}
        for spec in sizes:
            n, days = spec
            d = private_dir(os.path.join(work, f"data-{n}-{days}"))
            data_dirs[spec] = d
            if n:
                t = time.monotonic()
                size = write_trail(os.path.join(d, "audit.jsonl"), n, now, days)
                print(f"trail {trail_name(spec)}: {n} records over {days} days, {size / 1e6:.0f} MB, "
                      f"~{n * 8 // days} in the last 8 days, written in {time.monotonic() - t:.1f} s")

        # 2. Commands per trail size.
        if 2 not in skip:
            # (label, argv, stdin, keep stdout, runs under time for RSS). register: 1 warm-up +
            # 5 timed + 3 under time = 9 attempts, under the budget of 10 a week (and Meta's 10).
            commands = [
                ("numbers", ["numbers"], None, True),
                (f"status {CONNECTED} --json", ["status", CONNECTED, "--json"], None, True),
                (f"plan register {PENDING}", ["plan", "register", PENDING], None, True),
                ("audit --since 7d", ["audit", "--since", "7d"], None, False),
                ("audit", ["audit"], None, False),
                # Last: it appends to the trail and changes the sandbox number's state.
                (f"register {PENDING} --pin-stdin", ["register", PENDING, "--pin-stdin"],
                 b"000000\n", True, 3),
            ]
            results = {}
            for n in sizes:
                # A fresh sandbox per size: each size's register runs start from PENDING.
                with Sandbox(binary) as sb:
                    config = write_config(os.path.join(work, f"config-trail-{n[0]}-{n[1]}.toml"), sb,
                                          [(PENDING, "Sales UK"), (CONNECTED, "Billing US")])
                    env = environment(config, data_dirs[n])
                    for label, argv, stdin, keep, *rss_runs in commands:
                        runs = series([binary, *argv], env, args.runs, stdin=stdin, keep_stdout=keep,
                                      rss_runs=min(args.runs, *rss_runs) if rss_runs else None)
                        results[(label, n)] = runs
                        codes = sorted({r.rc for r in runs})
                        if codes != [0]:
                            why = next(first_line(r.err) for r in runs if r.rc != 0)
                            budget = "budget" in why.lower() or "attempts" in why.lower()
                            notes.append(f"`wareg {' '.join(argv)}` at {trail_name(n)} records: exit "
                                         f"{codes}{' (the registration budget)' if budget else ''}: {why}")
            print()
            print("== 2. commands x audit trail size (median of runs) ==")
            rows = []
            for label, *_ in commands:
                base = med(results[(label, sizes[0])], "wall_ms")
                for n in sizes:
                    runs = results[(label, n)]
                    wall = med(runs, "wall_ms")
                    rows.append([f"wareg {label}", trail_name(n), f"{wall:.1f}",
                                 f"{min(r.wall_ms for r in runs):.1f}-{max(r.wall_ms for r in runs):.1f}",
                                 f"{med(runs, 'cpu_ms'):.0f}", f"{mib(med(runs, 'rss_kib')):.1f}",
                                 f"{mib(peak(runs)):.1f}",
                                 f"{wall / base:.2f}x", ",".join(str(c) for c in sorted({r.rc for r in runs}))])
            table(rows, ["command", "trail", "wall ms", "min-max", "cpu ms", "RSS MiB", "max RSS",
                         "x empty", "exit"])
            print("targets: 1M-record trail <= 3x the empty trail's wall, peak RSS <= 64 MB")

        # 3. config check.
        if 3 not in skip:
            print()
            print("== 3. wareg config check x configured numbers ==")
            rows, walls = [], {}
            empty = private_dir(os.path.join(work, "data-empty"))
            for count in [0, args.small_fleet, args.fleet]:
                config = write_config(os.path.join(work, f"config-check-{count}.toml"), None,
                                      fleet_numbers(count))
                runs = series([binary, "config", "check"], environment(config, empty), args.runs)
                if any(r.rc for r in runs):
                    notes.append(f"`wareg config check` with {count} numbers: exit "
                                 f"{sorted({r.rc for r in runs})}: {first_line(runs[0].err)}")
                walls[count] = med(runs, "wall_ms")
                rows.append([f"{count} numbers", f"{os.path.getsize(config) / 1e3:.0f} kB",
                             f"{walls[count]:.1f}", f"{med(runs, 'cpu_ms'):.0f}",
                             f"{mib(med(runs, 'rss_kib')):.1f}"])
            table(rows, ["config", "size", "wall ms", "cpu ms", "RSS MiB"])
            ratio = walls[args.fleet] / walls[args.small_fleet]
            print(f"ratio {size_name(args.fleet)}/{size_name(args.small_fleet)}: {ratio:.1f}x "
                  f"(target <= 30x: {'OK' if ratio <= 30 else 'OVER'})")

        # 4. TUI first frame.
        if 4 not in skip:
            print()
            print("== 4. TUI: launch to first frame with the table title (pty 120x40) ==")
            rows = []
            empty = private_dir(os.path.join(work, "data-tui"))
            cases = [(args.small_fleet, empty, "empty"), (args.fleet, empty, "empty")]
            biggest = max(sizes, key=lambda spec: (spec[1] == 365, spec[0]))
            if biggest[0] > 0:
                cases.append((args.fleet, data_dirs[biggest], f"{trail_name(biggest)} records"))
            for count, data_dir, trail in cases:
                with Sandbox(binary, numbers=count) as sb:
                    config = write_config(os.path.join(work, f"config-tui-{count}.toml"), sb,
                                          fleet_numbers(count))
                    times, tui_notes, rss = tui_first_frame(binary, environment(config, data_dir),
                                                            args.runs)
                notes += [f"TUI {count} numbers, trail {trail}: {n}" for n in tui_notes]
                if times:
                    m = statistics.median(times)
                    rows.append([f"{count} numbers", trail, f"{m:.1f}",
                                 f"{min(times):.1f}-{max(times):.1f}",
                                 "OK" if count != args.fleet or m <= 100 else "OVER",
                                 f"{mib(rss):.1f}" if rss else "?"])
            table(rows, ["configured", "trail", "first frame ms", "min-max", "<=100 ms",
                         "RSS MiB (q at 1st frame)"])

        # 5. numbers --refresh --json against the yardstick.
        if 5 not in skip:
            print()
            print(f"== 5. wareg numbers --refresh --json, {args.fleet} configured numbers, "
                  f"sandbox --numbers {args.fleet} ==")
            rows = []
            empty = private_dir(os.path.join(work, "data-refresh"))
            if yardstick_fields() != wareg_fields():
                notes.append("the yardstick does not ask for wareg's listing fields (FULL_FIELDS): "
                             "the two read different pages and the comparison is off")
            for latency in [args.latency_ms, 0]:
                with Sandbox(binary, numbers=args.fleet, latency_ms=latency) as sb:
                    config = write_config(os.path.join(work, f"config-refresh-{latency}.toml"), sb,
                                          fleet_numbers(args.fleet))
                    env = environment(config, empty)
                    wareg_argv = [binary, "numbers", "--refresh", "--json"]
                    yard_argv = [sys.executable, yardstick, "--base", sb.base, "--waba", sb.waba]
                    wareg, yard = [], []
                    for i in range(1 + args.refresh_runs):  # interleaved; the first is a warm-up
                        w = measure(wareg_argv, env, under_time=True)
                        y = measure(yard_argv, env, under_time=True)
                        if i:
                            wareg.append(w)
                            yard.append(y)
                    for r in wareg:
                        if r.rc:
                            notes.append(f"`wareg numbers --refresh --json` at {latency} ms: exit "
                                         f"{r.rc}: {first_line(r.err)}")
                            break
                    try:
                        listed = len(json.loads(wareg[-1].out)["numbers"])
                    except (ValueError, KeyError) as e:
                        listed = f"? ({e})"
                    inner = json.loads(yard[-1].out)
                    pages = inner["pages"]
                    floor = pages * latency
                for name, runs, extra in [("wareg numbers --refresh --json", wareg, f"{listed} rows"),
                                          ("yardstick_client.py", yard,
                                           f"{inner['numbers']} numbers, {pages} pages")]:
                    rows.append([name, f"{latency} ms", f"{med(runs, 'wall_ms'):.0f}",
                                 f"{min(r.wall_ms for r in runs):.0f}-{max(r.wall_ms for r in runs):.0f}",
                                 f"{med(runs, 'cpu_ms'):.0f}", f"{mib(med(runs, 'rss_kib')):.1f}", extra])
                rows.append([f"floor: pages x latency", f"{latency} ms",
                             f"{floor:.0f}", "", "", "", f"{pages} x {latency} ms"])
            table(rows, ["", "latency", "wall ms", "min-max", "cpu ms", "RSS MiB", ""])
            print("targets: peak RSS <= 64 MB, wall <= the yardstick's")

        # 6. The TUI's listing at fleet size (raw output: the log line is new text, drawn whole).
        if 6 not in skip:
            print()
            print(f"== 6. TUI: launch to '... numbers listed' in the log pane, {args.fleet} "
                  f"configured numbers, {args.latency_ms} ms latency (pty 120x40) ==")
            times = []
            with Sandbox(binary, numbers=args.fleet, latency_ms=args.latency_ms) as sb:
                config = write_config(os.path.join(work, "config-tui-listing.toml"), sb,
                                      fleet_numbers(args.fleet))
                env = environment(config, private_dir(os.path.join(work, "data-tui-listing")))
                for i in range(1 + args.refresh_runs):
                    tui = Tui([binary], env)
                    at = tui.wait_for(b"numbers listed", timeout=120)
                    tui.stop()
                    if at is None:
                        notes.append(f"TUI listing run {i}: no 'numbers listed' within 120 s")
                    elif i > 0:
                        times.append((at - tui.started) * 1000)
            if times:
                table([["TUI listing", f"{args.latency_ms} ms",
                        f"{statistics.median(times):.0f}",
                        f"{min(times):.0f}-{max(times):.0f}"]],
                      ["", "latency", "wall ms", "min-max"])

    print()
    if notes:
        print("notes:")
        for n in notes:
            print(f"- {n}")
    print(f"total {time.monotonic() - began:.0f} s; load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
