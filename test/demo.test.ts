import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

test('npm run demo walks the seven steps against the sandbox with no API key', async () => {
  const env = { ...process.env };
  delete env.VITAL_API_KEY;
  const { stdout } = await run(process.execPath, ['dist/sandbox/demo.js'], { cwd: new URL('..', import.meta.url).pathname, env, timeout: 30_000 });
  const steps = [...stdout.matchAll(/^\s*\d\. (\S+)/gm)].map((m) => m[1]);
  expect(steps).toEqual([
    'create_user_v2_user_post',
    'get_user_v2_user__user_id__get',
    'get_teams_users_v2_user_get',
    'insurance.create-insurance',
    'insurance.get-latest-insurance',
    'delete_user_v2_user__user_id__delete',
    'undo_user_delete_v2_user_undo_delete_post',
  ]);
  expect(stdout).toContain('✓ 7 operations, 7 HTTP requests to the sandbox.');
});
