# Crash recovery: while clients run a mixed workload (orgs created and
# deleted, invites sent, accepted and declined, roles added and removed,
# members removed), every server process is killed with SIGKILL. After
# restart, every change a client saw committed is there, and the invariants
# hold: every org has an owner, no membership has an empty role set, nothing
# points at a missing org or user, every org and membership has its event,
# the indexes match the tables (amcheck), and the functions still work.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $clients = 3;
my $steps_per_client = 2000;    # an upper bound: the crash comes first
my $events_before_crash = 150;  # workload events to wait for before the crash

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', q{
log_statement = none
deadlock_timeout = 100ms
});
$node->start;

# Users, a few orgs, a tighter free tier, and the workload: one random step
# per call, acting as an owner of a random org (or as the invitee). A step
# returns the ids of the events it wrote: those of this client's role
# (actor_role) in this transaction (created = now()), so a client knows
# exactly which events it saw committed.
$node->safe_psql('postgres', q{
CREATE EXTENSION roboto_orgs;
CREATE EXTENSION amcheck;
SELECT roboto_orgs.create_user('u' || i) FROM generate_series(1, 30) i;
UPDATE roboto_orgs.tier_limits SET max_members = 12 WHERE tier = 'free';
CREATE FUNCTION public.step(r int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o text;
  actor text;
  u text;
  inv text;
  op int := r % 10;
  roles roboto_orgs.org_role_name[] := '{user,admin,owner}';
  role roboto_orgs.org_role_name := roles[1 + r % 3];
  other roboto_orgs.org_role_name := roles[1 + (r / 3 + 1) % 3];
BEGIN
  SELECT org_id INTO o FROM roboto_orgs.orgs ORDER BY random() LIMIT 1;
  IF o IS NULL OR op = 9 THEN
    PERFORM set_config('roboto_orgs.user_id', 'u' || (1 + r % 30), true);
    PERFORM roboto_orgs.create_org('org ' || md5(random()::text));
  ELSE
    SELECT m.user_id INTO actor FROM roboto_orgs.org_members m
     WHERE m.org_id = o AND 'owner' = ANY (m.roles) ORDER BY random() LIMIT 1;
    SELECT m.user_id INTO u FROM roboto_orgs.org_members m
     WHERE m.org_id = o ORDER BY random() LIMIT 1;
    PERFORM set_config('roboto_orgs.user_id', actor, true);
    IF op < 4 THEN
      -- an invite answered at once (op 0, 1: accepted; op 3: declined), or
      -- (op 2) a pending one accepted, else a new one left pending
      SELECT i.invite_id, i.user_id INTO inv, u FROM roboto_orgs.org_invites i
       WHERE i.org_id = o AND i.status = 'pending' AND op = 2 ORDER BY random() LIMIT 1;
      IF inv IS NULL THEN
        SELECT 'u' || i INTO u FROM generate_series(1, 30) i
         WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.org_members m WHERE m.org_id = o AND m.user_id = 'u' || i)
           AND NOT EXISTS (SELECT 1 FROM roboto_orgs.org_invites v
                            WHERE v.org_id = o AND v.user_id = 'u' || i AND v.status = 'pending')
         ORDER BY random() LIMIT 1;
        inv := (roboto_orgs.invite_user(o, u)).invite_id;
        IF op = 2 THEN
          u := NULL;
        END IF;
      END IF;
      IF u IS NOT NULL THEN
        PERFORM set_config('roboto_orgs.user_id', u, true);
        IF op = 3 THEN
          PERFORM roboto_orgs.decline_invite(inv);
        ELSE
          PERFORM roboto_orgs.accept_invite(inv);
        END IF;
      END IF;
    ELSIF op = 4 THEN
      PERFORM roboto_orgs.add_role_for_user(o, u, role);
    ELSIF op = 5 THEN
      PERFORM roboto_orgs.remove_role_from_user(o, u, role);
    ELSIF op = 6 THEN
      PERFORM roboto_orgs.update_org_user(o, u, ARRAY[role], ARRAY[other]);
    ELSIF op = 7 THEN
      PERFORM roboto_orgs.remove_user(o, u);
    ELSIF (SELECT count(*) FROM roboto_orgs.orgs) > 8 THEN
      PERFORM roboto_orgs.delete_org(o);
    ELSE
      PERFORM roboto_orgs.update_org(o, name => 'org ' || md5(random()::text));
    END IF;
  END IF;
  RETURN (SELECT coalesce(string_agg(e.event_id::text, ' ' ORDER BY e.event_id), '')
            FROM roboto_orgs.events e
           WHERE e.actor_role = current_user AND e.created = now());
END;
$$;
});
for my $c (1 .. $clients)
{
	$node->safe_psql('postgres', "CREATE ROLE client$c LOGIN SUPERUSER");
}
# Runs the workload for n steps in one session; failed steps are part of it
sub steps
{
	my ($n) = @_;
	$node->safe_psql('postgres', qq{
DO \$\$
BEGIN
  FOR s IN 1 .. $n LOOP
    BEGIN
      PERFORM public.step((random() * 1000000)::int);
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;
END;
\$\$});
}
steps(40);
my $setup_events = $node->safe_psql('postgres', 'SELECT count(*) FROM roboto_orgs.events');

