# Dump and restore: a populated database, dumped with pg_dump (plain format
# restored by psql, custom format restored by pg_restore, serially and in
# parallel), comes back whole: every row of every extension table, the ids, the
# event sequence, the grants of an API role, an app table that references
# roboto_orgs.orgs, and the invariants. Rows the install script ships
# (tier_limits) are neither lost nor duplicated.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE ROLE api_user NOLOGIN');

# Runs SQL in a database as the roboto_orgs user $as (undef: as the trusted
# service, i.e. the superuser the tests connect as).
sub as_user
{
	my ($db, $as, $sql) = @_;
	my $set = defined $as ? "SET roboto_orgs.user_id = '$as';\n" : '';
	return $node->safe_psql($db, $set . $sql);
}

# The error of a statement run as $as: its SQLSTATE, or 'ok' when it succeeds
sub sqlstate_of
{
	my ($db, $as, $sql) = @_;
	my ($rc, $out, $err) = $node->psql($db,
		"\\set VERBOSITY verbose\nSET roboto_orgs.user_id = '$as';\n$sql");
	return 'ok' if $rc == 0;
	return $err =~ /ERROR:\s+([0-9A-Z]{5}):/ ? $1 : "unexpected: $err";
}

# Populate: users, orgs, members with various roles, invites in every state,
# events, an edited tier limit, an API role's grants, an app table.
$node->safe_psql('src', q{
CREATE EXTENSION roboto_orgs;
SELECT roboto_orgs.grant_api_access('api_user');
SELECT roboto_orgs.create_user('u' || i, 'u' || i || '@example.com', 'User ' || i)
  FROM generate_series(1, 8) i;
UPDATE roboto_orgs.tier_limits SET max_members = 6 WHERE tier = 'free';
});

my $acme = as_user('src', 'u1', q{SELECT org_id FROM roboto_orgs.create_org('Acme')});
my $beta = as_user('src', 'u2', q{SELECT org_id FROM roboto_orgs.create_org('Beta', data_region => 'eu-west')});
my $gamma = as_user('src', 'u6', q{SELECT org_id FROM roboto_orgs.create_org('Gamma')});
my $delta = as_user('src', 'u7', q{SELECT org_id FROM roboto_orgs.create_org('Delta')});

# Acme: u2, u3 accept; u4 declines; u5 pending; u8 revoked; an expired one
my %inv;
for my $u (qw(u2 u3 u4 u5 u8))
{
	$inv{"acme_$u"} = as_user('src', 'u1',
		"SELECT invite_id FROM roboto_orgs.invite_user('$acme', '$u')");
}
as_user('src', 'u2', "SELECT roboto_orgs.accept_invite('$inv{acme_u2}')");
as_user('src', 'u3', "SELECT roboto_orgs.accept_invite('$inv{acme_u3}')");
as_user('src', 'u4', "SELECT roboto_orgs.decline_invite('$inv{acme_u4}')");
as_user('src', 'u1', "SELECT roboto_orgs.revoke_invite('$inv{acme_u8}')");
as_user('src', 'u1', qq{
SELECT roboto_orgs.add_role_for_user('$acme', 'u2', 'admin');
SELECT roboto_orgs.add_role_for_user('$acme', 'u3', 'owner');
SELECT roboto_orgs.update_org('$acme', name => 'Acme Inc');
});

# Beta: u1 joins as admin; u6 pending, then expired
$inv{beta_u1} = as_user('src', 'u2', "SELECT invite_id FROM roboto_orgs.invite_user('$beta', 'u1')");
as_user('src', 'u1', "SELECT roboto_orgs.accept_invite('$inv{beta_u1}')");
as_user('src', 'u2', "SELECT roboto_orgs.add_role_for_user('$beta', 'u1', 'admin')");
$inv{beta_u6} = as_user('src', 'u2', "SELECT invite_id FROM roboto_orgs.invite_user('$beta', 'u6')");
$node->safe_psql('src',
	"UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 day' WHERE invite_id = '$inv{beta_u6}'");
