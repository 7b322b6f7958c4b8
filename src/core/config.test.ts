import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { AppError } from './errors.ts';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('uses the embedded defaults under ./.sagebrush', () => {
    const c = loadConfig({ env: {}, cwd: '/tmp/x' });
    expect(c.dataDir).toBe(resolve('/tmp/x/.sagebrush'));
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBe(`sqlite:${resolve('/tmp/x/.sagebrush/sagebrush.db')}`);
    expect(c.artifactsUrl).toBe(`file:${resolve('/tmp/x/.sagebrush/artifacts')}`);
    expect(c.queueUrl).toBe('embedded');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads SAGEBRUSH_* variables and lets CLI flags override them', () => {
    const env = { SAGEBRUSH_PORT: '9000', SAGEBRUSH_DATA_DIR: '/data', SAGEBRUSH_API_TOKENS: 'a'.repeat(16) + ',' + 'b'.repeat(16), SAGEBRUSH_QUEUE_URL: 'redis://localhost:6379' };
    const c = loadConfig({ env, overrides: { port: '9100' } });
    expect(c.port).toBe(9100);
    expect(c.dataDir).toBe('/data');
    expect(c.apiTokens).toHaveLength(2);
    expect(c.queueUrl).toBe('redis://localhost:6379');
  });

  it('lists every bad key with the allowed values', () => {
    const env = { SAGEBRUSH_PORT: 'eighty', SAGEBRUSH_DATABASE_URL: 'mysql://x', SAGEBRUSH_LOG_LEVEL: 'loud', SAGEBRUSH_QUEUE_URL: 'kafka://x' };
    try {
      loadConfig({ env });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const msg = (err as AppError).message;
      for (const key of ['SAGEBRUSH_PORT', 'SAGEBRUSH_DATABASE_URL', 'SAGEBRUSH_LOG_LEVEL', 'SAGEBRUSH_QUEUE_URL']) expect(msg).toContain(key);
      expect(msg).toMatch(/postgres:/);
      expect(msg).toMatch(/debug/);
    }
  });
});
