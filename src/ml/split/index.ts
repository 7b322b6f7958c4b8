export * from './prng.ts';
export * from './stratified.ts';
export * from './iterative.ts';
