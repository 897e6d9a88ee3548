export * from './temporal.ts';
export * from './holdout.ts';
