import { expect } from 'chai';
import { CODECS } from '../helpers/codecs.js';
import { MAX_ID, MessageType as M, type Dict } from '../../src/protocol/index.js';
import { describeOnEachTransport, useRouterWithRawPeers, type TransportPeer } from '../helpers/embedded-router.js';

/**
 * Issue #8 end to end: the router's random ids (session, subscription, registration,
 * publication: mostly above 2^32) and payload integers beyond 32 bits go over CBOR and
 * MessagePack as integers, never as 64-bit floats, and arrive as the same numbers.
 */

type BinarySerializer = 'cbor' | 'msgpack';

const hex = (frame: Uint8Array): string => Buffer.from(frame).toString('hex');

/** The shortest encoding of a non-negative integer up to 2^53, written out here, apart from the codecs. */
function uint(serializer: BinarySerializer, n: number): string {
  const digits = (width: number) => n.toString(16).padStart(width * 2, '0');
  if (serializer === 'cbor') {
    if (n < 24) return digits(1);
    if (n < 2 ** 8) return '18' + digits(1);
    if (n < 2 ** 16) return '19' + digits(2);
    if (n < 2 ** 32) return '1a' + digits(4);
    return '1b' + digits(8);
  }
  if (n < 128) return digits(1);
  if (n < 2 ** 8) return 'cc' + digits(1);
  if (n < 2 ** 16) return 'cd' + digits(2);
  if (n < 2 ** 32) return 'ce' + digits(4);
  return 'cf' + digits(8);
}

/** The start of a frame holding an array of `length` (< 16) whose first elements are these integers. */
function arrayOfIntegers(serializer: BinarySerializer, length: number, integers: readonly number[]): string {
  const header = ((serializer === 'cbor' ? 0x80 : 0x90) | length).toString(16);
  return header + integers.map((n) => uint(serializer, n)).join('');
}

const ARGS = [2 ** 32, 2 ** 53 - 1, -(2 ** 40)];
const KWARGS: Dict = { wide: 2 ** 40, nested: { negative: -(2 ** 40), list: [2 ** 53 - 1, 1.5] } };

function expectIntact(args: unknown, kwargs: unknown): void {
  expect(args).to.deep.equal(ARGS);
  expect((args as unknown[]).map((n) => typeof n)).to.deep.equal(['number', 'number', 'number']);
  expect(kwargs).to.deep.equal(KWARGS);
}

function expectId(id: unknown): void {
  expect(typeof id).to.equal('number');
  expect(Number.isInteger(id) && (id as number) >= 1 && (id as number) <= MAX_ID, String(id)).to.equal(true);
}

