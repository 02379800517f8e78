#!/usr/bin/env python3
# mock_shortener.py: a fake URL shortener on 127.0.0.1 (plain and, with --cert, TLS) plus a
# canary listener on 127.0.0.2, for the link-resolution tests; it prints its ports, then serves.
# --close-after N drops each kept-alive connection after N responses, unannounced.
import argparse
import random
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEST = "https://www.example.com"
stats = {"get": 0, "head": 0, "canary": 0}
lock = threading.Lock()
# Requests per /ka/ and /reset path, for the keep-alive tests (/_kastats sums them up).
ka_counts = {}
# Requests per /once/ path, for the shared-cache tests (/_oncestats sums them up).
once_counts = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real shorteners offer
    delay = 0.0
    canary_port = 0
    close_after = 0  # --close-after: drop each connection after this many responses
    close_jitter = 0.0  # --close-jitter-ms: up to this long (at random) before the close

    def setup(self):
        super().setup()
        self.served = 0

    def log_message(self, *args):
        pass

    def reply(self, code, location=None, body=b"", ctype=None, lower=False):
        self.send_response(code)
        if location is not None:
            self.send_header("location" if lower else "Location", location)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.served += 1
        if self.close_after and self.served >= self.close_after:
            # Gone without a word: no "Connection: close", the response said keep-alive.
            # A client that reuses the connection before it sees the FIN finds it dead.
            self.wfile.flush()
            if self.close_jitter:
                time.sleep(random.uniform(0, self.close_jitter))
            self.close_connection = True

    def do_HEAD(self):
        with lock:
            stats["head"] += 1
        # Like goo.gl: HEAD is refused where GET works.
        self.reply(405)

    def do_GET(self):
        with lock:
            stats["get"] += 1
        p = self.path
        cp = self.canary_port
        if p == "/_stats":
            body = ("%d %d %d" % (stats["get"], stats["head"], stats["canary"])).encode()
            return self.reply(200, body=body, ctype="text/plain")
        if p == "/_kastats":
            with lock:
                v = list(ka_counts.values())
                body = ("%d %d %d %d" % (len(v), sum(v), max(v, default=0),
                                         ka_counts.get("/reset", 0))).encode()
            return self.reply(200, body=body, ctype="text/plain")
        if p == "/_oncestats":  # /once/ paths: distinct, requests in all, most for one
            with lock:
                v = list(once_counts.values())
                body = ("%d %d %d" % (len(v), sum(v), max(v, default=0))).encode()
            return self.reply(200, body=body, ctype="text/plain")
        if p.startswith("/once/"):  # the fleet tests: each asked once across processes?
            with lock:
                once_counts[p] = once_counts.get(p, 0) + 1
            time.sleep(self.delay)
            return self.reply(301, "%s/once/%s" % (DEST, p[6:]))
        if p.startswith("/ka/") or p == "/reset":
            with lock:
                ka_counts[p] = ka_counts.get(p, 0) + 1
        if p.startswith("/ka/"):
            return self.reply(301, "%s/ka/%s" % (DEST, p[4:]))
        if p == "/to-reset":
            return self.reply(302, "/reset")
        if p.startswith("/bench/"):
            time.sleep(self.delay)
            return self.reply(301, "%s/b/%s?utm_source=twitter&n=1" % (DEST, p[7:]))
        if p.startswith("/hop/"):
            n = int(p[5:])
            return self.reply(302, "/hop/%d" % (n + 1) if n < 10 else DEST + "/ten")
        routes = {
            "/a": (301, "http://bit.ly/b"),
            "/b": (302, "/c"),
            "/c": (303, "../d"),
            "/d": (307, "https://t.co/e"),
            "/e": (308, DEST + "/story?utm_source=twitter&utm_medium=social&id=7"),
            "/head405": (301, DEST + "/head-ok"),
            "/loop1": (301, "/loop2"),
            "/loop2": (302, "http://bit.ly/loop1"),
            "/malformed": (301, "http://exa mple.com/%zz<>"),
            "/canary": (302, "http://127.0.0.2:%d/x" % cp),
            "/canary-num": (302, "http://2130706434:%d/y" % cp),
            "/nolocation": (302, None),
        }
        if p in routes:
            code, loc = routes[p]
            return self.reply(code, loc)
        if p == "/lower":
            return self.reply(301, DEST + "/lower", lower=True)
        if p == "/meta":
            body = (b'<html><head><META http-equiv="refresh" content="0;URL=' +
                    DEST.encode() + b'/meta?a=1&amp;utm_campaign=x"></head></html>')
            return self.reply(200, body=body, ctype="text/html; charset=utf-8")
        if p == "/js":
            body = (b'<html><script>location.replace("https:\\/\\/www.example.com\\/js-dest")'
                    b"</script></html>")
            return self.reply(200, body=body, ctype="text/html")
        if p == "/plain":
            return self.reply(200, body=b"just a page", ctype="text/plain")
        if p == "/slow":
            time.sleep(3)
            return self.reply(301, DEST + "/slow")
        if p == "/e500":
            return self.reply(500, body=b"oops", ctype="text/plain")
        if p == "/reset":
            # RST instead of an answer: linger 0, then close.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if p == "/bigheaders":
            self.send_response(301)
            for i in range(400):
                self.send_header("X-Filler-%d" % i, "x" * 60)
            self.send_header("Location", DEST + "/big")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        return self.reply(404)


def canary(sock):
    while True:
        c, _ = sock.accept()
        with lock:
            stats["canary"] += 1
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--delay-ms", type=float, default=0)
    ap.add_argument("--forever", action="store_true", help="ignore stdin; run until killed")
    ap.add_argument("--close-after", type=int, default=0,
                    help="close each kept-alive connection after N responses, unannounced")
    ap.add_argument("--close-jitter-ms", type=float, default=0)
    a = ap.parse_args()
    Handler.delay = a.delay_ms / 1000.0
    Handler.close_after = a.close_after
    Handler.close_jitter = a.close_jitter_ms / 1000.0
    cs = socket.socket()
    cs.bind(("127.0.0.2", 0))
    cs.listen(16)
    Handler.canary_port = cs.getsockname()[1]
    threading.Thread(target=canary, args=(cs,), daemon=True).start()
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    plain = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    tls_port = 0
    if a.cert:
        tls = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        tls_port = tls.server_address[1]
        threading.Thread(target=tls.serve_forever, daemon=True).start()
    print(plain.server_address[1], tls_port, Handler.canary_port, flush=True)
    # Serve until the test closes our stdin or kills us.
    try:
        while a.forever:
            time.sleep(3600)
        sys.stdin.read()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
