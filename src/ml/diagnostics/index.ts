export * from './oof.ts';
export * from './tune.ts';
export * from './curves.ts';
export * from './noisy.ts';
export * from './sampling.ts';