describeOnEachTransport('router: integers beyond 32 bits over cbor and msgpack (issue #8)', (transport) => {
  const router = useRouterWithRawPeers({}, transport);

  /** A joined raw peer that also keeps every frame it received, as bytes. */
  async function recordingPeer(serializer: BinarySerializer): Promise<{ peer: TransportPeer; frames: Uint8Array[] }> {
    const peer = await router.open(serializer);
    const frames: Uint8Array[] = [];
    peer.onFrame((frame) => frames.push(typeof frame === 'string' ? new TextEncoder().encode(frame) : Uint8Array.from(frame)));
    const welcome = await peer.hello('realm1');
    expect(welcome[0]).to.equal(M.WELCOME);
    return { peer, frames };
  }

  /** The one received frame of this message type. */
  function frameOf(serializer: BinarySerializer, frames: Uint8Array[], type: number): Uint8Array {
    const matching = frames.filter((frame) => (CODECS[serializer].decode(frame) as unknown[])[0] === type);
    expect(matching, `one frame of type ${type}`).to.have.length(1);
    return matching[0]!;
  }

  for (const serializer of ['cbor', 'msgpack'] as const) {
    describe(`over ${serializer}`, () => {
      it('WELCOME carries the session id as an integer, not a float', async () => {
        const { peer, frames } = await recordingPeer(serializer);
        expectId(peer.sessionId);
        const welcome = hex(frameOf(serializer, frames, M.WELCOME));
        expect(welcome.startsWith(arrayOfIntegers(serializer, 3, [M.WELCOME, peer.sessionId])), welcome).to.equal(true);
      });

      it('a published payload arrives intact; SUBSCRIBED, PUBLISHED and EVENT carry their ids as integers', async () => {
        const subscriber = await recordingPeer(serializer);
        const publisher = await recordingPeer(serializer);
        const subscription = await subscriber.peer.subscribe('com.example.wide');
        expectId(subscription);
        const request = publisher.peer.nextRequestId();
        publisher.peer.send([M.PUBLISH, request, { acknowledge: true }, 'com.example.wide', ARGS, KWARGS]);
        const published = await publisher.peer.next((m) => m[0] === M.PUBLISHED);
        const event = await subscriber.peer.next((m) => m[0] === M.EVENT);
        expectIntact(event[4], event[5]);
        const publication = published[2] as number;
        expectId(publication);
        expect(event[2]).to.equal(publication);

        expect(hex(frameOf(serializer, subscriber.frames, M.SUBSCRIBED))).to.equal(arrayOfIntegers(serializer, 3, [M.SUBSCRIBED, 1, subscription]));
        expect(hex(frameOf(serializer, publisher.frames, M.PUBLISHED))).to.equal(arrayOfIntegers(serializer, 3, [M.PUBLISHED, request, publication]));
        const eventFrame = hex(frameOf(serializer, subscriber.frames, M.EVENT));
        expect(eventFrame.startsWith(arrayOfIntegers(serializer, 6, [M.EVENT, subscription, publication])), eventFrame).to.equal(true);
      });

      it("a call's payload reaches the callee and its result the caller intact; REGISTERED and INVOCATION carry the registration id as an integer", async () => {
        const callee = await recordingPeer(serializer);
        const caller = await recordingPeer(serializer);
        const registration = await callee.peer.register('com.example.wide');
        expectId(registration);
        const request = caller.peer.call('com.example.wide', ARGS, KWARGS);
        const invocation = await callee.peer.next((m) => m[0] === M.INVOCATION);
        expect(invocation[2]).to.equal(registration);
        expectIntact(invocation[4], invocation[5]);
        callee.peer.send([M.YIELD, invocation[1], {}, invocation[4], invocation[5]]);
        const result = await caller.peer.callOutcome(request);
        expect(result[0]).to.equal(M.RESULT);
        expectIntact(result[3], result[4]);

        expect(hex(frameOf(serializer, callee.frames, M.REGISTERED))).to.equal(arrayOfIntegers(serializer, 3, [M.REGISTERED, 1, registration]));
        const invocationFrame = hex(frameOf(serializer, callee.frames, M.INVOCATION));
        expect(invocationFrame.startsWith(arrayOfIntegers(serializer, 6, [M.INVOCATION, invocation[1] as number, registration])), invocationFrame).to.equal(
          true,
        );
      });
    });
  }

  it('carries the payload intact between a cbor and a msgpack peer, both ways', async () => {
    const cbor = await router.join({ serializer: 'cbor' });
    const msgpack = await router.join({ serializer: 'msgpack' });
    await msgpack.subscribe('com.example.wide');
    await cbor.register('com.example.wide.echo');
    cbor.send([M.PUBLISH, cbor.nextRequestId(), {}, 'com.example.wide', ARGS, KWARGS]);
    const event = await msgpack.next((m) => m[0] === M.EVENT);
    expectIntact(event[4], event[5]);
    const request = msgpack.call('com.example.wide.echo', ARGS, KWARGS);
    const invocation = await cbor.next((m) => m[0] === M.INVOCATION);
    expectIntact(invocation[4], invocation[5]);
    cbor.send([M.YIELD, invocation[1], {}, invocation[4], invocation[5]]);
    const result = await msgpack.callOutcome(request);
    expectIntact(result[3], result[4]);
  });
});
