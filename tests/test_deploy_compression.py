"""HTML goes out compressed: HAProxy, running deploy/haproxy.cfg with only its addresses changed,
gzips what a node answers for a browser that accepts it, and leaves alone a page marked
``no-transform`` (one that shows a secret once) and what WhiteNoise compressed already
(docs/decisions/0014-compression-at-the-proxy.md)."""

import gzip
import http.client
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.test_deploy_configs import DEPLOY, ROOT, haproxy

sys.path.append(str(ROOT / "bench"))
from cluster_parts import loopback_haproxy_config  # bench/ is not a package
from server import free_port

# A page the size of the Registration Overview's list of nine organizations.
PAGE = (
    "<!DOCTYPE html>\n<html lang='en'><body><main>" + "<div class='usa-card'>Chesapeake</div>\n" * 1200
).encode()
ACCEPT = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends


class Node(BaseHTTPRequestHandler):
    """A web node's answers: /healthz for HAProxy's checks, a page, a page with a secret, and a
    static file WhiteNoise compressed itself."""

    protocol_version = "HTTP/1.1"  # as gunicorn answers
    answers = {
        "/healthz": ("text/plain", "no-store", b"ok", None),
        "/page/": (
            "text/html; charset=utf-8",
            "no-cache, no-store, private",
            PAGE,
            None,
        ),
        "/codes/": ("text/html; charset=utf-8", "no-store, no-transform", PAGE, None),
        "/static/portal.css": ("text/css", "max-age=315360000", gzip.compress(PAGE), "gzip"),
    }

    def do_GET(self):
        content_type, cache_control, body, encoding = self.answers[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", cache_control)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    """HAProxy with deploy/haproxy.cfg on a loopback port, in front of one ``Node``."""
    node = ThreadingHTTPServer(("127.0.0.1", 0), Node)
    threading.Thread(target=node.serve_forever, daemon=True).start()
    port = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        loopback_haproxy_config(
            (DEPLOY / "haproxy.cfg").read_text(),
            port=port,
            nodes={"web1": node.server_address[1]},
            socket_path=tmp_path / "haproxy.sock",
        )
    )
    process = subprocess.Popen(  # noqa: S603 - HAProxy running the project's own file
        [haproxy(), "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 15
        while _get(port, "/page/")[0] != 200:  # 503 until a check found the node up
            assert time.monotonic() < deadline, "HAProxy never took the node in"
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        node.shutdown()


def _get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    except OSError:
        return None, {}, b""
    finally:
        connection.close()


def test_a_page_is_gzipped_for_a_browser_that_accepts_it_and_unpacks_to_the_same_bytes(proxy):
    status, headers, body = _get(proxy, "/page/", ACCEPT)

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert len(body) < len(PAGE) / 10
    assert gzip.decompress(body) == PAGE


def test_a_client_that_asks_for_no_compression_gets_the_page_as_it_is(proxy):
    status, headers, body = _get(proxy, "/page/")

    assert status == 200
    assert "Content-Encoding" not in headers
    assert body == PAGE


def test_a_page_marked_no_transform_and_a_static_file_go_out_as_the_node_sent_them(proxy):
    status, headers, body = _get(proxy, "/codes/", ACCEPT)
    assert status == 200
    assert "Content-Encoding" not in headers
    assert body == PAGE

    status, headers, body = _get(proxy, "/static/portal.css", ACCEPT)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == PAGE  # compressed once, by WhiteNoise
