"""Autobahn|Python (asyncio) as an independent WAMP peer, driven by JSON lines.

    python3 peer.py URL REALM SERIALIZER        (SERIALIZER: json, cbor or msgpack)

This runs the peer over WebSocket; rawsocket_peer.py imports it and runs it over RawSocket.

Commands arrive on stdin, one JSON object a line; answers and events leave on stdout, one
JSON object a line. Every command carries an "id" that its answers repeat. Bytes travel as
{"$bytes": base64} both ways. Every payload is reported with its Python types
(`type(x).__name__`, in the payload's shape) so a test can tell an int from a float.

Commands:
  {"cmd": "register_progress", "id", "procedure", "count", "interval_ms"}
      each invocation sends progress 0 .. count-1 (when the caller asked for progress), one
      every interval_ms, then the final result count. Answers "registered"; per invocation
      "invoked" (with "progress": whether details.progress was set), then "returned" or,
      when interrupted, "cancelled" (the handler answers ERROR wamp.error.canceled).
  {"cmd": "register_echo", "id", "procedure"}
      returns the invocation's args and kwargs as they arrived; reports "invoked" with them.
  {"cmd": "call", "id", "procedure", "args", "kwargs", "on_progress"}
      "progress" for each progressive result (when on_progress), then "result" or "error".
  {"cmd": "call_cancel", "id", "procedure", "after", "mode"}
      calls with on_progress and cancels the call (the future) once `after` progressive results
      arrived: "progress" for each, then "call_cancelled", or "result"/"error" if the call
      ended first. The CANCEL carries `mode` (default "kill").
  {"cmd": "subscribe", "id", "topic"}          "subscribed"; then "event" for each EVENT.
  {"cmd": "publish", "id", "topic", "args", "kwargs"}   acknowledged: "published".
  {"cmd": "leave", "id"}                       leaves the session and exits.
Unprompted: "joined" (with "session", its type, and the Python class of the transport) once
WELCOME arrived; "failed" when the connection or join failed; "left" when the session ended.
EOF on stdin leaves too.
"""

import asyncio
import base64
import json
import os
import sys
import threading

import txaio

txaio.use_asyncio()

from autobahn.asyncio.component import Component  # noqa: E402
from autobahn.wamp import message as wamp_message  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import CallOptions, CallResult, PublishOptions, RegisterOptions, SubscribeOptions  # noqa: E402

# Autobahn 22.7's call canceller sends CANCEL without a mode, which the spec leaves undefined
# (a router picks its own default). This peer always says which mode it wants: the canceller
# builds its message through this module attribute, so a subclass with a mode stands in for it.
_cancel_mode = ["kill"]


class _CancelWithMode(wamp_message.Cancel):
    def __init__(self, request, mode=None, forward_for=None):
        super().__init__(request, mode=mode or _cancel_mode[0], forward_for=forward_for)


wamp_message.Cancel = _CancelWithMode


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def to_wire(value):
    """A payload as JSON: bytes become {"$bytes": base64}."""
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    return value


def from_wire(value):
    if isinstance(value, dict):
        if len(value) == 1 and "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        return {key: from_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_wire(item) for item in value]
    return value


def type_names(value):
    """The payload's shape with every leaf replaced by its Python type name."""
    if isinstance(value, (list, tuple)):
        return [type_names(item) for item in value]
    if isinstance(value, dict):
        return {key: type_names(item) for key, item in value.items()}
    return type(value).__name__


def payload(args, kwargs):
    args, kwargs = list(args or []), dict(kwargs or {})
    return {"args": to_wire(args), "kwargs": to_wire(kwargs), "types": {"args": type_names(args), "kwargs": type_names(kwargs)}}


def call_result_payload(result):
    """A final call result as autobahn hands it over: a CallResult, one value, or None."""
    if isinstance(result, CallResult):
        return payload(result.results, result.kwresults)
    return payload([] if result is None else [result], {})


