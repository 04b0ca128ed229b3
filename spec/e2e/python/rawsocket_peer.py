"""Autobahn|Python (asyncio) as an independent WAMP peer over WAMP-RawSocket, driven by JSON lines.

    python3 rawsocket_peer.py URL REALM SERIALIZER      (URL: rs://host:port or rs://unix:/path;
                                                        SERIALIZER: json, cbor or msgpack)

peer.py (which this imports) with its line protocol and commands, over RawSocket instead of
WebSocket: Autobahn's WampRawSocketClientFactory, reached through its Component with a
transport of type "rawsocket". "joined" reports the transport class, so a test can tell that
the session really runs over RawSocket. What is here is only what RawSocket needs.
"""

import os
import sys

# Python puts this script's folder first on sys.path, unless PYTHONSAFEPATH (or -P) is set in
# the environment the tests pass on: peer.py is found either way.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peer  # noqa: E402  (also selects asyncio for txaio)

from autobahn.asyncio.rawsocket import PrefixProtocol  # noqa: E402
from autobahn.wamp.types import TransportDetails  # noqa: E402

# Autobahn 22.7's asyncio RawSocket client fails every join: WELCOME handling reads the
# protocol's `transport_details`, which only its Twisted twin has (autobahn-python#1592, fixed in
# 22.8 by #1593). Debian ships 22.7.1, so this backports that fix: the property, and the
# RawSocket framing in the details (asyncio's helper labels every channel WebSocket).
if not hasattr(PrefixProtocol, "transport_details"):
    _connection_made = PrefixProtocol.connection_made

    def _connection_made_with_framing(self, transport):
        _connection_made(self, transport)
        self._transport_details.channel_framing = TransportDetails.CHANNEL_FRAMING_RAWSOCKET

    PrefixProtocol.connection_made = _connection_made_with_framing
    PrefixProtocol.transport_details = property(lambda self: self._transport_details)


def rawsocket_transport(url, serializer):
    """The Component transport this script connects with (RawSocket takes one serializer)."""
    return {"type": "rawsocket", "url": url, "serializer": serializer, "max_retries": 0}


if __name__ == "__main__":
    peer.run(sys.argv, rawsocket_transport)