# inviting again marks the stale invite expired
$inv{beta_u6_again} = as_user('src', 'u2', "SELECT invite_id FROM roboto_orgs.invite_user('$beta', 'u6')");

# Gamma: premium, its member removed again
as_user('src', undef, "SELECT roboto_orgs.set_org_tier('$gamma', 'premium')");
$inv{gamma_u5} = as_user('src', 'u6', "SELECT invite_id FROM roboto_orgs.invite_user('$gamma', 'u5')");
as_user('src', 'u5', "SELECT roboto_orgs.accept_invite('$inv{gamma_u5}')");
as_user('src', 'u6', "SELECT roboto_orgs.remove_user('$gamma', 'u5')");

# Acme binds a domain, verified by the service: users signing up with it join
as_user('src', 'u1', "SELECT roboto_orgs.bind_email_domain('$acme', 'acme.example')");
as_user('src', undef, "SELECT roboto_orgs.verify_email_domain('$acme', 'acme.example')");
as_user('src', undef, q{SELECT roboto_orgs.create_user('a1', 'a1@acme.example'), roboto_orgs.create_user('a2', 'a2@Acme.Example')});
# a2 leaves again: a restore must not bring the user back by the domain
as_user('src', 'a2', "SELECT roboto_orgs.remove_user('$acme', 'a2')");

# Delta: a member, a pending invite, a bound domain (its owner's own, so
# verified at once) that a user joined by, then de-provisioning
as_user('src', undef, q{SELECT roboto_orgs.create_user('d7', 'd7@delta.example')});
$inv{delta_d7} = as_user('src', 'u7', "SELECT invite_id FROM roboto_orgs.invite_user('$delta', 'd7')");
as_user('src', 'd7', "SELECT roboto_orgs.accept_invite('$inv{delta_d7}')");
as_user('src', 'u7', "SELECT roboto_orgs.add_role_for_user('$delta', 'd7', 'admin')");
as_user('src', 'd7', "SELECT roboto_orgs.bind_email_domain('$delta', 'delta.example')");
as_user('src', undef, q{SELECT roboto_orgs.create_user('d8', 'd8@delta.example')});
$inv{delta_u8} = as_user('src', 'u7', "SELECT invite_id FROM roboto_orgs.invite_user('$delta', 'u8')");
as_user('src', 'u8', "SELECT roboto_orgs.accept_invite('$inv{delta_u8}')");
$inv{delta_u1} = as_user('src', 'u7', "SELECT invite_id FROM roboto_orgs.invite_user('$delta', 'u1')");
as_user('src', 'u7', "SELECT roboto_orgs.update_org('$delta', status => 'de-provisioning')");

# A deleted org: its events stay
my $gone = as_user('src', 'u4', q{SELECT org_id FROM roboto_orgs.create_org('Gone')});
as_user('src', 'u4', "SELECT roboto_orgs.delete_org('$gone')");

# An app table referencing the public orgs table
$node->safe_psql('src', qq{
CREATE TABLE public.projects (
  project_id serial PRIMARY KEY,
  org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id),
  name text NOT NULL
);
INSERT INTO public.projects (org_id, name) VALUES
  ('$acme', 'rocket'), ('$acme', 'lander'), ('$beta', 'rover');
});

is( $node->safe_psql('src', q{SELECT count(*) FROM roboto_orgs.org_invites GROUP BY () HAVING count(DISTINCT status) = 5}),
	'12', 'source has invites in every state');
is( $node->safe_psql('src', qq{
SELECT string_agg(org_id || ':' || user_id, ',' ORDER BY org_id = '$acme' DESC, user_id)
  FROM roboto_orgs.org_members WHERE user_id IN ('a1', 'a2', 'd8')}),
	"$acme:a1,$delta:d8", 'users joined by their email domain');

