"""A small threaded TCP proxy between a client and the broker, to cut, refuse or black-hole the link.

    with TcpProxy(("127.0.0.1", 5672)) as proxy:
        url = broker.url_for(vhost, port=proxy.port)   # clients connect through the proxy
        proxy.cut()        # drop every open connection (reset), and refuse new ones
        proxy.blackhole()  # accept new connections but forward nothing (a silent network)
        proxy.restore()    # forward again

Modes for new connections: ``forward`` (normal), ``refuse`` (accepted then reset at once, as a
closed port would answer) and ``blackhole`` (accepted, bytes read and dropped, nothing answered).
``stall()`` black-holes the connections already open as well, without closing them.
"""
from __future__ import annotations

import socket
import struct
import threading

FORWARD, REFUSE, BLACKHOLE = "forward", "refuse", "blackhole"
_CHUNK = 65536
_ACCEPT_POLL = 0.05


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (linger 0), waking any thread blocked on the socket."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Link:
    """One client connection and its upstream connection, pumped by two threads."""

    def __init__(self, proxy: "TcpProxy", client: socket.socket, upstream: socket.socket | None):
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.stalled = upstream is None
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._pump, args=(client, upstream), daemon=True,
                                          name="tcpproxy-up")]
        if upstream is not None:
            self._threads.append(threading.Thread(target=self._pump, args=(upstream, client), daemon=True,
                                                  name="tcpproxy-down"))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def _pump(self, source: socket.socket, target: socket.socket | None) -> None:
        try:
            while not self._closed.is_set():
                data = source.recv(_CHUNK)
                if not data:
                    break
                if self.stalled or target is None:
                    continue  # black-holed: read and drop
                target.sendall(data)
        except OSError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        _reset(self.client)
        if self.upstream is not None:
            _reset(self.upstream)
        self.proxy._forget(self)

    def join(self, timeout: float) -> None:
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)


class TcpProxy:
    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5672), host: str = "127.0.0.1"):
        self.target = target
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(_ACCEPT_POLL)
        self.host, self.port = self._listener.getsockname()[:2]
        self._mode = FORWARD
        self._links: set[_Link] = set()
        self._all_links: list[_Link] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="tcpproxy-accept")
        self.accepted = 0  # connections accepted in any mode

    # -- control -------------------------------------------------------------------------------
    def start(self) -> "TcpProxy":
        self._thread.start()
        return self

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._links)

    def cut(self, then: str = REFUSE) -> None:
        """Drop every open connection (with a reset); new ones are then handled as ``then``."""
        self._mode = then
        with self._lock:
            links = list(self._links)
        for link in links:
            link.close()

    def refuse(self) -> None:
        """New connections are reset at once; open ones keep working."""
        self._mode = REFUSE

    def blackhole(self) -> None:
        """New connections are accepted and never answered; open ones keep working."""
        self._mode = BLACKHOLE

    def stall(self) -> None:
        """Black-hole the open connections too (bytes dropped, sockets left open), and new ones."""
        self._mode = BLACKHOLE
        with self._lock:
            for link in self._links:
                link.stalled = True

    def restore(self) -> None:
        """Forward new connections again; black-holed connections (which lost bytes) are dropped."""
        with self._lock:
            dead = [link for link in self._links if link.stalled]
        for link in dead:
            link.close()
        self._mode = FORWARD

    def close(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            links = list(self._all_links)
        for link in links:
            link.close()
        for link in links:
            link.join(5)

    def __enter__(self) -> "TcpProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- machinery ----------------------------------------------------------------------------
    def _forget(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopped.is_set():
                    return
                continue
            self.accepted += 1
            client.settimeout(None)
            mode = self._mode
            if mode == REFUSE:
                _reset(client)
                continue
            upstream = None
            if mode == FORWARD:
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                    upstream.settimeout(None)
                except OSError:
                    _reset(client)
                    continue
            link = _Link(self, client, upstream)
            with self._lock:
                self._links.add(link)
                self._all_links.append(link)
            link.start()
