/**
 * `sagebrush models approve|reject|approval|alias|tag|card|deploy-on-approval` and `sagebrush webhooks …` as a user
 * runs them (a real process on a temp embedded store): --json contracts, refusals with their codes and exit 1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliSandbox } from './testing.ts';
import { multiClassCsv } from '../domains/text/testing/synthetic.ts';

const { dir, cli, cleanup, json, refused } = createCliSandbox('registry');
afterAll(cleanup);

describe('sagebrush models governance + webhooks', () => {
  it('approves, rejects with a reason, moves aliases, tags, writes the card, refuses bad webhook URLs', async () => {
    const train = join(dir, 'train.csv');
    writeFileSync(train, multiClassCsv(60, 3));
    expect((await cli(['--json', 'text', 'train', train, '--mode', 'multi-class', '--name', 'support'])).code).toBe(0);

    expect(await refused(['models', 'approve', 'support'])).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await json(['models', 'approve', 'support:1', '--reason', 'looks good'])).toMatchObject({ status: 'Approved', updatedBy: 'anonymous', reason: 'looks good' });
    expect(await refused(['models', 'reject', 'support:1', '--reason', ' '])).toMatchObject({ code: 'MODEL_APPROVAL_INVALID', problems: [{ field: 'reason' }] });
    expect(await json(['models', 'reject', 'support:1', '--reason', 'bias found'])).toMatchObject({ status: 'Rejected' });
    const approval = await json(['models', 'approval', 'support:1']);
    expect(approval.history.map((h: { status: string }) => h.status)).toEqual(['Rejected', 'Approved']);

    expect(await json(['models', 'alias', 'set', 'support', 'champion', '1'])).toEqual({ alias: 'champion', version: 1, previousVersion: null });
    expect((await json(['models', 'alias', 'list', 'support'])).items).toEqual([expect.objectContaining({ alias: 'champion', version: 1 })]);
    expect(await refused(['models', 'alias', 'set', 'support', 'latest', '1'])).toMatchObject({ code: 'MODEL_ALIAS_INVALID' });
    expect(await json(['models', 'tag', 'support:1', 'team=cx', 'tier=gold'])).toEqual({ tags: { team: 'cx', tier: 'gold' } });
    expect(await json(['models', 'card', 'support:1', '--intended-use', 'routing suggestions'])).toMatchObject({ intendedUse: 'routing suggestions', aliases: ['champion'], tags: { team: 'cx' } });
    // NAME@alias wherever a version is named: show, approval, card.
    expect(await json(['models', 'show', 'support@champion'])).toMatchObject({ name: 'support', version: 1 });
    expect(await json(['models', 'approval', 'support@champion'])).toMatchObject({ model: { name: 'support', version: 1 }, status: 'Rejected' });
    expect(await json(['models', 'card', 'support@champion'])).toMatchObject({ intendedUse: 'routing suggestions' });
    expect(await refused(['models', 'show', 'support@nope'])).toMatchObject({ code: 'MODEL_ALIAS_NOT_FOUND', problems: [expect.objectContaining({ field: 'model' })] });
    expect(await json(['models', 'alias', 'delete', 'support', 'champion'])).toEqual({ deleted: 'support@champion' });

    expect(await refused(['webhooks', 'add', 'http://169.254.169.254/latest'])).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', problems: [{ field: 'url' }] });
    expect(await refused(['webhooks', 'add', 'https://hooks.example.org/x', '--events', 'nope'])).toMatchObject({ code: 'WEBHOOK_INVALID', problems: [{ field: 'events[0]' }] });
    expect((await json(['webhooks', 'list'])).items).toEqual([]);
  }, 300_000);
});