class Peer:
    def __init__(self, session):
        self.session = session

    async def register_progress(self, command):
        procedure, count = command["procedure"], command["count"]
        interval = command.get("interval_ms", 10) / 1000

        async def longop(*args, details=None, **kwargs):
            emit("invoked", procedure=procedure, progress=details.progress is not None, **payload(args, kwargs))
            try:
                for i in range(count):
                    if details.progress is not None:
                        details.progress(i)
                    await asyncio.sleep(interval)
            except asyncio.CancelledError:
                # This txaio does not answer the INTERRUPT by itself: the handler must.
                emit("cancelled", procedure=procedure)
                raise ApplicationError(ApplicationError.CANCELED)
            emit("returned", procedure=procedure)
            return count

        registration = await self.session.register(longop, procedure, options=RegisterOptions(details=True))
        emit("registered", id=command["id"], registration=registration.id)

    async def register_echo(self, command):
        procedure = command["procedure"]

        def echo(*args, **kwargs):
            emit("invoked", procedure=procedure, **payload(args, kwargs))
            return CallResult(*args, **kwargs)

        registration = await self.session.register(echo, procedure)
        emit("registered", id=command["id"], registration=registration.id)

    async def call(self, command):
        request = command["id"]
        options = None
        if command.get("on_progress"):
            options = CallOptions(on_progress=lambda *args, **kwargs: emit("progress", id=request, **payload(args, kwargs)))
        args, kwargs = from_wire(command.get("args", [])), from_wire(command.get("kwargs", {}))
        try:
            result = await self.session.call(command["procedure"], *args, options=options, **kwargs)
        except ApplicationError as error:
            emit("error", id=request, error=error.error, **payload(error.args, error.kwargs))
            return
        emit("result", id=request, **call_result_payload(result))

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

    async def subscribe(self, command):
        topic = command["topic"]

        def on_event(*args, details=None, **kwargs):
            emit("event", topic=topic, publication=details.publication, **payload(args, kwargs))

        subscription = await self.session.subscribe(on_event, topic, options=SubscribeOptions(details=True))
        emit("subscribed", id=command["id"], subscription=subscription.id)

    async def publish(self, command):
        args, kwargs = from_wire(command.get("args", [])), from_wire(command.get("kwargs", {}))
        publication = await self.session.publish(command["topic"], *args, options=PublishOptions(acknowledge=True), **kwargs)
        emit("published", id=command["id"], publication=publication.id)

    async def leave(self, command):
        await self.session.leave()


COMMANDS = {
    "register_progress": Peer.register_progress,
    "register_echo": Peer.register_echo,
    "call": Peer.call,
    "call_cancel": Peer.call_cancel,
    "subscribe": Peer.subscribe,
    "publish": Peer.publish,
    "leave": Peer.leave,
}


def read_lines(loop):
    """stdin's lines on a queue (a thread: stdin may be a pipe, a file or /dev/null); None at EOF."""
    lines = asyncio.Queue()

    def pump():
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


async def serve_commands(peer, lines):
    """Runs each command as its own task, so a pending call does not hold up the next command."""
    tasks = set()

    async def run(command):
        try:
            await COMMANDS[command["cmd"]](peer, command)
        except Exception as error:  # reported to the test, which decides what it means
            emit("command_failed", id=command.get("id"), cmd=command.get("cmd"), error=f"{type(error).__name__}: {error}")

    while True:
        line = await lines.get()
        if line is None:
            break
        if not line.strip():
            continue
        command = json.loads(line)
        if command.get("cmd") not in COMMANDS:
            emit("command_failed", id=command.get("id"), cmd=command.get("cmd"), error="unknown command")
            continue
        task = asyncio.ensure_future(run(command))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    # EOF: the test is done with this peer.
    for task in tasks:
        task.cancel()
    if peer.session.is_attached():
        await peer.session.leave()


def websocket_transport(url, serializer):
    """The Component transport this script connects with."""
    return {"type": "websocket", "url": url, "serializers": [serializer], "max_retries": 0}


async def main(transport, realm, serializer):
    loop = asyncio.get_running_loop()
    lines = read_lines(loop)
    connect_failures = []

    component = Component(transports=[transport], realm=realm)

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


def run(argv, transport):
    """A script's entry: argv is [script, URL, REALM, SERIALIZER]; transport(url, serializer) is the Component's transport."""
    if len(argv) != 4:
        sys.exit(f"usage: {os.path.basename(argv[0])} URL REALM json|cbor|msgpack")
    url, realm, serializer = argv[1:]
    txaio.start_logging(out=sys.stderr, level="warn")
    asyncio.run(main(transport(url, serializer), realm, serializer))


if __name__ == "__main__":
    run(sys.argv, websocket_transport)
