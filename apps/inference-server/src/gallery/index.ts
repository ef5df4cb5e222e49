// The gallery's Node side (server, CLI, benchmarks): SQL store and migrations, the use cases over it.
export { openNodeGallery, asPng, type NodeGalleryOptions } from './node-gallery.ts';
export { SqlGalleryStore } from './sql-store.ts';
export { openDatabase, StoreUnavailableError, type DatabaseOptions, type SqlDatabase } from './sql.ts';
export { migrate, MIGRATIONS } from './migrations.ts';
export { localModels } from './local-models.ts';
