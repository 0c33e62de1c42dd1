/** Org Management API (served under `/management`), authenticated with the org key. */
import { ok, type Call, type Reply, type Router } from './http.js';
import { envSchema, OAUTH_PROVIDERS, PrepareTeamCustomCredentialsBody, regionSchema } from './schemas.js';
import { Checks, uuid } from './validation.js';

/**
 * OAuth providers need the team's own OAuth app to trust Junction's callback before custom
 * credentials can be applied; every other provider needs nothing.
 */
function prepareCustomCredentials(call: Call): Reply {
  const checks = new Checks(call);
  checks.path('org_id', uuid);
  const env = checks.path('env', envSchema);
  const region = checks.path('region', regionSchema);
  const body = checks.body(PrepareTeamCustomCredentialsBody);
  if (checks.failed) return checks.reply();
  const provider = body.provider as string;
  if (!OAUTH_PROVIDERS.includes(provider)) return ok({ status: 'no_action_needed', preparation_steps: [] });
  const host = `api.${env === 'sandbox' ? 'sandbox.' : ''}${region}.junction.com`;
  return ok({
    status: 'preparations_required',
    preparation_steps: [
      {
        type: 'redirect_uri',
        key: null,
        value: `https://${host}/v2/link/connect/${provider}/oauth_callback`,
        description: `Add this redirect URI to your ${provider} OAuth application.`,
      },
    ],
  });
}

/** Registers the org management routes. */
export function registerOrgRoutes(router: Router): void {
  router.add('POST', '/management/v1/org/{org_id}/prepare_team_custom_credentials/{env}/{region}', prepareCustomCredentials, 'org');
}
