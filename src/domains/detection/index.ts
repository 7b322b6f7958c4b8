/**
 * The detection domain's public surface (src/app and src/http import it only from here). D2 (training/prediction)
 * owns this file; until its part lands it re-exports D1's datasets (service, routes, image_labels helpers) and
 * formats (types, readers, writers).
 */
export * from './datasets/index.ts';
export * from './formats/index.ts';
