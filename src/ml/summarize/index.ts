/** Summarization algorithms (pure): sentence segmentation, text splitting, extractive summaries, ROUGE. */
export * from './rouge.ts';
export * from './sentences.ts';
export * from './splitter.ts';
export * from './extractive.ts';
export { pagerank } from './textrank.ts';
