/**
 * Access tokens of one runtime, by key (token endpoint, client, scopes and audience). A token is
 * reused until shortly before it expires; concurrent calls that need a new one share one request for
 * it (single flight), and each of them waits only as long as its own deadline and signal allow. The
 * request is cancelled once no call is waiting for it any more.
 *
 * Knows nothing of HTTP: the runtime gives it the function that fetches a token.
 */
import { MAX_TIMER_MS } from '../util/timers.js';

/** What a token endpoint issued. */
export interface IssuedToken {
  value: string;
  /** How long the token is valid, in ms, when the endpoint said (`expires_in`). */
  lifetimeMs?: number;
}

/** Fetches a new token; `signal` aborts when no caller waits for it any more. */
export type TokenFetcher = (signal: AbortSignal) => Promise<IssuedToken>;

/** How long one caller waits, and the errors it gets when it stops waiting. */
export interface TokenWait {
  signal?: AbortSignal;
  /** Time (on the cache's clock, `performance.now()` by default) after which the caller stops waiting. */
  deadline: number;
  timedOut(): Error;
  aborted(): Error;
}

/** Settings of a cache. */
export interface TokenCacheOptions {
  /** The clock, in ms (default `performance.now`). */
  now?: () => number;
  /** Told of a token that was replaced twice over: nothing in flight can still be using it. */
  retire?: (value: string) => void;
}

interface Cached {
  value: string;
  /** Clock time from which the token is renewed before use. */
  refreshAt: number;
}

interface Flight {
  promise: Promise<Cached>;
  controller: AbortController;
  waiters: number;
}

/** Renew this long before expiry, at most: a call that starts just before expiry must not carry a dying token. */
const MAX_REFRESH_MARGIN_MS = 30_000;

export class TokenCache {
  readonly #tokens = new Map<string, Cached>();
  /** The token each key held before its current one, kept masked while calls may still echo it. */
  readonly #previous = new Map<string, string>();
  readonly #flights = new Map<string, Flight>();
  readonly #now: () => number;
  readonly #retire: (value: string) => void;

  constructor(options: TokenCacheOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#retire = options.retire ?? (() => {});
  }

  /** The token of `key` when it can be used now without renewal; the path of almost every call. */
  fresh(key: string): string | undefined {
    const cached = this.#tokens.get(key);
    return cached !== undefined && this.#now() < cached.refreshAt ? cached.value : undefined;
  }

  /** A usable token of `key`: the cached one, the one being fetched, or a new fetch through `fetch`. */
  get(key: string, fetch: TokenFetcher, wait: TokenWait): Promise<string> {
    const value = this.fresh(key);
    if (value !== undefined) return Promise.resolve(value);
    const flight = this.#flights.get(key) ?? this.#start(key, fetch);
    return this.#join(key, flight, wait);
  }

  /** Drops `value` if it is still the token of `key` (the API refused it); a newer token is kept. */
  drop(key: string, value: string): void {
    if (this.#tokens.get(key)?.value === value) this.#tokens.delete(key);
  }

  #start(key: string, fetch: TokenFetcher): Flight {
    const controller = new AbortController();
    const flight: Flight = {
      controller,
      waiters: 0,
      promise: fetch(controller.signal).then((issued) => this.#store(key, issued)),
    };
    const settled = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    // Settled whether anyone still waits or not, so that an abandoned fetch never goes unhandled.
    flight.promise.then(settled, settled);
    this.#flights.set(key, flight);
    return flight;
  }

  #store(key: string, issued: IssuedToken): Cached {
    const lifetime = issued.lifetimeMs;
    const margin = lifetime === undefined ? 0 : Math.min(MAX_REFRESH_MARGIN_MS, lifetime / 10);
    const cached: Cached = { value: issued.value, refreshAt: lifetime === undefined ? Infinity : this.#now() + lifetime - margin };
    const current = this.#tokens.get(key)?.value;
    if (current !== undefined && current !== issued.value) {
      const older = this.#previous.get(key);
      if (older !== undefined && older !== issued.value) this.#retire(older);
      this.#previous.set(key, current);
    }
    this.#tokens.set(key, cached);
    return cached;
  }

  /** Waits for `flight` within the caller's own deadline and signal. */
  #join(key: string, flight: Flight, wait: TokenWait): Promise<string> {
    if (wait.signal?.aborted) return Promise.reject(wait.aborted());
    flight.waiters++;
    return new Promise<string>((resolve, reject) => {
      let done = false;
      const finish = () => {
        done = true;
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', onAbort);
        flight.waiters--;
      };
      const leave = (error: Error) => {
        if (done) return;
        finish();
        if (flight.waiters === 0 && this.#flights.get(key) === flight) {
          this.#flights.delete(key);
          flight.controller.abort();
        }
        reject(error);
      };
      const onAbort = () => leave(wait.aborted());
      const timer = setTimeout(() => leave(wait.timedOut()), Math.min(Math.max(0, wait.deadline - this.#now()), MAX_TIMER_MS));
      wait.signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (cached) => {
          if (done) return;
          finish();
          resolve(cached.value);
        },
        (error: unknown) => {
          if (done) return;
          finish();
          reject(error);
        },
      );
    });
  }
}
