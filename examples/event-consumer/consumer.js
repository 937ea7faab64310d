#!/usr/bin/env node
// A webhook consumer of roboto_orgs.event_feed(), exactly once.
//
//   node consumer.js OUTDIR [--once]
//
// Connects with the usual PG* environment variables, as a role that may read
// the feed (the trusted service, or a member of roboto_orgs.event_consumer_role).
// It LISTENs on roboto_orgs_events and, on every notification (and every
// POLL_MS, see below), drains the feed in transactions of up to BATCH events:
//
//   BEGIN
//   SELECT cursor FROM webhook_consumer WHERE name = $1 FOR UPDATE   -- one consumer at a time
//   SELECT * FROM roboto_orgs.event_feed(cursor, BATCH)
//   for each event: deliver it (here: write OUTDIR/<event_id>.json), and
//                   record it in webhook_deliveries (the consumer's own work)
//   UPDATE webhook_consumer SET cursor = <cursor of the last event>
//   COMMIT
//
// The cursor moves in the same transaction as the consumer's own work, so a
// crash anywhere leaves both as they were, and the events are read again.
// The delivery itself (a file here, an HTTP call in a real service) is
// outside the database, so it must be idempotent: a file is written to a
// temporary name and renamed to a name made of the event id, so delivering an
// event again replaces the file with the same content (an HTTP receiver would
// dedupe on the event id, sent as an idempotency key).
//
// Why poll too: the feed holds back events taken after a writer that is
// still running registered, and returns them once that writer ends. A writer
// that commits sends a notification; one that rolls back sends none, so the
// events it held back are picked up by the next poll.
//
// --once: drain what the feed has now and exit (used by the test).
'use strict';

const fs = require('fs');
const path = require('path');
const { Client } = require('pg');

const outdir = process.argv[2];
const once = process.argv.includes('--once');
const name = process.env.CONSUMER_NAME || 'webhooks';
const BATCH = Number(process.env.BATCH || 100);
const POLL_MS = Number(process.env.POLL_MS || 1000);

if (!outdir) {
  console.error('usage: node consumer.js OUTDIR [--once]');
  process.exit(2);
}
fs.mkdirSync(outdir, { recursive: true });

function deliver(event) {
  const file = path.join(outdir, `${event.event_id}.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(event) + '\n');
  fs.renameSync(tmp, file);
}

async function setup(client) {
  await client.query(`CREATE TABLE IF NOT EXISTS webhook_consumer (name text PRIMARY KEY, cursor text)`);
  await client.query(`CREATE TABLE IF NOT EXISTS webhook_deliveries (
      event_id bigint PRIMARY KEY, kind text NOT NULL, org_id text, delivered timestamptz NOT NULL DEFAULT now())`);
  await client.query(`INSERT INTO webhook_consumer (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
}

// One batch in one transaction; returns the number of events delivered
async function drainBatch(client) {
  await client.query('BEGIN');
  try {
    const { rows: [state] } = await client.query(
      'SELECT cursor FROM webhook_consumer WHERE name = $1 FOR UPDATE', [name]);
    const { rows } = await client.query(
      'SELECT * FROM roboto_orgs.event_feed($1, $2)', [state.cursor, BATCH]);
    for (const e of rows) {
      deliver({ event_id: e.event_id, org_id: e.org_id, kind: e.kind, actor: e.actor,
                subject: e.subject, before: e.before_state, after: e.after_state, created: e.created });
      await client.query('INSERT INTO webhook_deliveries (event_id, kind, org_id) VALUES ($1, $2, $3)',
                         [e.event_id, e.kind, e.org_id]);
    }
    if (rows.length > 0) {
      await client.query('UPDATE webhook_consumer SET cursor = $2 WHERE name = $1',
                         [name, rows[rows.length - 1].cursor]);
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

async function drain(client) {
  let total = 0;
  for (;;) {
    const n = await drainBatch(client);
    total += n;
    if (n < BATCH) return total;
  }
}

async function main() {
  const client = new Client();
  await client.connect();
  await setup(client);
  if (once) {
    const n = await drain(client);
    console.log(`delivered ${n} events`);
    await client.end();
    return;
  }

  // Drains run one at a time; a wake-up during a drain asks for one more
  let running = false;
  let again = false;
  let stopping = false;
  async function wake() {
    if (running) { again = true; return; }
    running = true;
    try {
      do {
        again = false;
        const n = await drain(client);
        if (n > 0) console.log(`delivered ${n} events`);
      } while (again && !stopping);
    } catch (err) {
      console.error(`consumer: ${err.message}`);
      process.exitCode = 1;
      stopping = true;
      await client.end().catch(() => {});
      return;
    } finally {
      running = false;
    }
  }

  client.on('notification', () => { wake(); });
  await client.query('LISTEN roboto_orgs_events');
  const timer = setInterval(wake, POLL_MS);
  const stop = async () => {
    stopping = true;
    clearInterval(timer);
    while (running) await new Promise((r) => setTimeout(r, 10));
    await client.end().catch(() => {});
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`consumer "${name}" listening; delivering to ${outdir}`);
  await wake();
}

main().catch((err) => {
  console.error(`consumer: ${err.message}`);
  process.exit(1);
});
