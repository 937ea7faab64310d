// A small HTTP service over roboto_orgs, the way PostgREST serves it: every
// request is one transaction that names its caller first with
//   SELECT set_config('request.jwt.claims', $1, true)
// (true: local to the transaction), then calls the API functions. It connects
// through a transaction-pooling pgbouncer, so consecutive transactions of one
// pg connection may run on different server connections, and one server
// connection serves many callers: nothing that names the caller may outlive
// the transaction.
//
// Environment:
//   DATABASE_URL          the app role (api_app: grant_api_access, no more)
//   SERVICE_DATABASE_URL  the sign-up role (api_signup: a member of roboto_orgs_service)
//   JWT_SECRET            HS256 key of the users' tokens ({"sub": "<user id>"})
//   ADMIN_SECRET          shared secret of the sign-up endpoint (X-Admin-Secret)
//   PORT, HOST            where to listen (default 127.0.0.1:3000)
//
// Sign-up is the trusted path: POST /admin/users, allowed only with the
// X-Admin-Secret header, runs create_user on a separate pool that logs in as
// api_signup. User requests run on the api_app pool, which cannot sign anyone up.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { jwtVerify } from 'jose';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`node-api: ${name} must be set`);
    process.exit(2);
  }
  return value;
}

const appPool = new pg.Pool({ connectionString: required('DATABASE_URL'), max: 10 });
const servicePool = new pg.Pool({ connectionString: required('SERVICE_DATABASE_URL'), max: 2 });
const jwtKey = new TextEncoder().encode(required('JWT_SECRET'));
const adminSecret = Buffer.from(required('ADMIN_SECRET'));
for (const pool of [appPool, servicePool]) pool.on('error', (e) => console.error('node-api: idle connection:', e.message));

// README "Errors": SQLSTATE -> HTTP status, as PostgREST answers
const STATUS = {
  PT404: 404,
  22023: 400, 22004: 400, '22P02': 400, '22P05': 400, 23514: 400, 42704: 400,
  23505: 409, 23503: 409,
  25006: 405,
};
function httpStatus(code, authenticated) {
  if (code === '42501') return authenticated ? 403 : 401;   // anonymous: sign in first
  if (code in STATUS) return STATUS[code];
  if (/^PT\d\d\d$/.test(code)) return Number(code.slice(2));
  return 500;   // 40001 (retry), connection trouble, bugs
}

class HttpError extends Error {
  constructor(status, code, message, hint = null) {
    super(message);
    this.status = status;
    this.body = { code, message, details: null, hint };
  }
}

