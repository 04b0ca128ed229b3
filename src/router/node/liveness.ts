import type { WebSocket } from 'ws';
import type { LivenessTimes } from '../core/liveness-times.js';

export type { LivenessTimes };

/**
 * Pings one WebSocket and drops it when a ping goes unanswered: a frozen or unplugged peer
 * keeps its TCP connection (and its registrations, and its callers waiting) until the kernel
 * gives up, which can take many minutes. A pong or any incoming message within the deadline
 * counts as an answer (a peer busy sending is alive even if its pong is queued behind a frame).
 *
 * A missed deadline terminates the socket without a close handshake (the peer would not answer
 * it); the 'close' event that follows releases the session like any lost connection.
 */
export function watchLiveness(socket: WebSocket, { pingIntervalMs, pongTimeoutMs }: LivenessTimes): void {
  if (pingIntervalMs <= 0 || pongTimeoutMs <= 0) return;
  let pingTimer: ReturnType<typeof setTimeout> | undefined;
  let pongDeadline: ReturnType<typeof setTimeout> | undefined;

  const schedulePing = () => {
    pingTimer = setTimeout(ping, pingIntervalMs);
  };
  const ping = () => {
    pingTimer = undefined;
    if (socket.readyState !== socket.OPEN) return;
    pongDeadline = setTimeout(() => {
      // While the router itself does not read this socket (flow control), a missing pong is ours.
      // A peer that does not read what we send (its pong may be queued behind our frames, or it
      // paused reading to pace itself) is judged by write progress instead: the stalled-peer
      // timeout drops it if nothing leaves, so a slow consumer is not mistaken for a dead one.
      if (socket.isPaused || socket.bufferedAmount > 0) return heard();
      socket.terminate();
    }, pongTimeoutMs);
    socket.ping();
  };
  const heard = () => {
    if (pongDeadline === undefined) return;
    clearTimeout(pongDeadline);
    pongDeadline = undefined;
    schedulePing();
  };

  socket.on('pong', heard);
  socket.on('message', heard);
  socket.once('close', () => {
    clearTimeout(pingTimer);
    clearTimeout(pongDeadline);
  });
  schedulePing();
}
