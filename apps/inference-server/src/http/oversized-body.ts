import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { byteCount } from './body.ts';

// Bodies declared (Content-Length) larger than the limit are refused at Node's HTTP layer, before Hono:
// - with `Expect: 100-continue`, the 413 goes out instead of `100 Continue`, so the body is never sent;
// - without it, the 413 goes out at once and the connection stays open while the rest of the body is read
//   and discarded. Closing it at once (as `Connection: close` makes Node do) would leave the client's bytes
//   unread in our socket buffer, and the kernel answers those with a TCP reset that can overtake the 413: the
//   client saw "connection reset" and no status at all. A client that keeps sending longer than
//   `lingerMs` loses the connection (then a reset is its own doing).

/** Refuses over-long declared bodies on `server` with 413 JSON; chunked bodies are left to the app. */
export function refuseOversizedBodies(server: Server, maxBytes: number, onRefused: () => void = () => {}, lingerMs = 10_000): void {
  const tooLarge = (req: IncomingMessage): boolean =>
    req.headers['transfer-encoding'] === undefined && (byteCount(req.headers['content-length']) ?? 0) > maxBytes;
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!tooLarge(req)) {
      for (const h of handlers) h.call(server, req, res);
      return;
    }
    onRefused();
    refuse(req, res, maxBytes, lingerMs);
  });
  // Registering this listener turns off Node's automatic `100 Continue`: it is sent only for bodies we take.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!tooLarge(req)) {
      res.writeContinue();
      server.emit('request', req, res);
      return;
    }
    onRefused();
    refuse(req, res, maxBytes, lingerMs, true);
  });
}

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number, lingerMs: number, expected = false): void {
  const body = JSON.stringify({ error: `request body over the ${maxBytes}-byte limit` });
  // Without Expect the body is already on its way: read it to its end (discarding it) so the 413 arrives intact.
  // With Expect the client sends no body after a final status; the connection cannot be reused, so close it.
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (expected) headers.connection = 'close';
  res.writeHead(413, headers);
  res.end(body);
  if (expected) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), lingerMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}
