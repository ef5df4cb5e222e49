import type { ServerConfig } from './config.ts';
import type { GalleryHost } from './gallery/host.ts';
import type { Logger } from './log.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ModelRegistry } from './models/registry.ts';
import type { SignatureService } from './signature-service.ts';

/** What the route modules get: the plain classes doing the work, and the server's state. */
export interface AppDeps {
  config: ServerConfig;
  registry: ModelRegistry;
  service: SignatureService;
  /** The enrolment gallery (on when an embedding model is loaded). */
  gallery: GalleryHost;
  metrics: ServerMetrics;
  log: Logger;
  /** Set when shutdown begins: readiness turns false, new work is refused. */
  state: { draining: boolean };
}
