-- Sign-up auto-join and tier limits: a full org is skipped, the user is still
-- created, and the event member.join_skipped records why.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
SELECT plan(6);

UPDATE roboto_orgs.tier_limits SET max_members = 2 WHERE tier = 'free';
SELECT roboto_orgs.create_user('ann', 'ann@ajl.example') IS NOT NULL;
SET roboto_orgs.user_id = 'ann';
SELECT org_id AS org FROM roboto_orgs.create_org('AJL', bind_email_domain => true) \gset
RESET roboto_orgs.user_id;

SELECT lives_ok($$SELECT roboto_orgs.create_user('ben', 'ben@ajl.example')$$, 'ben signs up and joins: the second seat');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE org_id = :'org'), 2, 'the org is full');
SELECT lives_ok($$SELECT roboto_orgs.create_user('cat', 'cat@ajl.example')$$,
  'cat signs up although the org is full: the user is created');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE user_id = 'cat'), 0, 'cat joined nothing');
SELECT is((SELECT kind || ' ' || subject || ' ' || (after ->> 'reason') || ' ' || (after ->> 'max_members')
           FROM roboto_orgs.events WHERE org_id = :'org' AND subject = 'cat'),
          'member.join_skipped cat no free seat 2', 'one event member.join_skipped says why');
SELECT is((SELECT count(*)::int FROM roboto_orgs.events WHERE org_id = :'org' AND subject = 'cat'), 1,
          'and only that event for cat');

SELECT * FROM finish();
ROLLBACK;
