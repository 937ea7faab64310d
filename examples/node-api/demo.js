// A few requests to examples/node-api, printed as they go (scripts/demo-node.sh
// starts pgbouncer and the service first). Reads API_URL, JWT_SECRET, ADMIN_SECRET.
import { SignJWT } from 'jose';

const api = process.env.API_URL;
const key = new TextEncoder().encode(process.env.JWT_SECRET);
const token = (sub) => new SignJWT({ role: 'authenticated' })
  .setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('5m').sign(key);

async function req(method, path, as, body, headers = {}) {
  const h = { ...headers };
  if (as) h.authorization = `Bearer ${await token(as)}`;
  if (body) h['content-type'] = 'application/json';
  const res = await fetch(api + path, { method, headers: h, body: body && JSON.stringify(body) });
  const text = await res.text();
  const answer = text ? JSON.parse(text) : null;
  const shown = !answer ? '' :
    answer.code ? `${answer.code}: ${answer.message}` :
    answer.roles ? `member ${answer.user.user_id} of "${answer.org.name}", roles ${JSON.stringify(answer.roles)}` :
    answer.invite_id ? `invite ${answer.invite_id} for ${answer.user_id}, ${answer.status}` :
    JSON.stringify(answer);
  console.log(`${method} ${path}${body ? ' ' + JSON.stringify(body) : ''}  (${as ?? (headers['x-admin-secret'] ? 'sign-up service' : 'no token')})`);
  console.log(`  -> ${res.status} ${shown.length > 150 ? shown.slice(0, 147) + '...' : shown}`);
  return answer;
}

const admin = { 'x-admin-secret': process.env.ADMIN_SECRET };
await req('POST', '/admin/users', null, { user_id: 'alice', email: 'alice@acme.example' }, admin);
await req('POST', '/admin/users', null, { user_id: 'bob', email: 'bob@example.org' }, admin);
const org = await req('POST', '/orgs', 'alice', { name: 'Acme Robotics' });
await req('GET', `/orgs/${org.org_id}`, 'bob');
await req('GET', '/orgs', null);
const invite = await req('POST', `/orgs/${org.org_id}/invites`, 'alice', { user_id: 'bob' });
await req('POST', `/invites/${invite.invite_id}/accept`, 'bob');
await req('PATCH', `/orgs/${org.org_id}/users/bob`, 'alice', { add_roles: ['admin'] });
await req('POST', `/orgs/${org.org_id}/notes`, 'bob', { title: 'field test 1' });
await req('GET', `/orgs/${org.org_id}/notes`, 'alice');
await req('PATCH', `/orgs/${org.org_id}/users/alice`, 'alice', { add_roles: ['admin'], remove_roles: ['owner'] });
await req('GET', '/orgs/og_00000000000000000000000000000000', 'alice');
await req('GET', '/me', 'bob');
