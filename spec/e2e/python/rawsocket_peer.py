"""Autobahn|Python (asyncio) as an independent WAMP peer over WAMP-RawSocket, driven by JSON lines.

    python3 rawsocket_peer.py URL REALM SERIALIZER      (URL: rs://host:port or rs://unix:/path;
                                                        SERIALIZER: json, cbor or msgpack)

The same line protocol and commands as peer.py (which this imports), over RawSocket instead of
WebSocket: Autobahn's WampRawSocketClientFactory, reached through its Component with a
transport of type "rawsocket". "joined" also reports the transport class, so a test can tell
that the session really runs over RawSocket. One more command:

  {"cmd": "call_cancel", "id", "procedure", "after", "mode"}
      calls with on_progress and cancels the call (the future) once `after` progressive results
      arrived: "progress" for each, then "call_cancelled", or "result"/"error" if the call
      ended first. The CANCEL carries `mode` (default "kill").
"""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peer  # noqa: E402  (also selects asyncio for txaio)
from peer import COMMANDS, Peer, call_result_payload, emit, payload, read_lines, serve_commands  # noqa: E402

from autobahn.asyncio.component import Component  # noqa: E402
from autobahn.asyncio.rawsocket import PrefixProtocol  # noqa: E402
from autobahn.wamp import message as wamp_message  # noqa: E402
from autobahn.wamp.types import TransportDetails  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import CallOptions  # noqa: E402

# Autobahn 22.7's call canceller sends CANCEL without a mode, which the spec leaves undefined
# (a router picks its own default). This peer always says which mode it wants: the canceller
# builds its message through this module attribute, so a subclass with a mode stands in for it.
_cancel_mode = ["kill"]


class _CancelWithMode(wamp_message.Cancel):
    def __init__(self, request, mode=None, forward_for=None):
        super().__init__(request, mode=mode or _cancel_mode[0], forward_for=forward_for)


wamp_message.Cancel = _CancelWithMode


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


async def call_cancel(self, command):
    request, after = command["id"], command["after"]
    _cancel_mode[0] = command.get("mode", "kill")
    received = []
    reply = None

    def on_progress(*args, **kwargs):
        emit("progress", id=request, **payload(args, kwargs))
        received.append(args)
        if len(received) == after and reply is not None:
            reply.cancel()

    reply = self.session.call(command["procedure"], options=CallOptions(on_progress=on_progress))
    try:
        result = await reply
    except asyncio.CancelledError:
        emit("call_cancelled", id=request, progress_count=len(received))
        return
    except ApplicationError as error:
        emit("error", id=request, error=error.error, **payload(error.args, error.kwargs))
        return
    emit("result", id=request, **call_result_payload(result))


COMMANDS["call_cancel"] = call_cancel


async def main(url, realm, serializer):
    loop = asyncio.get_running_loop()
    lines = read_lines(loop)
    connect_failures = []

    component = Component(
        transports=[{"type": "rawsocket", "url": url, "serializer": serializer, "max_retries": 0}],
        realm=realm,
    )

    @component.on_join
    async def joined(session, details):
        emit("joined", session=details.session, session_type=type(details.session).__name__, serializer=serializer,
             transport=type(session._transport).__name__)
        asyncio.ensure_future(serve_commands(Peer(session), lines))

    @component.on_connectfailure
    def connect_failed(component, error):
        connect_failures.append(f"{type(error).__name__}: {error}")

    @component.on_leave
    def left(session, details):
        emit("left", reason=details.reason, message=details.message)

    try:
        await component.start(loop)
    except Exception as error:
        emit("failed", error="; ".join(connect_failures + [f"{type(error).__name__}: {error}"]))
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: rawsocket_peer.py URL REALM json|cbor|msgpack")
    peer.txaio.start_logging(out=sys.stderr, level="warn")
    asyncio.run(main(*sys.argv[1:]))
