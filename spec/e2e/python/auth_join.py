"""Autobahn|Python (asyncio) joins a realm with one authentication method, reports, and leaves.

    python3 auth_join.py '<JSON arguments>'

Arguments (one JSON object):
  url, realm, serializer ("json", "cbor" or "msgpack"), method ("anonymous", "ticket",
  "wampcra" or "cryptosign"), authid (optional for cryptosign and anonymous),
  secret (ticket: the ticket; wampcra: the secret or, when the CHALLENGE is salted, the
  password the key is derived from), seed (cryptosign: the 32-byte private key as hex),
  pubkey (optional, cryptosign: the public key announced in HELLO, default the seed's),
  authrole (optional, sent in HELLO as a claim), ca (optional PEM text: trusted CA for wss://),
  timeout_s (optional, default 10).

Prints exactly one JSON line on stdout, then exits 0:
  {"outcome": "welcome", "session": <id>, "authid", "authrole", "authmethod", "authprovider",
   "challenge": <the CHALLENGE extra, or null>, "serializer"}
  {"outcome": "refused", "reason": <ABORT reason URI>, "message": <ABORT message>,
   "challenge": <the CHALLENGE extra, or null>}
  {"outcome": "failed", "error": <why the connection itself failed>}

The signatures are computed here with Autobahn's own primitives (autobahn.wamp.auth.derive_key
and compute_wcs, autobahn.wamp.cryptosign.CryptosignKey), independently of the router.
"""

import asyncio
import binascii
import json
import ssl
import sys

import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession  # noqa: E402
from autobahn.wamp.auth import compute_wcs, derive_key  # noqa: E402
from autobahn.wamp.cryptosign import CryptosignKey  # noqa: E402
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer  # noqa: E402

SERIALIZERS = {"json": JsonSerializer, "cbor": CBORSerializer, "msgpack": MsgPackSerializer}


def plain(value):
    """JSON-safe copy of a CHALLENGE extra (bytes as hex)."""
    if isinstance(value, (bytes, bytearray)):
        return binascii.b2a_hex(value).decode("ascii")
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


async def main(args):
    loop = asyncio.get_running_loop()
    outcome = loop.create_future()
    method = args["method"]
    seen_challenge = []

    def finish(result):
        if not outcome.done():
            outcome.set_result(result)

    key = CryptosignKey.from_bytes(binascii.a2b_hex(args["seed"])) if method == "cryptosign" else None

    class AuthJoin(ApplicationSession):
        def onConnect(self):
            authextra = {"pubkey": args.get("pubkey") or key.public_key()} if key else None
            self.join(self.config.realm, authmethods=[method], authid=args.get("authid"),
                      authrole=args.get("authrole"), authextra=authextra)

        def onChallenge(self, challenge):
            seen_challenge.append(plain(challenge.extra))
            if challenge.method == "ticket":
                return args["secret"]
            if challenge.method == "wampcra":
                secret = args["secret"].encode("utf8")
                if "salt" in challenge.extra:
                    secret = derive_key(secret, challenge.extra["salt"], challenge.extra["iterations"], challenge.extra["keylen"])
                return compute_wcs(secret, challenge.extra["challenge"].encode("utf8")).decode("ascii")
            if challenge.method == "cryptosign":
                return key.sign_challenge(challenge)
            raise Exception("unexpected challenge method {}".format(challenge.method))

        def onJoin(self, details):
            finish({
                "outcome": "welcome", "session": details.session, "authid": details.authid,
                "authrole": details.authrole, "authmethod": details.authmethod,
                "authprovider": details.authprovider, "serializer": args["serializer"],
                "challenge": seen_challenge[0] if seen_challenge else None,
            })
            self.leave()

        def onLeave(self, details):
            finish({"outcome": "refused", "reason": details.reason, "message": details.message,
                    "challenge": seen_challenge[0] if seen_challenge else None})
            self.disconnect()

        def onDisconnect(self):
            finish({"outcome": "failed", "error": "disconnected before WELCOME or ABORT"})

    ssl_context = None
    if args.get("ca"):
        ssl_context = ssl.create_default_context(cadata=args["ca"])
    runner = ApplicationRunner(args["url"], args["realm"], serializers=[SERIALIZERS[args["serializer"]]()],
                               ssl=ssl_context)
    try:
        transport, _protocol = await runner.run(AuthJoin, start_loop=False)
    except Exception as error:
        return {"outcome": "failed", "error": "{}: {}".format(type(error).__name__, error)}
    try:
        result = await asyncio.wait_for(outcome, args.get("timeout_s", 10))
    except asyncio.TimeoutError:
        result = {"outcome": "failed", "error": "no WELCOME or ABORT in time"}
    # Let GOODBYE go out, then drop the connection.
    await asyncio.sleep(0.05)
    transport.close()
    return result


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: auth_join.py '<JSON arguments>'")
    txaio.start_logging(out=sys.stderr, level="warn")
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))), flush=True)
