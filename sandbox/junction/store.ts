/**
 * In-memory state of one sandbox: the team's users and everything hanging off them. Records keep the
 * wire shapes of the OpenAPI schemas where they can, so handlers mostly return them as they are.
 */
import { randomUUID } from 'node:crypto';
import { parseUuid } from './validation.js';

/** Current time the way the API writes it (`…+00:00`, not `Z`). */
export function timestamp(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}

/** `ClientFacingProvider` for a provider slug. */
export function providerInfo(slug: string): { name: string; slug: string; logo: string } {
  const name = slug
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
  return { name, slug, logo: `https://storage.googleapis.com/vital-assets/${slug}.png` };
}

/** `FallbackTimeZone` / `FallbackBirthDate`: a value plus where it came from. */
export interface Fallback {
  source_slug: string;
  updated_at: string;
  [key: string]: string;
}

/** A provider connection of a user. */
export interface ConnectionRecord {
  slug: string;
  created_on: string;
}

/** A user and its sub-resources. */
export interface UserRecord {
  user_id: string;
  team_id: string;
  client_user_id: string;
  created_on: string;
  fallback_time_zone: Fallback | null;
  fallback_birth_date: Fallback | null;
  ingestion_start: string | null;
  ingestion_end: string | null;
  /** Soft-deleted: hidden from every endpoint except undo_delete, and still holding its client_user_id. */
  deleted: boolean;
  connections: ConnectionRecord[];
  /** `ClientFacingDevice` objects. */
  devices: Record<string, unknown>[];
  /** `ClientFacingInsurance` objects, oldest first. */
  insurances: Record<string, unknown>[];
  /** Latest `UserInfo`, once demographics were set. */
  info: Record<string, unknown> | null;
}

/** The fields a create request may set. */
export interface NewUser {
  client_user_id: string;
  fallback_time_zone: string | null;
  fallback_birth_date: string | null;
  ingestion_start: string | null;
  ingestion_end: string | null;
}

/** `FallbackTimeZone` / `FallbackBirthDate` as set through the API (source `manual`). */
export function manualFallback(key: 'id' | 'value', value: string | null): Fallback | null {
  return value === null ? null : { [key]: value, source_slug: 'manual', updated_at: timestamp() };
}

/**
 * The seeded device of a new user, so device endpoints have something to return; the shape is the
 * `ClientFacingDevice` example of the OpenAPI.
 */
function seedDevice(userId: string): Record<string, unknown> {
  return {
    id: randomUUID(),
    user_id: userId,
    provider: 'fitbit',
    source_type: 'scale',
    app_id: null,
    device_manufacturer: 'Fitbit',
    device_model: 'Aria Air',
    device_version: '1.0',
    device_id: 'F-31-A4C138BB9EF5',
  };
}

/** All users of the sandbox's single team. */
export class Store {
  /** Stable for the life of the sandbox, also across {@link Store.reset}. */
  readonly teamId = randomUUID();
  private readonly users = new Map<string, UserRecord>();

  /** Forgets every user. */
  reset(): void {
    this.users.clear();
  }

  createUser(fields: NewUser): UserRecord {
    const userId = randomUUID();
    const user: UserRecord = {
      user_id: userId,
      team_id: this.teamId,
      client_user_id: fields.client_user_id,
      created_on: timestamp(),
      fallback_time_zone: manualFallback('id', fields.fallback_time_zone),
      fallback_birth_date: manualFallback('value', fields.fallback_birth_date),
      ingestion_start: fields.ingestion_start,
      ingestion_end: fields.ingestion_end,
      deleted: false,
      connections: [],
      devices: [seedDevice(userId)],
      insurances: [],
      info: null,
    };
    this.users.set(userId, user);
    return user;
  }

  /** A live (not deleted) user; any UUID spelling is accepted, anything else is simply unknown. */
  get(userId: string): UserRecord | undefined {
    const user = this.byId(userId);
    return user && !user.deleted ? user : undefined;
  }

  /** A soft-deleted user, by `user_id` or by `client_user_id`. */
  getDeleted(key: { user_id: string } | { client_user_id: string }): UserRecord | undefined {
    const user = 'user_id' in key ? this.byId(key.user_id) : this.withClientUserId(key.client_user_id);
    return user?.deleted ? user : undefined;
  }

  /** The user, live or deleted, holding `clientUserId`. */
  withClientUserId(clientUserId: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.client_user_id === clientUserId) return user;
    return undefined;
  }

  private byId(userId: string): UserRecord | undefined {
    const parsed = parseUuid(userId);
    return 'value' in parsed ? this.users.get(parsed.value) : undefined;
  }

  /** Live users in creation order. */
  live(): UserRecord[] {
    return [...this.users.values()].filter((user) => !user.deleted);
  }
}

/** The `ClientFacingUser` view of a record. */
export function clientFacingUser(user: UserRecord): Record<string, unknown> {
  return {
    user_id: user.user_id,
    team_id: user.team_id,
    client_user_id: user.client_user_id,
    created_on: user.created_on,
    connected_sources: user.connections.map((c) => ({ provider: providerInfo(c.slug), created_on: c.created_on, source: providerInfo(c.slug) })),
    fallback_time_zone: user.fallback_time_zone,
    fallback_birth_date: user.fallback_birth_date,
    ingestion_start: user.ingestion_start,
    ingestion_end: user.ingestion_end,
  };
}
