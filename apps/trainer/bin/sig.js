#!/usr/bin/env node
// The `sig` CLI runs the TypeScript sources directly through tsx: no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
