import type { WebSocket } from 'ws';
import { LivenessWatch, type LivenessTimes } from '../core/liveness.js';

/**
 * Watches one WebSocket with the router's LivenessWatch: ws pings, a pong or any message is a
 * sign of life, and a missed deadline terminates the socket without a close handshake; the
 * 'close' event that follows releases the session like any lost connection.
 */
export function watchLiveness(socket: WebSocket, times: LivenessTimes): void {
  const watch = new LivenessWatch(times, {
    ping: () => {
      if (socket.readyState === socket.OPEN) socket.ping();
    },
    excused: () => socket.isPaused || socket.bufferedAmount > 0,
    lost: () => socket.terminate(),
  });
  socket.on('pong', () => watch.heard());
  socket.on('message', () => watch.heard());
  socket.once('close', () => watch.stop());
  watch.start();
}
