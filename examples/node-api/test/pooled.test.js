// roboto_orgs behind pgbouncer in transaction pooling mode: many clients,
// few server connections (default_pool_size=2), callers named per
// transaction. Every answer must belong to the transaction's own caller.
// Run by scripts/pooler-tests.sh, which starts pgbouncer and sets
//   POOL_URL     api_app through pgbouncer (pool of 2 server connections)
//   LEAK_URL     api_app through pgbouncer, a pool of 1 server connection
//   SERVICE_URL  api_signup (trusted service) through pgbouncer
//   ADMIN_URL    a superuser, straight to the cluster (fixtures only)
//   PGBOUNCER_PREPARED=1 when pgbouncer keeps protocol-level prepared statements
// CLIENTS (default 24) and TXNS (default 40 per client) size the run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set (run scripts/pooler-tests.sh)`);
  return v;
};
const CLIENTS = Number(process.env.CLIENTS ?? 24);
const TXNS = Number(process.env.TXNS ?? 40);
const PREPARED = process.env.PGBOUNCER_PREPARED === '1';
const run = Date.now().toString(36);
const ROLES = ['user', 'admin', 'owner'];
const rank = (r) => ROLES.indexOf(r);

// ---- the fixture: 12 users, 6 orgs, memberships with every role ----------
const users = Array.from({ length: 12 }, (_, i) => `p${run}-u${String(i).padStart(2, '0')}`);
const UNKNOWN = `p${run}-nobody`;             // a caller who never signed up
const orgIds = [];                             // org k is created by users[k]
const roleOf = new Map();                      // user -> Map(org -> highest role)
const notesOf = new Map();                     // org -> [titles]
let hasPermissionExists = false;

function plannedRole(i, k) {                   // user i in org k (i != k): a role or null
  if (i === 11) return null;                   // u11 belongs to no org
  if ((i + 2 * k) % 3 === 0) return null;
  return ROLES[(i * k + i) % 3];
}

