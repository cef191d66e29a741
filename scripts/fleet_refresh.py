#!/usr/bin/env python3
"""Fleet refresh benchmark (BENCHMARKS.md).

Starts `wareg sandbox --numbers 1000 --latency-ms 50`, times `wareg numbers --refresh --json`
(the listing endpoint, 100 numbers a page, following paging.next), then times a sequential
loop that reads every number with one GET each, in the same run, and prints the ratio.

Usage: python3 scripts/fleet_refresh.py [--numbers 1000] [--latency-ms 50] [--bin target/release/wareg]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

# The sandbox's four misbehaving numbers (slow, HTML 502, truncated, reset) would only make the
# sequential loop look worse; they are left out of it.
MISBEHAVING = {"106540352242931", "106540352242932", "106540352242933", "106540352242934"}

FIELDS = ("id,display_phone_number,verified_name,status,code_verification_status,quality_rating,"
          "platform_type,throughput,name_status,last_onboarded_time,is_official_business_account,"
          "account_mode,is_pin_enabled")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--bin", default="target/release/wareg")
    args = parser.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: run `cargo build --release` first")

    sandbox = subprocess.Popen(
        [args.bin, "sandbox", "--listen", "127.0.0.1:0", "--numbers", str(args.numbers),
         "--latency-ms", str(args.latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = sandbox.stdout.readline()
        base = first.split("listening on ")[1].strip()
        waba = sandbox.stdout.readline().split("WABA ")[1].split(";")[0]
        with tempfile.TemporaryDirectory() as work:
            config = os.path.join(work, "config.toml")
            with open(config, "w") as f:
                f.write(f'[profiles.bench]\nbase_url = "{base}"\ntoken_env = "BENCH_TOKEN"\n'
                        f'waba_id = "{waba}"\ntimeout_secs = 30\n')
            env = dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=os.path.join(work, "data"),
                       BENCH_TOKEN="bench")

            started = time.monotonic()
            out = subprocess.run([args.bin, "numbers", "--refresh", "--json"], env=env,
                                 capture_output=True, text=True, check=True)
            fleet = time.monotonic() - started
            ids = [n["id"] for n in json.loads(out.stdout)["numbers"] if n.get("live")]

            looped = [i for i in ids if i not in MISBEHAVING]
            started = time.monotonic()
            for number in looped:
                request = urllib.request.Request(f"{base}/v25.0/{number}?fields={FIELDS}",
                                                 headers={"Authorization": "Bearer bench"})
                with urllib.request.urlopen(request) as response:
                    json.load(response)
            sequential = time.monotonic() - started
            looped_count = len(looped)
    finally:
        sandbox.terminate()
        sandbox.wait()

    pages = math.ceil(len(ids) / 100)
    floor = pages * args.latency_ms / 1000
    print(f"numbers read:                 {len(ids)}")
    print(f"pages x latency:              {pages} x {args.latency_ms} ms = {floor:.3f} s")
    print(f"wareg numbers --refresh:      {fleet:.3f} s  (budget <= {2 * floor:.3f} s: "
          f"{'OK' if fleet <= 2 * floor else 'OVER'})")
    print(f"sequential one GET per number: {sequential:.3f} s  ({looped_count} GETs)")
    print(f"ratio:                        {sequential / fleet:.1f}x  (budget >= 30x: "
          f"{'OK' if sequential / fleet >= 30 else 'UNDER'})")


if __name__ == "__main__":
    main()
