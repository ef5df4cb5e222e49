// Gallery writes: bearer token when one is configured; without one, loopback clients only (and a log line).
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { adminAuth, isLoopback } from '../apps/inference-server/src/http/admin-auth.ts';

function app(token: string | undefined, logs: string[] = []) {
  const a = new Hono();
  a.put('/w', adminAuth(token, (level, msg) => logs.push(`${level} ${msg}`)), (c) => c.json({ ok: true }));
  return (headers: Record<string, string>, remoteAddress?: string) =>
    a.fetch(new Request('http://x/w', { method: 'PUT', headers }), { incoming: { socket: { remoteAddress } } });
}

describe('admin auth', () => {
  it('with a token: 401 without it (and WWW-Authenticate), 403 when wrong, through when right, from anywhere', async () => {
    const call = app('s3cret');
    const none = await call({}, '10.1.2.3');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await call({ authorization: 'Bearer s3cre' }, '10.1.2.3')).status).toBe(403);
    expect((await call({ authorization: 'Basic s3cret' }, '10.1.2.3')).status).toBe(401);
    expect((await call({ authorization: 'Bearer s3cret' }, '10.1.2.3')).status).toBe(200);
  });

  it('without a token: loopback clients only, and the start-up log says so', async () => {
    const logs: string[] = [];
    const call = app(undefined, logs);
    expect(logs.join()).toMatch(/no SIG_ADMIN_TOKEN set; accepted from loopback clients only/);
    expect((await call({}, '127.0.0.1')).status).toBe(200);
    expect((await call({}, '::1')).status).toBe(200);
    expect((await call({}, '::ffff:127.0.0.1')).status).toBe(200);
    const remote = await call({}, '192.168.1.20');
    expect(remote.status).toBe(403);
    expect(await remote.json()).toEqual({ error: 'gallery writes from other hosts need SIG_ADMIN_TOKEN set on the server' });
    expect((await call({})).status).toBe(403); // no socket at all: not trusted
    expect([isLoopback('127.8.0.1'), isLoopback('128.0.0.1'), isLoopback(undefined)]).toEqual([true, false, false]);
  });
});
