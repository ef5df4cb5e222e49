import { Hono } from 'hono';
import { AuthenticityRequest, ClassifyRequest, GalleryVerifyRequest } from '@sig/shared';
import type { AppDeps } from '../deps.ts';
import { readImageRequest } from '../http/image-request.ts';

/** POST /v1/classify, /v1/authenticity, /v1/verify: one signature image in, scores out. */
export function lookupRoutes({ service, gallery }: AppDeps): Hono {
  const app = new Hono();

  app.post('/v1/classify', async (c) => {
    const { fields, image } = await readImageRequest(c, ClassifyRequest);
    return c.json(await service.classify(image, fields));
  });

  app.post('/v1/authenticity', async (c) => {
    const { fields, image } = await readImageRequest(c, AuthenticityRequest);
    return c.json(await service.authenticity(image, fields));
  });

  app.post('/v1/verify', async (c) => {
    // Against the claimed student's enrolled references when an embedding model is loaded; else the classifier's top-1.
    const { fields, image } = await readImageRequest(c, GalleryVerifyRequest);
    if (gallery.enabled) return c.json(await (await gallery.get()).verify(image, fields));
    return c.json(await service.verify(image, fields));
  });

  return app;
}
