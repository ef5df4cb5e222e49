export * from './number-text.ts';
export * from './settings.ts';
