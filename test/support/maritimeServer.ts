/**
 * A local stand-in for every API the alpha2 examples consume: the tutorial's maritime registry (ships,
 * crew, voyages), the legacy dockyard (XML), the XML users API, the header/query search API, the
 * weather API and Mistral's agent completions. It checks the credentials the examples send (from
 * examples/shared/secrets.yaml) and records every request.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';

export const EXAMPLES = new URL('../fixtures/naftiko-alpha2/examples', import.meta.url).pathname;

const secrets = parse(readFileSync(`${EXAMPLES}/shared/secrets.yaml`, 'utf8')) as Record<string, string>;

/** Credentials the examples send, as their bind file declares them. */
export const CREDENTIALS = {
  registryToken: secrets['registry-bearer-token'],
  registryVersion: secrets['registry-api-version'],
  dockyardKey: secrets['dockyard-api-key'],
  mcpToken: secrets['mcp-server-token'],
  searchKey: 'ABC123',
  mistralToken: 'mistral-test-token',
};

export interface Ship {
  imo_number: string;
  vessel_name: string;
  vessel_type: string;
  flag_code: string;
  operational_status: string;
  year_built: number;
  gross_tonnage: number;
  dimensions: { length_overall: number; beam: number };
  assignedCrew: string[];
}

export const SHIPS: Ship[] = [
  {
    imo_number: 'IMO9321483',
    vessel_name: 'Northern Star',
    vessel_type: 'cargo',
    flag_code: 'NO',
    operational_status: 'active',
    year_built: 2008,
    gross_tonnage: 51255,
    dimensions: { length_overall: 229.5, beam: 32.3 },
    assignedCrew: ['CR-003', 'CR-001'],
  },
  {
    imo_number: 'IMO9456721',
    vessel_name: 'Atlantic Breeze',
    vessel_type: 'tanker',
    flag_code: 'PA',
    operational_status: 'laid_up',
    year_built: 1999,
    gross_tonnage: 84000,
    dimensions: { length_overall: 274, beam: 48 },
    assignedCrew: ['CR-002'],
  },
  {
    imo_number: 'IMO9784512',
    vessel_name: 'Coral Dawn',
    vessel_type: 'container',
    flag_code: 'MT',
    operational_status: 'active',
    year_built: 2016,
    gross_tonnage: 94300,
    dimensions: { length_overall: 300, beam: 48.2 },
    assignedCrew: [],
  },
];

export const CREW = [
  { crewId: 'CR-001', fullName: 'Ingrid Larsen', role: 'Captain', nationality: 'NO' },
  { crewId: 'CR-002', fullName: 'Mateo Alvarez', role: 'Chief Engineer', nationality: 'PA' },
  { crewId: 'CR-003', fullName: 'Aiko Tanaka', role: 'First Officer', nationality: 'JP' },
];

export const LEGACY_VESSELS = [
  { vesselCode: 'DY-001', vesselName: 'Old Faithful', category: 'bulk', flagState: 'GB', operationalStatus: 'active' },
  { vesselCode: 'DY-002', vesselName: 'Rust Bucket', category: 'tug', flagState: 'IE', operationalStatus: 'scrapped' },
];

export const USERS = [
  { id: '1', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: '2', name: 'Alan Turing', email: 'alan@example.com' },
];

export const FORECAST = { temperature: 18.5, condition: 'Partly cloudy' };

/** One request as received. */
export interface Received {
  method: string;
  /** Raw target, query included. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface MaritimeServer {
  url: string;
  requests: Received[];
  /** Voyages created so far. */
  voyages: Array<Record<string, unknown>>;
  /** Milliseconds to wait before answering each request (slow upstream). */
  delay: number;
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startMaritimeServer(): Promise<MaritimeServer> {
  const state: MaritimeServer = { url: '', requests: [], voyages: [], delay: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.requests.push(received);
      setTimeout(() => answer(received, res, state), state.delay);
    });
  });
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

function answer(request: Received, res: ServerResponse, state: MaritimeServer): void {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname;
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const xml = (body: string) => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };

  if (path === '/ships' || path.startsWith('/ships/') || path === '/crew' || path === '/voyages') {
    // step-2 sends no credentials; step-3 and step-7 must send the right ones.
    const auth = request.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${CREDENTIALS.registryToken}`) return json(401, { detail: 'invalid registry token' });
    const version = request.headers['registry-version'];
    if (version !== undefined && version !== CREDENTIALS.registryVersion) return json(400, { detail: `unsupported Registry-Version ${String(version)}` });
  }

  if (request.method === 'GET' && path === '/ships') {
    const status = url.searchParams.get('status');
    const ships = SHIPS.filter((s) => status === null || s.operational_status === status);
    return json(
      200,
      ships.map(({ imo_number, vessel_name, vessel_type, flag_code, operational_status }) => ({ imo_number, vessel_name, vessel_type, flag_code, operational_status })),
    );
  }
  const ship = /^\/ships\/([^/]+)$/.exec(path);
  if (request.method === 'GET' && ship) {
    const found = SHIPS.find((s) => s.imo_number === decodeURIComponent(ship[1]));
    return found ? json(200, found) : json(404, { detail: `ship ${decodeURIComponent(ship[1])} not found` });
  }
  if (request.method === 'GET' && path === '/crew') return json(200, CREW);
  if (request.method === 'POST' && path === '/voyages') {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return json(400, { detail: 'body is not JSON' });
    }
    if (!SHIPS.some((s) => s.imo_number === body.shipImo)) return json(404, { detail: `ship ${String(body.shipImo)} not found` });
    const voyage = { voyageId: `VOY-${1000 + state.voyages.length + 1}`, ...body, status: 'planned' };
    state.voyages.push(voyage);
    return json(201, voyage);
  }
  if (request.method === 'GET' && path === '/vessels') {
    if (request.headers['x-dock-key'] !== CREDENTIALS.dockyardKey) return json(401, { detail: 'invalid dock key' });
    const status = url.searchParams.get('status');
    const vessels = LEGACY_VESSELS.filter((v) => status === null || v.operationalStatus === status);
    return xml(`<vessels>${vessels.map((v) => `<vessel>${Object.entries(v).map(([k, value]) => `<${k}>${value}</${k}>`).join('')}</vessel>`).join('')}</vessels>`);
  }
  if (request.method === 'GET' && path === '/api/users') {
    return xml(`<root>${USERS.map((u) => `<user><id>${u.id}</id><name>${u.name}</name><email>${u.email}</email></user>`).join('')}</root>`);
  }
  if (request.method === 'POST' && path === '/items') {
    if (request.headers['x-api-key'] !== CREDENTIALS.searchKey) return json(401, { detail: 'invalid api key' });
    const q = url.searchParams.get('q');
    return json(200, { query: q, items: [{ id: 'item-1', owner: q }] });
  }
  // A debug endpoint that echoes the caller's credentials, as some real APIs do.
  if (request.method === 'GET' && path === '/whoami') return json(200, { authorization: request.headers.authorization ?? null });
  if (request.method === 'GET' && path === '/forecast') return json(200, { forecast: FORECAST, updated: '2026-04-03T12:00:00Z' });
  if (request.method === 'POST' && path === '/agents/completions') {
    if (request.headers.authorization !== `Bearer ${CREDENTIALS.mistralToken}`) return json(401, { detail: 'invalid token' });
    return json(200, { id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Fair winds.' } }] });
  }
  json(404, { detail: `no route ${request.method} ${path}` });
}
