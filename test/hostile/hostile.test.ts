/**
 * The hostile-input suite (issue 12): our own corpus of files, archives, bodies, tokens, names, paths and CDS
 * requests, each sent to the real app (API tokens set) and checked against its documented outcome — the status
 * and ERROR_CODES code, or success where the input is legal but odd; never a 5xx. After the whole corpus: the
 * servers answer /healthz, the control datasets keep their sha256, row counts and single version,
 * `PRAGMA integrity_check` is ok, no temp files or unfinished versions are left, and no connection left loopback.
 * One test per case, named by group and case, so a failure names itself; nothing is printed otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, outcomeProblems, type HostileCase } from './case.ts';
import { corpus } from './corpus.ts';
import { closeEnv, createEnv, finalProblems, type Env } from './harness.ts';

let env: Env;

beforeAll(async () => {
  env = await createEnv();
}, 120_000);
afterAll(async () => closeEnv(env), 30_000);

async function runCase(c: HostileCase): Promise<string[]> {
  let reply;
  try {
    reply = await c.send(env);
  } catch (e) {
    return [`the request failed (connection reset or hung?): ${(e as Error).message}`];
  }
  // HOSTILE_TRACE=1 prints every case's outcome (for writing new cases); silent otherwise.
  if (process.env.HOSTILE_TRACE) console.log(`${c.group}/${c.name} -> ${reply.status} ${codeOf(reply) ?? ''}`);
  const problems = outcomeProblems(reply, c.expect);
  if (problems.length === 0 && c.check) problems.push(...(await c.check(reply, env)));
  return problems;
}

const groups = [...new Set(corpus.map((c) => c.group))];

describe('hostile inputs', () => {
  it(`has at least 300 cases with unique names (${corpus.length})`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const names = corpus.map((c) => `${c.group}/${c.name}`);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  for (const group of groups) {
    describe(group, () => {
      for (const c of corpus.filter((x) => x.group === group)) {
        it(c.name, async () => {
          const problems = await runCase(c);
          if (problems.length > 0) expect.fail(`${c.group}/${c.name}: ${problems.join('; ')}`);
        });
      }
    });
  }

  it('leaves the servers alive and the stored data unchanged', async () => {
    const problems = await finalProblems(env);
    if (problems.length > 0) expect.fail(problems.join('\n'));
  });
});
