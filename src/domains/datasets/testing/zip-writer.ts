/**
 * Zip writing for tests and benchmarks (the writer itself lives in formats/zip-write.ts), plus tiny fake images.
 */
export { makeZip, type ZipEntryInput } from '../formats/zip-write.ts';

/** Smallest valid-looking image bodies (signature + padding) for archives whose content does not matter. */
export const FAKE_JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 7)]);
export const FAKE_PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(56, 3)]);
