/** Test helper: the real app in-process (datasets harness) with headerless CSVs already imported. */
import { expect } from 'vitest';
import { createTestApp, upload, type TestApp } from '../../datasets/testing/harness.ts';

/** A test app with each CSV (no header row) imported as the dataset `name` (file `name.csv`). */
export async function appWithCsvs(csvs: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp();
  for (const [name, csv] of Object.entries(csvs)) {
    const res = await upload(t.app, `${name}.csv`, csv, { header: 'false' });
    expect(res.statusCode, res.body).toBe(201);
  }
  return t;
}
