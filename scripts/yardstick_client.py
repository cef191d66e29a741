#!/usr/bin/env python3
"""Yardstick for `wareg numbers --refresh --json` (scripts/history_bench.py, issue 14).

A small Python client that pages a WABA's phone-number listing the way wareg does
(`GET {base}/v25.0/{waba}/phone_numbers?fields=...&limit=100`, then `paging.next` until there
is none) and parses every page with `json`. Paging is sequential, so the only overlap there is
to have: a fetcher thread finds `paging.next` in the raw bytes and sends the next request at
once, while the main thread parses the page it just got. One kept-alive HTTP/1.1 connection.

Prints one JSON line: pages, numbers, wall seconds, CPU seconds (user+sys of this process).

Usage: python3 scripts/yardstick_client.py --base http://127.0.0.1:PORT --waba ID [--token x]
"""
import argparse
import http.client
import json
import queue
import re
import resource
import sys
import threading
import time
import urllib.parse

# wareg's listing fields (FULL_FIELDS in src/graph/types.rs), so that both read the same pages.
# These once were scripts/fleet_refresh.py's 13 fields, which lack health_status,
# new_name_status and is_on_biz_app: the sandbox's pages were then 40 KB instead of 60 KB and
# about 0.6 ms quicker to serve, 120 ms over 201 pages that wareg could never have made up.
FIELDS = ("id,display_phone_number,verified_name,status,code_verification_status,quality_rating,"
          "platform_type,throughput,name_status,new_name_status,last_onboarded_time,"
          "is_official_business_account,account_mode,is_pin_enabled,is_on_biz_app,health_status")

# `"next":"..."` inside `paging`; the page is parsed in full later, this only finds the link.
NEXT = re.compile(rb'"next"\s*:\s*"((?:[^"\\]|\\.)*)"')


class Connection:
    """One kept-alive connection to the listing's host, reopened if the server closes it."""

    def __init__(self, base, token):
        self.parsed = urllib.parse.urlsplit(base)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = None

    def get(self, url):
        target = urllib.parse.urlsplit(url)
        path = target.path + ("?" + target.query if target.query else "")
        for attempt in range(2):
            if self.conn is None:
                cls = (http.client.HTTPSConnection if self.parsed.scheme == "https"
                       else http.client.HTTPConnection)
                self.conn = cls(self.parsed.hostname, self.parsed.port, timeout=60)
            try:
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
                if response.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                if response.status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:200]!r}")
                return body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def fetch_all(base, waba, token, pages_out):
    """Fetcher thread: every page's raw bytes into `pages_out`, then None."""
    try:
        conn = Connection(base, token)
        url = f"{base}/v25.0/{waba}/phone_numbers?fields={FIELDS}&limit=100"
        seen = set()
        while url and url not in seen and len(seen) < 1000:
            seen.add(url)
            body = conn.get(url)
            pages_out.put(body)
            found = NEXT.search(body, max(0, len(body) - 4096)) or NEXT.search(body)
            # A JSON string: its escapes (\/ and \u0026) are undone by json itself.
            url = json.loads(b'"' + found.group(1) + b'"') if found else None
    except BaseException as e:  # handed to the main thread
        pages_out.put(e)
    pages_out.put(None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--waba", required=True)
    parser.add_argument("--token", default="x")
    args = parser.parse_args()

    started = time.monotonic()
    pages_in = queue.Queue()
    fetcher = threading.Thread(target=fetch_all, args=(args.base.rstrip("/"), args.waba, args.token,
                                                       pages_in), daemon=True)
    fetcher.start()
    pages = numbers = 0
    ids = set()
    while True:
        item = pages_in.get()
        if item is None:
            break
        if isinstance(item, BaseException):
            print(f"yardstick: {item}", file=sys.stderr)
            return 3
        page = json.loads(item)
        pages += 1
        for number in page.get("data", []):
            ids.add(number["id"])
            numbers += 1
    fetcher.join()
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"pages": pages, "numbers": numbers, "distinct": len(ids), "wall_s": round(wall, 4),
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
                      "max_rss_kib": usage.ru_maxrss}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
