export * from './classification.ts';
export * from './ranking.ts';
export * from './thresholds.ts';
export * from './multiclass.ts';