async function inTxn(client, caller, work) {
  await client.query('BEGIN');
  try {
    await client.query("SELECT set_config('request.jwt.claims', $1, true)",
      [caller === null ? '' : JSON.stringify({ sub: caller, role: 'authenticated' })]);
    const r = await work();
    await client.query('COMMIT');
    return r;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

before(async () => {
  const service = new pg.Client({ connectionString: env('SERVICE_URL') });
  const app = new pg.Client({ connectionString: env('POOL_URL') });
  const admin = new pg.Client({ connectionString: env('ADMIN_URL') });
  await Promise.all([service.connect(), app.connect(), admin.connect()]);
  try {
    for (const u of users) {
      await inTxn(service, null, () => service.query('SELECT roboto_orgs.create_user($1, email => $2)', [u, `${u}@pool.example`]));
      roleOf.set(u, new Map());
    }
    for (let k = 0; k < 6; k++) {
      const owner = users[k];
      const { rows } = await inTxn(app, owner, () =>
        app.query('SELECT org_id FROM roboto_orgs.create_org($1)', [`Pooled ${run} ${k}`]));
      const org = rows[0].org_id;
      orgIds.push(org);
      roleOf.get(owner).set(org, 'owner');
      for (let i = 0; i < users.length; i++) {
        const role = i === k ? null : plannedRole(i, k);
        if (!role) continue;
        // invite (as role user: this version's invite_user has no role
        // argument), accept, then the owner grants the planned role
        const inv = await inTxn(app, owner, () =>
          app.query('SELECT invite_id FROM roboto_orgs.invite_user($1, $2)', [org, users[i]]));
        await inTxn(app, users[i], () => app.query('SELECT roboto_orgs.accept_invite($1)', [inv.rows[0].invite_id]));
        let roles = ['user'];
        if (role !== 'user') {
          const upd = await inTxn(app, owner, () => app.query(
            'SELECT roles::text[] AS roles FROM roboto_orgs.update_org_user($1, $2, add_roles => $3::roboto_orgs.org_role_name[])',
            [org, users[i], [role]]));
          roles = upd.rows[0].roles;
        }
        const top = roles.reduce((a, r) => (rank(r) > rank(a) ? r : a), 'user');
        roleOf.get(users[i]).set(org, top);
      }
      const titles = [`note ${k}-a`, `note ${k}-b`];
      for (const t of titles) {
        await inTxn(app, owner, () => app.query('INSERT INTO public.notes (org_id, title) VALUES ($1, $2)', [org, t]));
      }
      notesOf.set(org, titles);
    }
    // a policy-style helper read through a plpgsql "simple expression", whose
    // expression state lives for the whole transaction
    await admin.query(`CREATE OR REPLACE FUNCTION public.pooled_is_admin(org text) RETURNS boolean
      LANGUAGE plpgsql STABLE AS $$ DECLARE r boolean; BEGIN r := roboto_orgs.has_role(org, 'admin'); RETURN r; END $$`);
    await admin.query('GRANT EXECUTE ON FUNCTION public.pooled_is_admin(text) TO api_app');
    hasPermissionExists = (await admin.query(
      "SELECT count(*) > 0 AS e FROM pg_proc WHERE proname = 'has_permission' AND pronamespace = 'roboto_orgs'::regnamespace")).rows[0].e;
    if (hasPermissionExists) {
      // the deployment's mapping: a role has its own permissions and those below it
      await admin.query(`INSERT INTO roboto_orgs.role_permissions (role, permission)
        SELECT r::roboto_orgs.org_role_name, p FROM unnest($1::text[], $2::text[]) AS m(r, p)
        ON CONFLICT DO NOTHING`, [PERMISSIONS.map(([r]) => r), PERMISSIONS.map(([, p]) => p)]);
    }
  } finally {
    await Promise.all([service.end(), app.end(), admin.end()]);
  }
});

// ---- what each caller must see -------------------------------------------
// role_permissions of this test: permission -> the lowest role that has it
const PERMISSIONS = [['user', 'notes:read'], ['admin', 'notes:write'], ['owner', 'billing:manage']];
function expected(caller) {
  const known = caller !== null && roleOf.has(caller);
  const roles = known ? roleOf.get(caller) : new Map();
  const has = (org, r) => roles.has(org) && rank(roles.get(org)) >= rank(r);
  const mine = orgIds.filter((o) => roles.has(o));
  return {
    caller_id: caller,
    is_member: orgIds.map((o) => roles.has(o)),
    has_role: Object.fromEntries(ROLES.map((r) => [r, orgIds.map((o) => has(o, r))])),
    plpgsql_admin: orgIds.map((o) => has(o, 'admin')),
    has_permission: Object.fromEntries(PERMISSIONS.map(([r, p]) => [p, orgIds.map((o) => has(o, r))])),
    orgs_for_self: known ? [...mine].sort() : { error: '42501' },
    notes: mine.flatMap((o) => notesOf.get(o)).sort(),
  };
}

// The checks of one transaction: [name, run(q) -> answer, expected(exp) -> value].
function checks(q) {
  const list = [
    ['caller_id', async () => (await q('SELECT roboto_orgs.caller_id() AS v')).rows[0].v, (e) => e.caller_id],
    ['is_member', async () => (await q(
      'SELECT array_agg(roboto_orgs.is_member(o) ORDER BY n) AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(o, n)',
      [orgIds])).rows[0].v, (e) => e.is_member],
    ...ROLES.map((r) => [`has_role ${r}`, async () => (await q(
      'SELECT array_agg(roboto_orgs.has_role(o, $2::roboto_orgs.org_role_name) ORDER BY n) AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(o, n)',
      [orgIds, r], `pooled_has_role`)).rows[0].v, (e) => e.has_role[r]]),
    ['plpgsql has_role admin', async () => (await q(
      'SELECT array_agg(public.pooled_is_admin(o) ORDER BY n) AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(o, n)',
      [orgIds])).rows[0].v, (e) => e.plpgsql_admin],
    ['orgs_for_self', async () => {
      // anonymous and unknown callers get 42501: under a savepoint, so that
      // the transaction goes on after the error
      await q('SAVEPOINT orgs_for_self');
      try {
        const ids = (await q('SELECT org_id FROM roboto_orgs.orgs_for_self()')).rows.map((r) => r.org_id).sort();
        await q('RELEASE SAVEPOINT orgs_for_self');
        return ids;
      } catch (err) {
        await q('ROLLBACK TO SAVEPOINT orgs_for_self');
        return { error: err.code };
      }
    }, (e) => e.orgs_for_self],
    ['notes (RLS)', async () => (await q('SELECT title FROM public.notes')).rows.map((r) => r.title).sort(),
      (e) => e.notes],
  ];
  if (hasPermissionExists) {
    for (const [, p] of PERMISSIONS) {
      list.push([`has_permission ${p}`, async () => (await q(
        'SELECT array_agg(roboto_orgs.has_permission(o, $2) ORDER BY n) AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(o, n)',
        [orgIds, p], 'pooled_has_permission')).rows[0].v, (e) => e.has_permission[p]]);
    }
  }
  return list;
}

const stats = { transactions: 0, answers: 0, wrong: [], byMode: {} };

// One transaction of a client: pick a caller and a way to name it, then run
// the checks in random order with pauses, so that other clients' transactions
// queue for the two server connections meanwhile.
async function oneTransaction(client, rnd) {
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const callers = [...users, UNKNOWN, null];
  const caller = pick(callers);
  const mode = caller === null ? pick(['anon claims', 'nothing set', 'empty settings']) :
    pick(['jwt claims', 'SET LOCAL user_id', 'set_config user_id', 'claims over user_id', 'switch caller']);
  stats.byMode[mode] = (stats.byMode[mode] ?? 0) + 1;
  let savepoint = false;
  let first = null;
  // q: an unnamed statement, or (pgbouncer >= 1.21) a named prepared one
  const q = (text, values, name) =>
    client.query(PREPARED && name ? { name, text, values } : { text, values });
  await client.query('BEGIN');
  try {
    let who = caller;
    switch (mode) {
      case 'jwt claims':
        await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: caller, role: 'authenticated' })]);
        break;
      case 'SET LOCAL user_id':
        await client.query(`SET LOCAL roboto_orgs.user_id = ${client.escapeLiteral(caller)}`);
        break;
      case 'set_config user_id':
        await client.query("SELECT set_config('roboto_orgs.user_id', $1, true)", [caller]);
        break;
      case 'claims over user_id': {   // the claims decide, whatever user_id says
        const other = pick(users);
        await client.query(`SET LOCAL roboto_orgs.user_id = ${client.escapeLiteral(other)}`);
        await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: caller })]);
        break;
      }
      case 'switch caller': {         // first another caller, checked, then the real one
        first = pick(users);
        await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: first })]);
        await verify(q, first, mode, rnd, 2);
        await client.query('SAVEPOINT s');
        savepoint = true;
        await client.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: caller })]);
        break;
      }
      case 'anon claims':
        await client.query("SELECT set_config('request.jwt.claims', '{\"role\": \"anon\"}', true)");
        break;
      case 'empty settings':
        await client.query("SELECT set_config('request.jwt.claims', '', true), set_config('roboto_orgs.user_id', '', true)");
        break;
      case 'nothing set':
        break;
    }
    await verify(q, who, mode, rnd);
    if (savepoint && rnd() < 0.5) {    // a rolled back savepoint takes the caller switch back
      await client.query('ROLLBACK TO SAVEPOINT s');
      await client.query('RELEASE SAVEPOINT s');
      await verify(q, first, `${mode}, rolled back`, rnd, 3);
    }
    await client.query(rnd() < 0.2 ? 'ROLLBACK' : 'COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
  stats.transactions++;
}

