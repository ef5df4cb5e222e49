// Too-large uploads always get their 413 over real HTTP: refused before the body with `Expect: 100-continue`,
// and without it answered while the body is still arriving, with no connection reset in front of the answer.
import { request } from 'node:http';
import { connect } from 'node:net';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModels } from './server/fixtures.ts';
import { postJson, signatureImage, startTestServer, type TestServer } from './server/http.ts';

let models: string;
let server: TestServer;
const LIMIT = 10 * 1024 * 1024;
// The size from the report: 64 MiB of application/octet-stream, over the default 10 MiB limit.
const BIG = new Uint8Array(64 * 1024 * 1024);

beforeAll(async () => {
  models = (await makeTestModels()).dir;
  server = await startTestServer(models, { bodyLimitBytes: LIMIT, inferenceThreads: 0, preprocessThreads: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (models) await rm(models, { recursive: true, force: true });
});

interface Outcome {
  status?: number;
  body: string;
  error?: string;
  /** Whether the client was asked to continue (100) before the final status. */
  continued: boolean;
}

/** POSTs `BIG` to /v1/classify with Node's HTTP client, writing as fast as the socket takes it. */
function postBig(expect: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { body: '', continued: false };
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': BIG.length };
    if (expect) headers.expect = '100-continue';
    const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/classify', method: 'POST', headers, agent: false });
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(out);
    };
    const send = () => {
      // 1 MiB writes, so the server's answer can arrive (and be read) while the body is still going out.
      let at = 0;
      const next = (): void => {
        while (at < BIG.length && !settled) {
          const chunk = BIG.subarray(at, (at += 1024 * 1024));
          if (!req.write(chunk)) return void req.once('drain', next);
        }
        if (!settled) req.end();
      };
      next();
    };
    req.on('continue', () => {
      out.continued = true;
      send();
    });
    req.on('response', (res) => {
      out.status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (out.body += d));
      res.on('end', done);
      res.on('error', (e) => ((out.error = e.message), done()));
    });
    req.on('error', (e) => {
      out.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
      done();
    });
    if (!expect) send();
    else req.flushHeaders();
  });
}

/**
 * POSTs `BIG` without Expect over a raw socket that reads nothing until its write has finished, as a client
 * busy uploading does: a server that closes on unread bytes resets the connection, and the reset throws the
 * 413 away before it is read.
 */
function postBigRaw(): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { body: '', continued: false };
    const socket = connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (status) out.status = Number(status[1]);
      out.body = text.slice(text.indexOf('\r\n\r\n') + 4);
      if (!status) out.error ??= 'no status';
      resolve(out);
    };
    socket.pause();
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const text = Buffer.concat(chunks).toString('utf8');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length && Buffer.byteLength(text.slice(head + 4)) >= Number(length[1])) done();
    });
    socket.on('error', (e) => {
      out.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
      done();
    });
    socket.on('end', done);
    socket.write(`POST /v1/classify HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/octet-stream\r\ncontent-length: ${BIG.length}\r\n\r\n`);
    socket.write(BIG, () => socket.resume());
  });
}

describe('too-large uploads', () => {
  it('with Expect: 100-continue: 413 JSON instead of 100 Continue, every time, before any body byte', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await postBig(true);
      expect(r.error, `try ${i + 1}`).toBeUndefined();
      expect(r.continued).toBe(false);
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).error).toMatch(/over the 10485760-byte limit/);
    }
  }, 120_000);

  it('without Expect: 413 JSON while the body is still arriving, never a connection reset', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await postBig(false);
      expect(r.error, `try ${i + 1}`).toBeUndefined();
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).error).toMatch(/over the 10485760-byte limit/);
    }
  }, 120_000);

  it('without Expect, from a client that reads only after sending: the 413 arrives, no reset', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await postBigRaw();
      expect(r.error, `try ${i + 1}`).toBeUndefined();
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).error).toMatch(/over the 10485760-byte limit/);
    }
  }, 120_000);

  it('the server still answers normal requests afterwards, and counts the refusals', async () => {
    const ok = await postJson(`${server.url}/v1/classify`, { image: (await signatureImage()).toString('base64') });
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sig_http_requests_total\{[^}]*route="body-limit"[^}]*\} 30/);
  }, 60_000);
});
