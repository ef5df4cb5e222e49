import { Hono, type Context } from 'hono';
import { EnrolRequest, GalleryId, GalleryListQuery, IdentifyRequest, UserError } from '@sig/shared';
import type { AppDeps } from '../deps.ts';
import { adminAuth } from '../http/admin-auth.ts';
import { decodeBase64, readImageRequest, readJsonRequest } from '../http/image-request.ts';

/** An enrolment body: JSON `{ images: [base64...], name? }` or multipart with one or more `image` file parts. */
async function readEnrolment(c: Context): Promise<{ images: Uint8Array[]; name?: string; model?: string }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'multipart/form-data') {
    let form: Record<string, string | File | (string | File)[]>;
    try {
      form = (await c.req.parseBody({ all: true })) as typeof form;
    } catch {
      throw new UserError('malformed multipart/form-data body');
    }
    const parts = form.image === undefined ? [] : Array.isArray(form.image) ? form.image : [form.image];
    if (parts.length === 0) throw new UserError('multipart request has no "image" part');
    const images = await Promise.all(parts.map(async (p) => (typeof p === 'string' ? decodeBase64(p) : new Uint8Array(await p.arrayBuffer()))));
    const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
    const fields = EnrolRequest.omit({ images: true }).parse({ name: text('name'), model: text('model') });
    if (images.length > 64) throw new UserError('at most 64 images per request');
    return { images, ...fields };
  }
  const body = await readJsonRequest(c, EnrolRequest);
  return { images: body.images.map(decodeBase64), name: body.name, model: body.model };
}

const idParam = (c: Context): string => {
  const r = GalleryId.safeParse(c.req.param('id'));
  if (!r.success) throw new UserError(`invalid ID: ${r.error.issues[0].message}`);
  return r.data;
};

/** The enrolment gallery: enrol, list, remove (writes need the admin token), identify. */
export function galleryRoutes({ gallery, config, log }: AppDeps): Hono {
  const app = new Hono();
  const writes = adminAuth(config.adminToken, log);

  app.put('/v1/gallery/:id', writes, async (c) => {
    const id = idParam(c);
    const body = await readEnrolment(c);
    return c.json(await (await gallery.get()).enrol(id, body.images, { ...body, replace: true }));
  });

  app.post('/v1/gallery/:id/signatures', writes, async (c) => {
    const id = idParam(c);
    const body = await readEnrolment(c);
    const g = await gallery.get();
    await g.get(id); // adding to nobody is a 404; PUT enrols
    return c.json(await g.enrol(id, body.images, { ...body, replace: false }));
  });

  app.get('/v1/gallery', async (c) => {
    const page = GalleryListQuery.parse(c.req.query());
    return c.json(await (await gallery.get()).list(page));
  });

  app.get('/v1/gallery/:id', async (c) => c.json(await (await gallery.get()).get(idParam(c))));

  app.delete('/v1/gallery/:id', writes, async (c) => {
    const id = idParam(c);
    await (await gallery.get()).remove(id);
    return c.json({ id, deleted: true });
  });

  app.post('/v1/identify', async (c) => {
    const { fields, image } = await readImageRequest(c, IdentifyRequest);
    return c.json(await (await gallery.get()).identify(image, fields));
  });

  return app;
}
