// Types of freshness.js for the TypeScript that imports it (tests).
export declare const STAMP_NAME: string;
export declare function inputFiles(srcDir: string): string[];
export declare function sourceState(srcDir: string): { newestMs: number; files: number };
export declare function buildState(root: string): 'fresh' | 'missing' | 'stale';
