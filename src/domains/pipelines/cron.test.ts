import { describe, expect, it } from 'vitest';
import { checkTimeZone, latestDue, nextFire, parseCron } from './cron.ts';

const next = (expr: string, zone: string, after: string) => nextFire(parseCron(expr), zone, new Date(after))?.toISOString();

describe('cron', () => {
  it('parses the 5 fields and refuses bad ones naming the field', () => {
    expect([...parseCron('*/15 3 * * 1-5').minute]).toEqual([0, 15, 30, 45]);
    expect(() => parseCron('0 3 * *')).toThrow(/5 fields/);
    expect(() => parseCron('60 3 * * *')).toThrow(/minute "60" is outside 0–59/);
    expect(() => parseCron('0 24 * * *')).toThrow(/hour/);
    expect(() => parseCron('0 3 0 * *')).toThrow(/day of month/);
    expect(() => parseCron('0 3 * 13 *')).toThrow(/month/);
    expect(() => parseCron('0 3 * * 8')).toThrow(/day of week/);
    expect(() => parseCron('0 3 * * x')).toThrow(/day of week "x"/);
    expect(() => checkTimeZone('Mars/Olympus')).toThrow();
    expect(() => checkTimeZone('Europe/Berlin')).not.toThrow();
  });

  it('computes the next fire time in UTC and in a zone', () => {
    expect(next('0 3 * * *', 'UTC', '2026-01-10T03:00:00Z')).toBe('2026-01-11T03:00:00.000Z');
    expect(next('*/15 * * * *', 'UTC', '2026-01-10T03:07:30Z')).toBe('2026-01-10T03:15:00.000Z');
    // 2026-01-10 is a Saturday; Monday 09:00 in New York (EST, UTC-5) is 14:00Z.
    expect(next('0 9 * * 1', 'America/New_York', '2026-01-10T00:00:00Z')).toBe('2026-01-12T14:00:00.000Z');
  });

  // Hand-computed: Europe/Berlin leaves CET (UTC+1) for CEST (UTC+2) on Sun 2026-03-29 at 02:00 local (01:00Z),
  // and returns on Sun 2026-10-25 at 03:00 CEST (01:00Z), so 02:00–02:59 local happens twice that day.
  it('handles the DST changes in Europe/Berlin', () => {
    // 03:00 local: on 28 March (CET) that is 02:00Z, on 29 March (CEST) 01:00Z.
    expect(next('0 3 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z')).toBe('2026-03-28T02:00:00.000Z');
    expect(next('0 3 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    // 02:30 local does not exist on 29 March: the next is 30 March 02:30 CEST = 00:30Z.
    expect(next('30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z')).toBe('2026-03-30T00:30:00.000Z');
    // 02:30 local happens twice on 25 October (00:30Z CEST and 01:30Z CET): it fires at the first only.
    expect(next('30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(next('30 2 * * *', 'Europe/Berlin', '2026-10-25T00:30:00Z')).toBe('2026-10-26T01:30:00.000Z');
    // 03:00 local on 25 October is CET again: 02:00Z.
    expect(next('0 3 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z')).toBe('2026-10-25T02:00:00.000Z');
  });

  it('owes one firing, the latest, after missed minutes', () => {
    const spec = parseCron('0 * * * *');
    expect(latestDue(spec, 'UTC', new Date('2026-01-10T03:00:00Z'), new Date('2026-01-10T07:30:00Z'))?.toISOString()).toBe('2026-01-10T07:00:00.000Z');
    expect(latestDue(spec, 'UTC', new Date('2026-01-10T07:00:00Z'), new Date('2026-01-10T07:30:00Z'))).toBeNull();
  });
});
