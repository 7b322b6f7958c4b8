/**
 * A small 5-field cron matcher (minute hour day-of-month month day-of-week) evaluated in a named IANA time zone.
 * No cron library is a direct dependency, so this one is kept small and tested (cron.test.ts). Supports `*`, numbers,
 * ranges `a-b`, steps `*\/n` and `a-b/n`, and lists `a,b`; day-of-week 0–7 (0 and 7 are Sunday). As in classic cron,
 * when both day-of-month and day-of-week are restricted a day matches when either does.
 *
 * The next fire time is found by stepping whole UTC minutes and reading the wall clock in the zone, so DST is handled
 * by construction: a wall time skipped by a spring-forward never fires that day, and a wall time repeated by a
 * fall-back fires at its first occurrence only (the second has the same wall minute, which is skipped on purpose).
 */
export interface CronSpec {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domAny: boolean;
  dowAny: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/** Parses a 5-field expression; throws an Error whose message names the bad field. */
export function parseCron(expr: string): CronSpec {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]!));
  const dow = new Set([...sets[4]!].map((d) => (d === 7 ? 0 : d)));
  return { minute: sets[0]!, hour: sets[1]!, dom: sets[2]!, month: sets[3]!, dow, domAny: parts[2] === '*', dowAny: parts[4] === '*' };
}

function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(`${f.name} "${item}" is not a number, range, list or step`);
    const lo = m[1] === '*' ? f.min : Number(m[2]);
    const hi = m[1] === '*' ? f.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? f.max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < f.min || hi > f.max || lo > hi) throw new Error(`${f.name} "${item}" is outside ${f.min}–${f.max}`);
    if (step < 1) throw new Error(`${f.name} step in "${item}" must be at least 1`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Throws when the zone is not a known IANA time zone. */
export function checkTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat(undefined, { timeZone });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall clock in a zone for an instant. */
export function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; dow: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute), dow: WEEKDAYS.indexOf(p.weekday!) };
}

export function matches(spec: CronSpec, at: Date, timeZone: string): boolean {
  const w = wallClock(at, timeZone);
  if (!spec.minute.has(w.minute) || !spec.hour.has(w.hour) || !spec.month.has(w.month)) return false;
  const dom = spec.dom.has(w.day);
  const dow = spec.dow.has(w.dow);
  if (spec.domAny || spec.dowAny) return dom && dow;
  return dom || dow;
}

const MINUTE = 60_000;
/** Searched at most this far ahead (a year and a day: `0 0 29 2 *` may fire only once in four years → null). */
const HORIZON_MINUTES = 367 * 24 * 60;
const wallMs = (w: ReturnType<typeof wallClock>) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);

/** The first minute strictly after `after` that the expression matches in the zone, or null within the horizon. */
export function nextFire(spec: CronSpec, timeZone: string, after: Date): Date | null {
  let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
  let maxWall = wallMs(wallClock(new Date(t - MINUTE), timeZone));
  for (let i = 0; i < HORIZON_MINUTES; i++, t += MINUTE) {
    const at = new Date(t);
    const w = wallClock(at, timeZone);
    // A fall-back repeats wall minutes; only their first occurrence counts.
    if (wallMs(w) <= maxWall) continue;
    maxWall = wallMs(w);
    if (!spec.hour.has(w.hour)) {
      t += (59 - w.minute) * MINUTE; // on to the last minute of this wall hour
      continue;
    }
    if (matches(spec, at, timeZone)) return at;
  }
  return null;
}

/**
 * The latest matching minute in (`after`, `at`], or null: the one firing owed after a downtime (missed minutes fire
 * once, not once each). Scans back from `at`, bounded by the horizon.
 */
export function latestDue(spec: CronSpec, timeZone: string, after: Date, at: Date): Date | null {
  const first = nextFire(spec, timeZone, after);
  if (!first || first.getTime() > at.getTime()) return null;
  for (let t = Math.floor(at.getTime() / MINUTE) * MINUTE; t > first.getTime(); t -= MINUTE) {
    if (matches(spec, new Date(t), timeZone) && nextFire(spec, timeZone, new Date(t - MINUTE))?.getTime() === t) return new Date(t);
  }
  return first;
}
