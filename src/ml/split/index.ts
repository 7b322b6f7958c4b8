export * from './prng.ts';
export * from './stratified.ts';
export * from './iterative.ts';
export * from './group.ts';
