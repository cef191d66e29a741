#!/usr/bin/env python3
"""What a planted audit trail costs (issue 27 item 4): the red team's three cases, against
`wareg sandbox` on loopback, each command under /usr/bin/time (wall seconds, the child's own
peak RSS) and the size of the budget index it leaves. Kept out of `cargo test`; python3
stdlib only.

1. A session's trail and index (one register), then one line of 300 MB appended (written for
   real, a MB at a time): `plan register`, `numbers`, `audit`.
2. `audit.jsonl` = 100 MB of `{"x":1}` lines, no index (what an upgrade finds): `numbers`,
   then `plan register`.
3. The same at 300 MB.

Usage: python3 scripts/planted_trail.py [--bin target/release/wareg] [--cases 1,2,3]
"""
import argparse
import os
import subprocess
import tempfile
import threading

PENDING = "106540352242923"
TOKEN_ENV = "BENCH_TOKEN"
MB = 1024 * 1024


class Sandbox:
    def __init__(self, binary):
        self.proc = subprocess.Popen(
            [binary, "sandbox", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.base = self.proc.stdout.readline().split("listening on ")[1].strip()
        self.waba = self.proc.stdout.readline().split("WABA ")[1].split(";")[0]
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def desk(tmp, sandbox):
    config = os.path.join(tmp, "config.toml")
    with open(config, "w") as f:
        f.write(f'default_profile = "sb"\n[profiles.sb]\nbase_url = "{sandbox.base}"\n'
                f'token_env = "{TOKEN_ENV}"\nwaba_id = "{sandbox.waba}"\n'
                f'[[numbers]]\nid = "{PENDING}"\nlabel = "Sales UK"\n')
    data = os.path.join(tmp, "data")
    os.makedirs(data, mode=0o700, exist_ok=True)
    env = dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=data, NO_COLOR="1")
    env[TOKEN_ENV] = "bench-token"
    return data, env


def timed(binary, args, env, stdin=None):
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", binary, *args], env=env,
                         input=stdin, capture_output=True, text=True)
    secs, kib = out.stderr.strip().splitlines()[-1].split()
    return out.returncode, float(secs), int(kib) / 1024


def report(case, binary, args, env, data):
    rc, secs, mib = timed(binary, args, env)
    index = os.path.join(data, "audit.index")
    size = os.path.getsize(index) if os.path.exists(index) else 0
    print(f"{case:<34} {' '.join(args):<34} exit {rc}  {secs:6.2f} s  {mib:7.1f} MiB  "
          f"index {size:,} bytes", flush=True)


def junk_trail(path, megabytes):
    line = b'{"x":1}\n'
    block = line * (MB // len(line))
    with open(path, "wb") as f:
        for _ in range(megabytes):
            f.write(block)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(
        os.path.dirname(__file__), "..", "target", "release", "wareg"))
    parser.add_argument("--cases", default="1,2,3")
    args = parser.parse_args()
    cases = {int(c) for c in args.cases.split(",")}
    sandbox = Sandbox(args.bin)
    try:
        if 1 in cases:
            with tempfile.TemporaryDirectory() as tmp:
                data, env = desk(tmp, sandbox)
                rc, _, _ = timed(args.bin, ["register", PENDING, "--pin-stdin", "--yes"], env,
                                 stdin="123456\n")
                assert rc == 0, "the session's register"
                with open(os.path.join(data, "audit.jsonl"), "ab") as f:
                    for _ in range(300):
                        f.write(b"a" * MB)
                    f.write(b"\n")
                for command in (["plan", "register", PENDING], ["numbers"], ["audit"]):
                    report("1: a 300 MB line after the records", args.bin, command, env, data)
        for case, megabytes in ((2, 100), (3, 300)):
            if case not in cases:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                data, env = desk(tmp, sandbox)
                junk_trail(os.path.join(data, "audit.jsonl"), megabytes)
                for command in (["numbers"], ["plan", "register", PENDING]):
                    report(f"{case}: {megabytes} MB of {{\"x\":1}} lines", args.bin, command,
                           env, data)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