// The caller's claims from "Authorization: Bearer <JWT>"; without a token the
// claims {"role": "anon"}, which name no caller (anonymous: 42501, answered 401)
async function claimsOf(req) {
  const header = req.headers.authorization;
  if (!header) return { claims: { role: 'anon' }, authenticated: false };
  const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header);
  if (!m) throw new HttpError(401, 'PGRST301', 'malformed Authorization header', 'Send "Authorization: Bearer <JWT>".');
  try {
    const { payload } = await jwtVerify(m[1], jwtKey, { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('no sub claim');
    return { claims: payload, authenticated: true };
  } catch (e) {
    throw new HttpError(401, 'PGRST301', `invalid token: ${e.message}`);
  }
}

function isAdmin(req) {
  const given = Buffer.from(String(req.headers['x-admin-secret'] ?? ''));
  return given.length === adminSecret.length && timingSafeEqual(given, adminSecret);
}

// One request, one transaction, the caller named inside it.
async function inTransaction(pool, claims, readOnly, work) {
  const client = await pool.connect();
  try {
    await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    // Both settings, local to this transaction. With claims set, they alone
    // decide the caller; the empty user_id also keeps a value some other
    // client left on this server connection out of the service's requests.
    await client.query(
      "SELECT set_config('request.jwt.claims', $1, true), set_config('roboto_orgs.user_id', '', true)",
      [claims === null ? '' : JSON.stringify(claims)]);
    const result = await work((text, values) => client.query(text, values));
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

const one = async (q, text, values) => (await q(text, values)).rows[0]?.j ?? null;
const all = async (q, text, values) => (await q(text, values)).rows.map((r) => r.j);
const roleArray = (v) => (v === undefined || v === null ? null : v);

// [method, path pattern, handler]; handlers get (q, params, body) and return
// [status, body]. Records come back as to_jsonb(): the seed's wire form.
const routes = [
  ['GET', /^\/me$/, async (q) => ({
    user_id: (await q('SELECT roboto_orgs.caller_id() AS id')).rows[0].id,
    orgs: await all(q, 'SELECT to_jsonb(o) AS j FROM roboto_orgs.orgs_for_self() o'),
  })],
  ['GET', /^\/orgs$/, (q) => all(q, 'SELECT to_jsonb(o) AS j FROM roboto_orgs.orgs_for_self() o')],
  ['POST', /^\/orgs$/, async (q, p, b) => [201, await one(q,
    'SELECT to_jsonb(o) AS j FROM roboto_orgs.create_org($1) o', [b.name ?? null])]],
  ['GET', /^\/orgs\/([^/]+)$/, (q, [org]) => one(q, 'SELECT to_jsonb(o) AS j FROM roboto_orgs.get_org($1) o', [org])],
  ['GET', /^\/orgs\/([^/]+)\/users$/, (q, [org]) =>
    all(q, 'SELECT to_jsonb(u) AS j FROM roboto_orgs.org_users($1) u', [org])],
  ['PATCH', /^\/orgs\/([^/]+)\/users\/([^/]+)$/, (q, [org, user], b) => one(q,
    'SELECT to_jsonb(u) AS j FROM roboto_orgs.update_org_user($1, $2, $3::roboto_orgs.org_role_name[], $4::roboto_orgs.org_role_name[]) u',
    [org, user, roleArray(b.add_roles), roleArray(b.remove_roles)])],
  ['DELETE', /^\/orgs\/([^/]+)\/users\/([^/]+)$/, (q, [org, user]) =>
    one(q, 'SELECT to_jsonb(o) AS j FROM roboto_orgs.remove_user($1, $2) o', [org, user])],
  ['POST', /^\/orgs\/([^/]+)\/invites$/, async (q, [org], b) => [201, await one(q,
    'SELECT to_jsonb(i) AS j FROM roboto_orgs.invite_user($1, $2) i', [org, b.user_id ?? null])]],
  ['POST', /^\/invites\/([^/]+)\/accept$/, (q, [invite]) =>
    one(q, 'SELECT to_jsonb(u) AS j FROM roboto_orgs.accept_invite($1) u', [invite])],
  // the app's own table, under row-level security (roboto_orgs.has_role):
  // reads are filtered (non-members and the anonymous read no rows), an
  // insert the policy refuses fails with 42501 (403, or 401 without a token)
  ['GET', /^\/orgs\/([^/]+)\/notes$/, async (q, [org]) =>
    (await q('SELECT note_id, title, created_by FROM public.notes WHERE org_id = $1 ORDER BY note_id', [org])).rows],
  ['POST', /^\/orgs\/([^/]+)\/notes$/, async (q, [org], b) => [201,
    (await q('INSERT INTO public.notes (org_id, title) VALUES ($1, $2) RETURNING note_id, title, created_by',
      [org, b.title ?? null])).rows[0]]],
];

// sign-up: the trusted service, a separate pool and DB role
async function signUp(body) {
  // no caller: both settings empty for this transaction
  return inTransaction(servicePool, null, false, (q) => one(q,
    'SELECT to_jsonb(u) AS j FROM roboto_orgs.create_user($1, email => $2, name => $3) u',
    [body.user_id ?? null, body.email ?? null, body.name ?? null]));
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65536) throw new HttpError(413, 'PGRST413', 'request body too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body;
  } catch (e) {
    throw new HttpError(400, 'PGRST102', `request body is not a JSON object: ${e.message}`);
  }
}

function send(res, status, body) {
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 ? 204 : status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req, res) {
  const path = new URL(req.url, 'http://localhost').pathname;
  let authenticated = false;
  try {
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'POST' && path === '/admin/users') {
      if (!isAdmin(req)) throw new HttpError(401, 'PGRST301', 'sign-up needs the admin secret', 'Send the X-Admin-Secret header.');
      authenticated = true;
      return send(res, 201, await signUp(await readBody(req)));
    }
    for (const [method, pattern, handler] of routes) {
      const m = pattern.exec(path);
      if (!m || method !== req.method) continue;
      const params = m.slice(1).map(decodeURIComponent);
      const body = method === 'GET' || method === 'DELETE' ? {} : await readBody(req);
      const who = await claimsOf(req);
      authenticated = who.authenticated;
      const result = await inTransaction(appPool, who.claims, method === 'GET',
        (q) => handler(q, params, body));
      const [status, answer] = Array.isArray(result) && typeof result[0] === 'number' ? result : [200, result];
      return send(res, status, answer === null ? undefined : answer);
    }
    throw new HttpError(404, 'PGRST404', `no route for ${req.method} ${path}`);
  } catch (e) {
    if (e instanceof HttpError) return send(res, e.status, e.body);
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return send(res, httpStatus(e.code, authenticated),
        { code: e.code, message: e.message, details: e.detail ?? null, hint: e.hint ?? null });
    }
    console.error('node-api:', e);
    return send(res, 500, { code: 'PGRST000', message: 'internal error', details: null, hint: null });
  }
}

const server = http.createServer((req, res) => { handle(req, res); });
server.keepAliveTimeout = 5000;
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`node-api: listening on http://${host}:${port}`));

async function shutdown() {
  server.close();
  await Promise.allSettled([appPool.end(), servicePool.end()]);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