# Start the clients, each a psql running its own list of steps, printing the
# event ids of every step it saw committed
my $tmp = PostgreSQL::Test::Utils::tempdir;
my @harness;
for my $c (1 .. $clients)
{
	open my $fh, '>', "$tmp/client$c.sql" or die $!;
	print $fh 'SELECT public.step(' . int(rand(1_000_000)) . ");\n" for 1 .. $steps_per_client;
	close $fh;
	push @harness, IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=0', '-v', 'VERBOSITY=verbose', '-d', $node->connstr('postgres') . " user=client$c",
		  '-f', "$tmp/client$c.sql" ],
		'<', \undef, '>', "$tmp/client$c.out", '2>', "$tmp/client$c.err");
}

# Wait for the workload to get going (bounded), then crash
my $target = $setup_events + $events_before_crash;
for (my $waited = 0; $waited < 600; $waited++)
{
	last if $node->safe_psql('postgres', 'SELECT count(*) FROM roboto_orgs.events') >= $target;
	usleep(100_000);
}

# SIGKILL the postmaster and, at once, every process it started, as a
# machine crash would (a postmaster killed alone leaves its backends running)
my ($postmaster) = split /\n/, slurp_file($node->data_dir . '/postmaster.pid');
my @children;
for my $stat (glob '/proc/[0-9]*/stat')
{
	my $line = eval { slurp_file($stat) } or next;
	push @children, $1 if $line =~ /^(\d+) \(.*\) \S (\d+)/ && $2 == $postmaster;
}
my $before_crash = $node->safe_psql('postgres', 'SELECT count(*) FROM roboto_orgs.events');
$node->kill9;
kill 'KILL', @children;
for (my $waited = 0; $waited < 300 && grep { kill 0, $_ } $postmaster, @children; $waited++)
{
	usleep(100_000);
}
ok(!(grep { kill 0, $_ } $postmaster, @children), 'every server process is gone');
note "crashed with $before_crash events, " . scalar(@children) . ' server children killed';

$_->finish for @harness;    # the clients end when they lose the server

$node->start;
ok($node->safe_psql('postgres', 'SELECT 1') eq '1', 'server restarts after the crash');
ok($node->log_contains('database system was interrupted|was not properly shut down'),
	'the restart ran crash recovery');

# Every change a client saw committed survived
my (@acked, $steps_done);
for my $c (1 .. $clients)
{
	for my $line (split /\n/, slurp_file("$tmp/client$c.out"))
	{
		$steps_done++;
		push @acked, split / /, $line;
	}
}
my %failed;
for my $c (1 .. $clients)
{
	my $err = slurp_file("$tmp/client$c.err");
	$failed{$1}++ while $err =~ /ERROR:\s+([0-9A-Z]{5}):/g;
}
note "clients saw $steps_done steps commit, with " . scalar(@acked) . ' events; failed steps by SQLSTATE: '
  . join(', ', map { "$_: $failed{$_}" } sort keys %failed);
cmp_ok(scalar @acked, '>', 0, 'clients saw events committed before the crash');
is( $node->safe_psql('postgres',
		'SELECT count(*) FROM unnest($${' . join(',', @acked) . '}$$::bigint[]) a(id) '
		  . 'WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.events e WHERE e.event_id = a.id)'),
	'0', 'every event a client saw committed is in the log');