# Every relation of the extension that holds data: its tables and sequences
my $tables_sql = q{
SELECT c.oid::regclass FROM pg_depend d
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'roboto_orgs'
  JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
 WHERE d.deptype = 'e' AND c.relkind IN ('r', 'S')
 ORDER BY 1::text};
my @relations = split /\n/, $node->safe_psql('src', $tables_sql);
cmp_ok(scalar @relations, '>=', 6, 'extension has its tables and sequence');

is( $node->safe_psql('src', qq{
SELECT string_agg(r::text, ',') FROM ($tables_sql) AS t(r)
 WHERE NOT r::regclass = ANY (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'roboto_orgs')}),
	'', 'every extension table and sequence is registered with pg_extension_config_dump');

# A fingerprint of a database: per relation, the row count and the md5 of its
# rows in order; for sequences their state
sub fingerprint
{
	my ($db) = @_;
	my %fp;
	for my $rel (@relations, 'public.projects')
	{
		my $kind = $node->safe_psql($db, "SELECT relkind FROM pg_class WHERE oid = '$rel'::regclass");
		$fp{$rel} = $node->safe_psql($db,
			$kind eq 'S'
			? "SELECT last_value || ':' || is_called FROM $rel"
			: "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM $rel t");
	}
	return \%fp;
}

my $source = fingerprint('src');
my $max_event = $node->safe_psql('src', 'SELECT max(event_id) FROM roboto_orgs.events');
cmp_ok($max_event, '>', 20, 'source has events');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $port = $node->port;
my $host = $node->host;

$node->command_ok([ 'pg_dump', '-h', $host, '-p', $port, '-Fp', '-f', "$tmp/src.sql", 'src' ],
	'pg_dump plain');
$node->command_ok([ 'pg_dump', '-h', $host, '-p', $port, '-Fc', '-f', "$tmp/src.dump", 'src' ],
	'pg_dump custom');

my %restore = (
	plain => [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $host, '-p', $port,
		'-f', "$tmp/src.sql", '-d' ],
	custom => [ 'pg_restore', '--exit-on-error', '--single-transaction', '-h', $host,
		'-p', $port, "$tmp/src.dump", '-d' ],
	parallel => [ 'pg_restore', '--exit-on-error', '-j', '2', '-h', $host, '-p', $port,
		"$tmp/src.dump", '-d' ]);

