#!/usr/bin/env python3
"""Peak memory of wareg against answers that never should fit: a 500 MB body and an endless
one. Starts a small hostile HTTP server on loopback, runs the release binary's `status` and
`register` against it under /usr/bin/time -v, prints the peak RSS of each run.

    cargo build --release && python3 scripts/hostile_rss.py
"""
import http.server, os, socketserver, subprocess, sys, tempfile, threading

CHUNK = b"a" * 65536
HUGE = 500 * 1024 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        endless = "/v25.0/2" in self.path
        self.send_response(200)
        self.send_header("content-type", "application/json")
        if endless:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(HUGE + 27))
        self.end_headers()
        head = b'{"id":"1","verified_name":"'
        try:
            if endless:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            else:
                self.wfile.write(head)
                for _ in range(HUGE // len(CHUNK)):
                    self.wfile.write(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = answer
    do_POST = answer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # wareg hangs up mid-answer on purpose


def main():
    binary = os.path.join(os.path.dirname(__file__), "..", "target", "release", "wareg")
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "config.toml")
        with open(config, "w") as f:
            f.write(f'default_profile = "h"\n[profiles.h]\nbase_url = "http://127.0.0.1:{port}"\n'
                    f'token_env = "T"\ntimeout_secs = 60\n')
        env = dict(os.environ, WAREG_CONFIG=config, WAREG_DATA_DIR=os.path.join(tmp, "data"), T="t")
        for label, args, stdin in [
            ("GET, 500 MB answer", ["status", "1"], None),
            ("GET, endless answer", ["status", "2"], None),
            ("register, 500 MB answer", ["register", "1", "--pin-stdin", "--force"], b"123456\n"),
            ("register, endless answer", ["register", "2", "--pin-stdin", "--force"], b"123456\n"),
        ]:
            run = subprocess.run(["/usr/bin/time", "-v", binary, *args], env=env, input=stdin,
                                 capture_output=True)
            err = run.stderr.decode()
            rss = next(l for l in err.splitlines() if "Maximum resident set size" in l).split()[-1]
            wall = next(l for l in err.splitlines() if "Elapsed (wall clock)" in l).split()[-1]
            cut = "too large" in err
            print(f"{label:28} exit {run.returncode}  peak RSS {int(rss) / 1024:6.1f} MiB  wall {wall}  cut: {cut}")
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
