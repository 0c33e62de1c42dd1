import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

test('npm run demo walks the Junction steps, then Vitable pages and a member sync waited for, with no API key', async () => {
  const env = { ...process.env };
  delete env.VITAL_API_KEY;
  const { stdout } = await run(process.execPath, ['dist/sandbox/demo.js'], { cwd: new URL('..', import.meta.url).pathname, env, timeout: 60_000 });
  const steps = [...stdout.matchAll(/^\s*\d+\. (\S+)/gm)].map((m) => m[1]);
  expect(steps).toEqual([
    'create_user_v2_user_post',
    'get_user_v2_user__user_id__get',
    'get_teams_users_v2_user_get',
    'insurance.create-insurance',
    'insurance.get-latest-insurance',
    'delete_user_v2_user__user_id__delete',
    'undo_user_delete_v2_user_undo_delete_post',
    'vitable-groups.create-group',
    'vitable-groups.list-groups',
    'vitable-groups.submit-member-sync',
  ]);
  expect(stdout).toMatch(/→ groups=5 {2}pages=3 /);
  expect(stdout).toMatch(/… job grpmsr_[0-9a-f]+ running \(poll 1, /);
  expect(stdout).toMatch(/→ completed_at=\S+ {2}added=2 {2}failures=\["EMP-002: Invalid plan_id"\]/);
  // 7 Junction requests, 1 create, 3 pages, 1 submit and at least 2 polls.
  const requests = Number(/✓ 10 operations, (\d+) HTTP requests to the sandboxes\./.exec(stdout)?.[1]);
  expect(requests).toBeGreaterThanOrEqual(14);
});