for my $how (sort keys %restore)
{
	my $db = "restored_$how";
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my ($stdout, $stderr, $ok);
	{
		# pg_dump orders the extension tables' data by their foreign keys, but
		# pg_restore -j loads them in parallel, without that order; with
		# session_replication_role = replica no trigger (foreign keys included)
		# fires while it loads them. See the README, Backup and restore.
		local $ENV{PGOPTIONS} = '-c session_replication_role=replica' if $how eq 'parallel';
		$ok = IPC::Run::run([ @{ $restore{$how} }, $db ], '>', \$stdout, '2>', \$stderr);
	}
	ok($ok, "$how restore succeeds");
	is($stderr, '', "$how restore reports nothing on stderr");

	my $restored = fingerprint($db);
	for my $rel (sort keys %$source)
	{
		is($restored->{$rel}, $source->{$rel}, "$how: $rel restored row for row");
	}

	is( $node->safe_psql($db, q{SELECT count(*) || ' ' || string_agg(tier || '=' || coalesce(max_members::text, 'NULL'), ',' ORDER BY tier) FROM roboto_orgs.tier_limits}),
		'2 free=6,premium=NULL', "$how: shipped tier_limits neither lost nor duplicated, edit kept");

	is( $node->safe_psql($db, q{SELECT has_function_privilege('api_user', 'roboto_orgs.create_org(text, boolean, roboto_orgs.roboto_region)', 'EXECUTE')}),
		't', "$how: the API role's grants are restored");

	is( $node->safe_psql($db, q{SELECT string_agg(user_id, ',' ORDER BY user_id) FROM roboto_orgs.org_members WHERE user_id IN ('a1', 'a2', 'd8')}),
		'a1,d8', "$how: a member who left is not joined again by the email domain");

	# Same ids: the orgs answer by their old ids
	is(as_user($db, 'u1', "SELECT name FROM roboto_orgs.get_org('$acme')"),
		'Acme Inc', "$how: org found by its id");
	is(as_user($db, 'u5', "SELECT status FROM roboto_orgs.get_invite('$inv{acme_u5}')"),
		'pending', "$how: pending invite found by its id");

	# The event sequence continues after the restored events
	my $new = as_user($db, 'u8', "SELECT org_id FROM roboto_orgs.create_org('After $how')");
	is( $node->safe_psql($db,
			"SELECT min(event_id) > $max_event AND count(*) = 2 FROM roboto_orgs.events WHERE org_id = '$new'"),
		't', "$how: new events get ids above the restored ones");
	is($node->safe_psql($db, "SELECT count(*) FROM roboto_orgs.events WHERE event_id <= $max_event"),
		$node->safe_psql('src', 'SELECT count(*) FROM roboto_orgs.events'),
		"$how: old events kept");

	# The invite can still be answered; the events continue
	as_user($db, 'u5', "SELECT roboto_orgs.accept_invite('$inv{acme_u5}')");
	is( $node->safe_psql($db,
			"SELECT kind FROM roboto_orgs.events WHERE event_id > $max_event AND org_id = '$acme' ORDER BY event_id LIMIT 1"),
		'invite.accepted', "$how: accepting a restored invite logs an event");

	# Invariants hold after the restore
	is(sqlstate_of($db, 'u6', "SELECT roboto_orgs.remove_user('$gamma', 'u6')"),
		'23514', "$how: removing the last owner still fails");
	is(sqlstate_of($db, 'u2', "SELECT roboto_orgs.remove_role_from_user('$beta', 'u2', 'owner')"),
		'23514', "$how: demoting the last owner still fails");
	is(sqlstate_of($db, 'u7', "SELECT roboto_orgs.update_org('$delta', name => 'Delta 2')"),
		'22023', "$how: a de-provisioning org stays frozen");
	is(sqlstate_of($db, 'u1', "SELECT roboto_orgs.delete_org('$acme')"),
		'23503', "$how: the app table's foreign key still guards its orgs");
	is( sqlstate_of($db, 'u1', q{SELECT roboto_orgs.create_org('acme inc')}),
		'23505', "$how: org names stay unique");
	is( $node->safe_psql($db, q{
SELECT count(*) FROM roboto_orgs.orgs o
 WHERE NOT EXISTS (SELECT 1 FROM roboto_orgs.org_members m WHERE m.org_id = o.org_id AND 'owner' = ANY (m.roles))}),
		'0', "$how: every org has an owner");
}

# Only a superuser's session with check_function_bodies off counts as a
# restore: an API role turning it off still has its changes logged and its
# tier limits enforced.
my ($rc, $out, $err) = $node->psql('src', qq{
\\set VERBOSITY verbose
SET ROLE api_user;
SET check_function_bodies = off;
SET roboto_orgs.user_id = 'u3';
SELECT org_id AS quiet FROM roboto_orgs.create_org('Quiet') \\gset
SELECT roboto_orgs.invite_user(:'quiet', 'u' || i) FROM generate_series(1, 8) i WHERE i <> 3;
});
like($err, qr/ERROR:\s+23514: org "og_\w+" has no free seat/,
	'an API role with check_function_bodies off still meets the tier limit');
is( $node->safe_psql('src', q{
SELECT string_agg(e.kind, ',' ORDER BY e.event_id) FROM roboto_orgs.events e
  JOIN roboto_orgs.orgs o USING (org_id) WHERE o.name = 'Quiet'}),
	'org.created,member.joined', 'an API role with check_function_bodies off still has its changes logged');

$node->stop;
done_testing();
