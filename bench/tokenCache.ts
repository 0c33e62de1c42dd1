/**
 * What OAuth2 client credentials add to a call once the token is cached: the same request built from
 * the plan with a static bearer token, and with OAuth2 (the token request resolved from its templates,
 * the cache looked up, the token awaited and put in `Authorization`), in interleaved rounds of
 * sequential calls. Nothing is sent per call: the difference is the token cache's cost alone, which
 * an end-to-end figure would bury under got's ±15 µs of noise.
 */
import { loadCapability } from '../runtime/load/loadCapability.js';
import { capabilityInternals } from '../runtime/compile/capabilityInternals.js';
import { createHttpClient } from '../runtime/http/client.js';
import { buildRequest } from '../runtime/invoke/buildRequest.js';
import { createTokenSource } from '../runtime/invoke/oauth2.js';
import { resolveInputs } from '../runtime/invoke/resolveInputs.js';
import { SecretStore } from '../runtime/invoke/secretStore.js';
import { OAUTH_CAPABILITY } from './paths.js';
import { BENCH_ACCESS_TOKEN, BENCH_USER_ID } from './server.js';
import { orderOf } from './invoke.js';
import { median } from './stats.js';

/** The per-call cost of each way to authorize, and the difference. */
export interface TokenCacheResult {
  callsPerRound: number;
  rounds: number;
  /** Median ns per call: the request built with a static bearer token. */
  bearerNs: number;
  /** Median ns per call: the request built with OAuth2 and its token taken from the cache. */
  oauth2Ns: number;
  /** Median over rounds of oauth2 − bearer in the same round, in µs per call. */
  addedUs: number;
}

/** Measures against the bench server at `serverUrl` (which issues the one token the cache holds). */
export async function tokenCacheOverhead(serverUrl: string, calls: number, rounds: number): Promise<TokenCacheResult> {
  const { plans } = capabilityInternals(await loadCapability(OAUTH_CAPABILITY));
  const oauth = plans.find((p) => p.name === 'get-user')!;
  const bearer = plans.find((p) => p.name === 'get-user-static')!;
  const secrets = new SecretStore({ BENCH_CLIENT_ID: 'bench-client', BENCH_CLIENT_SECRET: 'bench-client-secret-0123', BENCH_TOKEN: BENCH_ACCESS_TOKEN });
  const client = createHttpClient();
  const tokens = createTokenSource({ client, secrets });
  const inputs = { user_id: BENCH_USER_ID };
  const baseUrl = { value: serverUrl, masked: serverUrl };

  const withBearer = () => {
    const built = buildRequest(bearer, resolveInputs(bearer, inputs), inputs, secrets, baseUrl, false);
    return built.wire.headers.authorization;
  };
  // What createRuntime does per call for OAuth2 beyond building: the deadline, the token, the header.
  const withOAuth2 = async () => {
    const built = buildRequest(oauth, resolveInputs(oauth, inputs), inputs, secrets, baseUrl, false);
    const deadline = performance.now() + 30_000;
    built.wire.headers.authorization = `Bearer ${await tokens.token(built.tokenRequest!, { operation: oauth.id, deadline, timeout: 30_000 })}`;
    return built.wire.headers.authorization;
  };

  try {
    if ((await withOAuth2()) !== `Bearer ${BENCH_ACCESS_TOKEN}` || withBearer() !== `Bearer ${BENCH_ACCESS_TOKEN}`) throw new Error('the two requests do not carry the same token');
    const samples = { bearer: [] as number[], oauth2: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const variant of orderOf(['bearer', 'oauth2'] as const, round)) {
        const started = performance.now();
        if (variant === 'bearer') for (let i = 0; i < calls; i++) withBearer();
        else for (let i = 0; i < calls; i++) await withOAuth2();
        samples[variant].push(((performance.now() - started) * 1e6) / calls);
      }
    }
    return {
      callsPerRound: calls,
      rounds,
      bearerNs: median(samples.bearer),
      oauth2Ns: median(samples.oauth2),
      addedUs: median(samples.oauth2.map((ns, i) => ns - samples.bearer[i])) / 1000,
    };
  } finally {
    client.close();
  }
}
