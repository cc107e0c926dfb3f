"""systemd's readiness protocol (Type=notify), without a dependency.

systemd passes a datagram socket in $NOTIFY_SOCKET; a service writes
"READY=1" once it serves and "STOPPING=1" when it begins to shut down.
"""

from __future__ import annotations

import logging
import socket

log = logging.getLogger(__name__)


def notify(address: str | None, message: str) -> None:
    """Tell the service manager about a state change; a no-op outside systemd."""
    if not address:
        return
    if address.startswith("@"):
        # Linux abstract namespace: systemd writes the leading NUL as "@".
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("cannot notify the service manager at %s: %s", address, exc)