# The invariants
my %checks = (
	'every org has an owner' => q{
SELECT count(*) FROM roboto_orgs.orgs o
 WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.org_members m WHERE m.org_id = o.org_id AND 'owner' = ANY (m.roles))},
	'no membership has an empty or repeated role set' => q{
SELECT count(*) FROM roboto_orgs.org_members m
 WHERE cardinality(m.roles) = 0 OR cardinality(m.roles) <> (SELECT count(DISTINCT r) FROM unnest(m.roles) r)},
	'no membership points at a missing org or user' => q{
SELECT count(*) FROM roboto_orgs.org_members m
 WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = m.org_id)
    OR NOT EXISTS (SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = m.user_id)},
	'no invite points at a missing org or user' => q{
SELECT count(*) FROM roboto_orgs.org_invites i
 WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = i.org_id)
    OR NOT EXISTS (SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = i.user_id)},
	'no pending invite for a member, at most one per org and user' => q{
SELECT (SELECT count(*) FROM roboto_orgs.org_invites i JOIN roboto_orgs.org_members m USING (org_id, user_id)
         WHERE i.status = 'pending')
     + (SELECT count(*) FROM (SELECT 1 FROM roboto_orgs.org_invites WHERE status = 'pending'
                               GROUP BY org_id, user_id HAVING count(*) > 1) d)},
	'every org has its org.created event' => q{
SELECT count(*) FROM roboto_orgs.orgs o
 WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.events e WHERE e.org_id = o.org_id AND e.kind = 'org.created')},
	'every membership has its member.joined event' => q{
SELECT count(*) FROM roboto_orgs.org_members m
 WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.events e
                    WHERE e.org_id = m.org_id AND e.subject = m.user_id AND e.kind = 'member.joined')},
	'event ids are unique' => q{
SELECT count(*) - count(DISTINCT event_id) FROM roboto_orgs.events},
	'no org is over its seat limit' => q{
SELECT count(*) FROM roboto_orgs.orgs o JOIN roboto_orgs.tier_limits l USING (tier)
 WHERE (SELECT count(*) FROM roboto_orgs.org_members m WHERE m.org_id = o.org_id)
     + (SELECT count(*) FROM roboto_orgs.org_invites i
         WHERE i.org_id = o.org_id AND i.status = 'pending' AND i.expires > now()) > l.max_members});
for my $name (sort keys %checks)
{
	is($node->safe_psql('postgres', $checks{$name}), '0', $name);
}

# amcheck raises an error for an index that does not match its table
cmp_ok( $node->safe_psql('postgres', q{
SELECT count(*) FROM (
  SELECT bt_index_parent_check(c.oid, true) FROM pg_class c JOIN pg_am a ON a.oid = c.relam
   WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind = 'i' AND a.amname = 'btree') s}),
	'>=', 5, 'every btree index of the extension matches its table (amcheck)');

# The functions still work, and new events follow the old ones
my $max_event = $node->safe_psql('postgres', 'SELECT max(event_id) FROM roboto_orgs.events');
my $org = $node->safe_psql('postgres', q{
SET roboto_orgs.user_id = 'u1';
SELECT org_id FROM roboto_orgs.create_org('after the crash')});
my $inv = $node->safe_psql('postgres',
	"SET roboto_orgs.user_id = 'u1'; SELECT invite_id FROM roboto_orgs.invite_user('$org', 'u2')");
$node->safe_psql('postgres', "SET roboto_orgs.user_id = 'u2'; SELECT roboto_orgs.accept_invite('$inv')");
is( $node->safe_psql('postgres',
		"SELECT string_agg(kind, ',' ORDER BY event_id) FROM roboto_orgs.events WHERE org_id = '$org' AND event_id > $max_event"),
	'org.created,member.joined,invite.sent,invite.accepted,member.joined',
	'functions work after recovery; new events get larger ids');
my ($rc, $out, $err) = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSET roboto_orgs.user_id = 'u1';\nSELECT roboto_orgs.remove_user('$org', 'u1')");
like($err, qr/ERROR:\s+23514:/, 'the last owner still cannot leave');
steps(30);
is($node->safe_psql('postgres', $checks{'every org has an owner'}), '0', 'workload runs on after recovery');

$node->stop;
done_testing();
