/**
 * Sagebrush ML: pure, I/O-free algorithms (no imports from domains/, no file or network access).
 * Text classification (tokenisation, tf-idf, linear models), metrics, thresholds and seeded splits.
 */
export * from './text/tokenize.ts';
export { TfidfVectorizer, type VectorizerConfig, type FitHooks } from './text/vocabulary.ts';
export { hashTerm, hashTerms, type AnalyzerKind } from './text/analyzers.ts';
export * from './text/options.ts';
export * from './text/classifier.ts';
export * from './sparse/csr.ts';
export * from './linear/logreg.ts';
export * from './linear/softmax.ts';
export * from './preprocess/standardize.ts';
export * from './calibration.ts';
export * from './neighbors.ts';
export * from './metrics/index.ts';
export * from './split/index.ts';
