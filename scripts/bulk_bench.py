#!/usr/bin/env python3
"""Bulk region change benchmark (BENCHMARKS.md).

Starts `wareg sandbox --numbers 200 --latency-ms 50`, writes a config listing the 200
generated numbers, and times `wareg bulk region --region DE --concurrency 4 --yes` over them.
The limit is what the requests need: per number 2 reads (status, storage) and 3 writes
(deregister, settings, register), each one round trip of the latency, 4 numbers at a time:
5 x 50 ms x 200 / 4 = 12.5 s.

Usage: python3 scripts/bulk_bench.py [--numbers 200] [--latency-ms 50] [--bin target/release/wareg]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--bin", default="target/release/wareg")
    args = parser.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: run `cargo build --release` first")
    sandbox = subprocess.Popen(
        [args.bin, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(args.numbers),
         "--latency-ms", str(args.latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = sandbox.stdout.readline().split("listening on ")[1].strip()
        waba = sandbox.stdout.readline().split("WABA ")[1].split(";")[0]
        with tempfile.TemporaryDirectory() as work:
            config = os.path.join(work, "config.toml")
            with open(config, "w") as f:
                f.write(f'[profiles.bench]\nbase_url = "{base}"\ntoken_env = "BENCH_TOKEN"\n'
                        f'waba_id = "{waba}"\ntimeout_secs = 30\n')
                for i in range(args.numbers):
                    f.write(f'[[numbers]]\nid = "{1990000000000000 + i}"\nlabel = "Fleet {i + 1:05}"\n')
            env = dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=os.path.join(work, "data"),
                       BENCH_TOKEN="bench", BENCH_PIN="000000")
            started = time.monotonic()
            out = subprocess.run(
                [args.bin, "bulk", "region", "--label", "Fleet *", "--region", "DE",
                 "--pin-env", "BENCH_PIN", "--concurrency", str(args.concurrency), "--yes"],
                env=env, capture_output=True, text=True)
            wall = time.monotonic() - started
            if out.returncode != 0:
                sys.exit(f"bulk failed ({out.returncode}): {out.stdout[-2000:]} {out.stderr[-2000:]}")
            limit = 5 * args.latency_ms / 1000 * args.numbers / args.concurrency
            print(f"{args.numbers} numbers, region change, {args.latency_ms} ms latency, "
                  f"concurrency {args.concurrency}")
            print(f"  limit (5 requests x latency x numbers / concurrency): {limit:.2f} s")
            print(f"  wareg bulk region: {wall:.2f} s  ({wall / limit:.2f}x the limit)")
    finally:
        sandbox.kill()


if __name__ == "__main__":
    main()