async function verify(q, caller, mode, rnd, limit = Infinity) {
  const exp = expected(caller);
  const list = checks(q).sort(() => rnd() - 0.5).slice(0, limit);
  for (const [name, ask, want] of list) {
    const got = await ask();
    stats.answers++;
    try {
      assert.deepStrictEqual(got, want(exp));
    } catch {
      stats.wrong.push({ caller, mode, check: name, got, want: want(exp) });
    }
    if (rnd() < 0.5) await sleep(Math.floor(rnd() * 3));
  }
}

function seeded(seed) {       // mulberry32: reproducible per client
  return () => {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test(`${CLIENTS} clients x ${TXNS} transactions over 2 server connections: every answer is the transaction's own caller's`, async () => {
  const clients = Array.from({ length: CLIENTS }, () => new pg.Client({ connectionString: env('POOL_URL') }));
  await Promise.all(clients.map((c) => c.connect()));
  const servers = new Set();
  try {
    await Promise.all(clients.map(async (c, n) => {
      const rnd = seeded(1000 + n);
      for (let t = 0; t < TXNS; t++) {
        await oneTransaction(c, rnd);
        if (t % 10 === 0) servers.add((await c.query('SELECT pg_backend_pid() AS p')).rows[0].p);
      }
    }));
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  console.log(`pooled: ${stats.transactions} transactions, ${stats.answers} answers checked, ` +
    `${stats.wrong.length} for the wrong caller; ${CLIENTS} clients seen on ${servers.size} server connection(s); ` +
    `prepared statements ${PREPARED ? 'named (kept by pgbouncer)' : 'unnamed'}; modes ${JSON.stringify(stats.byMode)}`);
  for (const w of stats.wrong.slice(0, 20)) console.log('WRONG', JSON.stringify(w));
  assert.equal(stats.transactions, CLIENTS * TXNS);
  assert.ok(servers.size <= 2, `pgbouncer used ${servers.size} server connections, expected at most 2`);
  assert.deepEqual(stats.wrong, []);
});

test('has_permission was among the checks', () => {
  // 0.2.0 and later have it: the pooled test above checked it per caller
  assert.ok(hasPermissionExists, 'roboto_orgs.has_permission does not exist');
});

test('the app role is not the trusted service: create_user refuses it', async () => {
  const app = new pg.Client({ connectionString: env('POOL_URL') });
  await app.connect();
  try {
    await assert.rejects(inTxn(app, null, () => app.query("SELECT roboto_orgs.create_user('p-intruder')")), { code: '42501' });
    await assert.rejects(inTxn(app, users[0], () => app.query("SELECT roboto_orgs.create_user('p-intruder')")), { code: '42501' });
  } finally {
    await app.end();
  }
});

// ---- the wrong pattern: a session-level SET through a transaction pooler ----
test('a session-level SET of the caller leaks to other clients of the pooler (the wrong pattern)', async () => {
  // LEAK_URL's pool has one server connection, so both clients share it, as
  // any two clients of a busy pooler sooner or later do.
  const a = new pg.Client({ connectionString: env('LEAK_URL') });
  const b = new pg.Client({ connectionString: env('LEAK_URL') });
  await a.connect();
  await b.connect();
  const [u0, u1, u2] = users;
  const callerOfB = async () => (await b.query('SELECT roboto_orgs.caller_id() AS v')).rows[0].v;
  try {
    const serverA = (await a.query('SELECT pg_backend_pid() AS p')).rows[0].p;
    const serverB = (await b.query('SELECT pg_backend_pid() AS p')).rows[0].p;
    assert.equal(serverA, serverB, 'both clients on the one server connection');

    // WRONG: client a names its user for "the session" outside a transaction
    await a.query(`SET roboto_orgs.user_id = ${a.escapeLiteral(u0)}`);
    // client b never named anyone, yet it acts as a's user
    assert.equal(await callerOfB(), u0);
    const leakedOrgs = (await b.query('SELECT org_id FROM roboto_orgs.orgs_for_self()')).rows.map((r) => r.org_id).sort();
    assert.deepEqual(leakedOrgs, expected(u0).orgs_for_self);
    const leakedNotes = (await b.query('SELECT title FROM public.notes')).rows.map((r) => r.title).sort();
    assert.deepEqual(leakedNotes, expected(u0).notes);
    console.log(`leak: client b, which named no caller, ran as ${u0}: ${leakedOrgs.length} orgs, ${leakedNotes.length} notes of ${u0}`);

    // the same with PostgREST's setting made session-level (is_local false)
    await a.query("SELECT set_config('request.jwt.claims', $1, false)", [JSON.stringify({ sub: u1 })]);
    assert.equal(await callerOfB(), u1);

    // a client that names its caller in every transaction is immune: its own
    // local setting wins over whatever the server connection holds
    const inOwn = async (name) => {
      await b.query('BEGIN');
      await name();
      const v = await callerOfB();
      await b.query('COMMIT');
      return v;
    };
    assert.equal(await inOwn(() => b.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: u2 })])), u2);
    assert.equal(await inOwn(() => b.query("SELECT set_config('request.jwt.claims', '{\"role\": \"anon\"}', true)")), null);
    await a.query('RESET request.jwt.claims');
    // with only user_id leaked, a SET LOCAL of it wins too, and claims set
    // locally decide alone (the example service sets both every time)
    assert.equal(await inOwn(() => b.query(`SET LOCAL roboto_orgs.user_id = ${b.escapeLiteral(u2)}`)), u2);
    assert.equal(await inOwn(() => b.query("SELECT set_config('request.jwt.claims', '{\"role\": \"anon\"}', true)")), null);
    assert.equal(await callerOfB(), u0, 'outside its own transactions b still gets the leaked caller');

    // clean the server connection; then the right pattern leaves nothing behind
    await a.query('RESET roboto_orgs.user_id');
    assert.equal(await callerOfB(), null);
    await a.query('BEGIN');
    await a.query(`SET LOCAL roboto_orgs.user_id = ${a.escapeLiteral(u0)}`);
    await a.query("SELECT set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: u1 })]);
    assert.equal((await a.query('SELECT roboto_orgs.caller_id() AS v')).rows[0].v, u1);
    await a.query('COMMIT');
    assert.equal(await callerOfB(), null, 'SET LOCAL and set_config(..., true) end with the transaction');
  } finally {
    await a.query('RESET ALL').catch(() => {});
    await a.end();
    await b.end();
  }
});

