// examples/node-api driven with real HTTP requests. Run by
// scripts/pooler-tests.sh, which starts pgbouncer and the service and sets
//   API_URL       the service
//   JWT_SECRET    the service's HS256 key (the test signs its users' tokens)
//   ADMIN_SECRET  the sign-up endpoint's shared secret
// REQUESTS (default 400) sizes the concurrent run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set (run scripts/pooler-tests.sh)`);
  return v;
};
const API = env('API_URL');
const key = new TextEncoder().encode(env('JWT_SECRET'));
const REQUESTS = Number(process.env.REQUESTS ?? 400);
const run = Date.now().toString(36);
const id = (name) => `h${run}-${name}`;

const token = (sub, secret = key) => new SignJWT({ role: 'authenticated' })
  .setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(secret);

async function call(method, path, { as, body, headers = {} } = {}) {
  const h = { ...headers };
  if (as) h.authorization = `Bearer ${await token(as)}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(API + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const signUp = (user_id, extra = {}) => call('POST', '/admin/users',
  { body: { user_id, email: `${user_id}@http.example`, ...extra }, headers: { 'x-admin-secret': env('ADMIN_SECRET') } });

// expect a status (and, for errors, a SQLSTATE); the body otherwise
function expectStatus(r, status, code) {
  assert.equal(r.status, status, `HTTP ${r.status} ${JSON.stringify(r.body)}`);
  if (code) assert.equal(r.body.code, code, JSON.stringify(r.body));
  return r.body;
}

const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(id);
const s = {};   // what the steps share

test('sign-up through the trusted path (admin secret, service DB role)', async () => {
  expectStatus(await call('POST', '/admin/users', { body: { user_id: id('eve') } }), 401, 'PGRST301');
  expectStatus(await call('POST', '/admin/users', { body: { user_id: id('eve') }, headers: { 'x-admin-secret': 'wrong' } }), 401);
  for (const u of [alice, bob, carol, dave]) {
    const rec = expectStatus(await signUp(u), 201);
    assert.equal(rec.user_id, u);
    assert.equal(rec.email, `${u}@http.example`);
  }
  expectStatus(await signUp(alice), 409, '23505');
  // users have no route to create_user, and the api_app role the user
  // requests run as is refused by it (test/pooled.test.js checks that)
});

test('anonymous: 401; bad token: 401', async () => {
  expectStatus(await call('GET', '/orgs'), 401, '42501');
  expectStatus(await call('POST', '/orgs', { body: { name: `Anon ${run}` } }), 401, '42501');
  const forged = await token(alice, new TextEncoder().encode('not the secret'));
  expectStatus(await call('GET', '/orgs', { headers: { authorization: `Bearer ${forged}` } }), 401, 'PGRST301');
  expectStatus(await call('GET', '/orgs', { headers: { authorization: 'Basic abc' } }), 401, 'PGRST301');
});

test('create an org; unknown org 404; not a member 403', async () => {
  const org = expectStatus(await call('POST', '/orgs', { as: alice, body: { name: `Acme ${run}` } }), 201);
  assert.match(org.org_id, /^og_[0-9a-f]{32}$/);
  assert.equal(org.created_by, alice);
  s.org = org.org_id;
  expectStatus(await call('POST', '/orgs', { as: bob, body: { name: `ACME ${run}` } }), 409, '23505');
  expectStatus(await call('POST', '/orgs', { as: bob, body: { name: '' } }), 400, '22023');
  expectStatus(await call('POST', '/orgs', { as: bob, body: {} }), 400, '22004');
  expectStatus(await call('GET', '/orgs/og_00000000000000000000000000000000', { as: alice }), 404, 'PT404');
  expectStatus(await call('GET', `/orgs/${s.org}`, { as: bob }), 403, '42501');
  assert.equal(expectStatus(await call('GET', `/orgs/${s.org}`, { as: alice }), 200).name, `Acme ${run}`);
  // a caller who never signed up is refused like a stranger
  expectStatus(await call('GET', `/orgs/${s.org}`, { as: id('nobody') }), 403, '42501');
});

test('invite, accept, change a role', async () => {
  const inv = expectStatus(await call('POST', `/orgs/${s.org}/invites`, { as: alice, body: { user_id: bob } }), 201);
  assert.equal(inv.status, 'pending');
  assert.equal(inv.invited_by.user_id, alice);
  expectStatus(await call('POST', `/orgs/${s.org}/invites`, { as: alice, body: { user_id: bob } }), 409, '23505');
  expectStatus(await call('POST', `/orgs/${s.org}/invites`, { as: alice, body: { user_id: id('ghost') } }), 404, 'PT404');
  // only the invitee may accept
  expectStatus(await call('POST', `/invites/${inv.invite_id}/accept`, { as: carol }), 403, '42501');
  const joined = expectStatus(await call('POST', `/invites/${inv.invite_id}/accept`, { as: bob }), 200);
  assert.deepEqual(joined.roles, ['user']);
  expectStatus(await call('POST', `/invites/${inv.invite_id}/accept`, { as: bob }), 400, '22023');
  // bob, a plain member, may not invite
  expectStatus(await call('POST', `/orgs/${s.org}/invites`, { as: bob, body: { user_id: carol } }), 403, '42501');
  const promoted = expectStatus(await call('PATCH', `/orgs/${s.org}/users/${bob}`, { as: alice, body: { add_roles: ['admin'] } }), 200);
  assert.deepEqual(promoted.roles, ['user', 'admin']);
  // now bob, an admin, invites carol, who joins
  const inv2 = expectStatus(await call('POST', `/orgs/${s.org}/invites`, { as: bob, body: { user_id: carol } }), 201);
  expectStatus(await call('POST', `/invites/${inv2.invite_id}/accept`, { as: carol }), 200);
  const members = expectStatus(await call('GET', `/orgs/${s.org}/users`, { as: carol }), 200);
  assert.deepEqual(members.map((m) => [m.user.user_id, m.roles]), [[alice, ['owner']], [bob, ['user', 'admin']], [carol, ['user']]]);
  // an admin may not grant owner
  expectStatus(await call('PATCH', `/orgs/${s.org}/users/${carol}`, { as: bob, body: { add_roles: ['owner'] } }), 403, '42501');
  expectStatus(await call('PATCH', `/orgs/${s.org}/users/${carol}`, { as: alice, body: { add_roles: ['superuser'] } }), 400, '22P02');
  expectStatus(await call('PATCH', `/orgs/${s.org}/users/${carol}`, { as: alice, body: {} }), 400, '22023');
});

test('the last owner cannot demote herself: 400, SQLSTATE 23514', async () => {
  const r = expectStatus(await call('PATCH', `/orgs/${s.org}/users/${alice}`,
    { as: alice, body: { add_roles: ['admin'], remove_roles: ['owner'] } }), 400, '23514');
  assert.match(r.message, /owner/);
  expectStatus(await call('DELETE', `/orgs/${s.org}/users/${alice}`, { as: alice }), 400, '23514');
  // still the owner
  const members = expectStatus(await call('GET', `/orgs/${s.org}/users`, { as: alice }), 200);
  assert.deepEqual(members.find((m) => m.user.user_id === alice).roles, ['owner']);
});

test('the app table under row-level security: admins add, members read, others see nothing', async () => {
  expectStatus(await call('POST', `/orgs/${s.org}/notes`, { as: alice, body: { title: 'by alice' } }), 201);
  expectStatus(await call('POST', `/orgs/${s.org}/notes`, { as: bob, body: { title: 'by bob' } }), 201);
  expectStatus(await call('POST', `/orgs/${s.org}/notes`, { as: carol, body: { title: 'by carol' } }), 403, '42501');
  expectStatus(await call('POST', `/orgs/${s.org}/notes`, { body: { title: 'anon' } }), 401, '42501');
  const seen = expectStatus(await call('GET', `/orgs/${s.org}/notes`, { as: carol }), 200);
  assert.deepEqual(seen.map((n) => [n.title, n.created_by]), [['by alice', alice], ['by bob', bob]]);
  assert.deepEqual(expectStatus(await call('GET', `/orgs/${s.org}/notes`, { as: dave }), 200), []);
  assert.deepEqual(expectStatus(await call('GET', `/orgs/${s.org}/notes`), 200), []);
  // dave's own org, with a note of his
  const org2 = expectStatus(await call('POST', '/orgs', { as: dave, body: { name: `Dave Co ${run}` } }), 201);
  s.org2 = org2.org_id;
  expectStatus(await call('POST', `/orgs/${s.org2}/notes`, { as: dave, body: { title: 'by dave' } }), 201);
});

test(`${REQUESTS} concurrent requests of mixed callers: no answer for the wrong caller`, async () => {
  const orgsOf = { [alice]: [s.org], [bob]: [s.org], [carol]: [s.org], [dave]: [s.org2], [null]: null };
  const notesOf = (who, org) => {
    // the table's policy filters rows: the anonymous and non-members read none
    const member = who !== null && orgsOf[who].includes(org);
    return { status: 200, titles: member ? (org === s.org ? ['by alice', 'by bob'] : ['by dave']) : [] };
  };
  const callers = [alice, bob, carol, dave, null];
  // each request: [caller, method, path, check(response) -> true when right]
  const kinds = [
    (who) => ['GET', '/me', (r) => (who === null ? r.status === 401
      : r.status === 200 && r.body.user_id === who && sameIds(r.body.orgs, orgsOf[who]))],
    (who) => ['GET', '/orgs', (r) => (who === null ? r.status === 401 : r.status === 200 && sameIds(r.body, orgsOf[who]))],
    (who) => ['GET', `/orgs/${s.org}`, (r) => r.status === (who === null ? 401 : orgsOf[who].includes(s.org) ? 200 : 403)],
    (who) => ['GET', `/orgs/${s.org2}`, (r) => r.status === (who === null ? 401 : orgsOf[who].includes(s.org2) ? 200 : 403)],
    ...[s.org, s.org2].map((org) => (who) => ['GET', `/orgs/${org}/notes`, (r) => {
      const want = notesOf(who, org);
      return r.status === want.status && (want.status !== 200 || JSON.stringify(r.body.map((n) => n.title)) === JSON.stringify(want.titles));
    }]),
  ];
  function sameIds(orgs, ids) { return JSON.stringify(orgs.map((o) => o.org_id).sort()) === JSON.stringify([...ids].sort()); }
  // tokens signed once per caller
  const tokens = Object.fromEntries(await Promise.all(callers.filter(Boolean).map(async (u) => [u, await token(u)])));
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const wrong = [];
  const statuses = {};
  await Promise.all(Array.from({ length: REQUESTS }, async () => {
    const who = callers[Math.floor(rnd() * callers.length)];
    const [method, path, ok] = kinds[Math.floor(rnd() * kinds.length)](who);
    const res = await fetch(API + path, { method, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
    const text = await res.text();
    const r = { status: res.status, body: text ? JSON.parse(text) : null };
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (!ok(r)) wrong.push({ who, method, path, status: r.status, body: r.body });
  }));
  console.log(`http: ${REQUESTS} concurrent requests, statuses ${JSON.stringify(statuses)}, ${wrong.length} wrong`);
  for (const w of wrong.slice(0, 10)) console.log('WRONG', JSON.stringify(w));
  assert.deepEqual(wrong, []);
});
