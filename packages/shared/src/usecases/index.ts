// Use cases shared by server, CLI and page: the hosts supply sessions, storage and transport.
export * from './models.ts';
export * from './signature.ts';
export * from './gallery-index.ts';
export * from './gallery-store.ts';
export * from './gallery.ts';
export * from './gallery-file.ts';
export * from './base64.ts';
