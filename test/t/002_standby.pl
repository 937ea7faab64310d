# Streaming replication: changes on the primary reach a hot standby, where
# the read functions and RLS helpers answer exactly as on the primary, and
# every write function fails with SQLSTATE 25006 (read-only transaction)
# without harming the standby.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;

# Before the base backup: the extension and a first org
$primary->safe_psql('postgres', q{
CREATE EXTENSION roboto_orgs;
SELECT roboto_orgs.create_user('u' || i, 'u' || i || '@example.com') FROM generate_series(1, 5) i;
SET roboto_orgs.user_id = 'u1';
SELECT roboto_orgs.create_org('Acme');
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# Runs SQL as the roboto_orgs user $as (undef: the trusted service)
sub as_user
{
	my ($node, $as, $sql) = @_;
	my $set = defined $as ? "SET roboto_orgs.user_id = '$as';\n" : '';
	return $node->safe_psql('postgres', $set . $sql);
}

# After the standby is up: more changes, streamed
my $acme = as_user($primary, 'u1', q{SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Acme'});
my $inv2 = as_user($primary, 'u1', "SELECT invite_id FROM roboto_orgs.invite_user('$acme', 'u2')");
my $inv3 = as_user($primary, 'u1', "SELECT invite_id FROM roboto_orgs.invite_user('$acme', 'u3')");
my $inv4 = as_user($primary, 'u1', "SELECT invite_id FROM roboto_orgs.invite_user('$acme', 'u4')");
as_user($primary, 'u2', "SELECT roboto_orgs.accept_invite('$inv2')");
as_user($primary, 'u4', "SELECT roboto_orgs.decline_invite('$inv4')");
as_user($primary, 'u1', "SELECT roboto_orgs.add_role_for_user('$acme', 'u2', 'admin')");
my $beta = as_user($primary, 'u2', q{SELECT org_id FROM roboto_orgs.create_org('Beta', data_region => 'eu-west')});
my $inv5 = as_user($primary, 'u2', "SELECT invite_id FROM roboto_orgs.invite_user('$beta', 'u5')");
as_user($primary, 'u2', "SELECT roboto_orgs.invite_user('$beta', 'u4')");
# a bound, verified email domain and one waiting for verification
as_user($primary, 'u1', "SELECT roboto_orgs.bind_email_domain('$acme', 'acme.example')");
as_user($primary, undef, "SELECT roboto_orgs.verify_email_domain('$acme', 'acme.example')");
as_user($primary, 'u2', "SELECT roboto_orgs.bind_email_domain('$beta', 'beta.example')");
# an expired invite: read functions show it as expired without writing
$primary->safe_psql('postgres',
	"UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 hour' WHERE invite_id = '$inv5'");

$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');

# Which optional functions this build has
my %has = map { $_ => 1 } split /\n/, $primary->safe_psql('postgres', q{
SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'roboto_orgs'::regnamespace});

# Read functions and RLS helpers: [caller, query]
my @reads = (
	[ 'u1', "SELECT * FROM roboto_orgs.get_org('$acme')" ],
	[ 'u2', "SELECT * FROM roboto_orgs.get_org('$beta')" ],
	[ 'u1', 'SELECT * FROM roboto_orgs.orgs_for_self()' ],
	[ 'u2', 'SELECT * FROM roboto_orgs.orgs_for_self()' ],
	[ 'u2', q{SELECT * FROM roboto_orgs.orgs_for_user('u2')} ],
	[ undef, q{SELECT * FROM roboto_orgs.orgs_for_user('u1')} ],
	[ 'u1', "SELECT * FROM roboto_orgs.org_users('$acme')" ],
	[ 'u1', "SELECT * FROM roboto_orgs.org_invites('$acme')" ],
	[ 'u2', "SELECT * FROM roboto_orgs.org_invites('$beta')" ],
	[ 'u3', "SELECT * FROM roboto_orgs.get_invite('$inv3')" ],
	[ 'u5', "SELECT * FROM roboto_orgs.get_invite('$inv5')" ],
	[ 'u1', "SELECT * FROM roboto_orgs.get_invite('$inv4')" ],
	[ 'u1', "SELECT event_id, kind, subject, actor FROM roboto_orgs.org_events('$acme')" ],
	[ undef, "SELECT event_id, kind, subject, actor FROM roboto_orgs.org_events('$beta', 0, 5)" ],
	[ 'u1', "SELECT roboto_orgs.is_member('$acme'), roboto_orgs.is_member('$beta'), roboto_orgs.is_member('og_none')" ],
	[ 'u2', "SELECT r, roboto_orgs.has_role('$acme', r), roboto_orgs.has_role('$beta', r) FROM unnest(enum_range(NULL::roboto_orgs.org_role_name)) r" ],
	[ undef, 'SELECT roboto_orgs.caller_id(), roboto_orgs.is_trusted_service()' ],
	[ 'u3', 'SELECT roboto_orgs.caller_id()' ]);
push @reads, [ 'u1', 'SELECT * FROM roboto_orgs.caller_org_ids() ORDER BY 1' ]
  if $has{caller_org_ids};
push @reads, [ 'u3', 'SELECT * FROM roboto_orgs.invites_for_self()' ]
  if $has{invites_for_self};
push @reads, [ 'u1', "SELECT * FROM roboto_orgs.email_domains('$acme')" ],
  [ 'u2', "SELECT * FROM roboto_orgs.email_domain_bindings('$beta')" ]
  if $has{email_domains};

for my $r (@reads)
{
	my ($as, $sql) = @$r;
	my $on_primary = as_user($primary, $as, $sql);
	my $on_standby = as_user($standby, $as, $sql);
	isnt($on_primary, '', "primary answers: $sql");
	is($on_standby, $on_primary, 'standby answers the same as ' . ($as // 'the service') . ": $sql");
}

# The SQLSTATE of a statement run on the standby as $as; 'ok' if it succeeds
sub standby_sqlstate
{
	my ($as, $sql) = @_;
	my $set = defined $as ? "SET roboto_orgs.user_id = '$as';\n" : '';
	my ($rc, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$set$sql");
	return 'ok' if $rc == 0;
	return $err =~ /ERROR:\s+([0-9A-Z]{5}):/ ? $1 : "unexpected: $err";
}

# Write functions, called by someone allowed to make the change
my @writes = (
	[ undef, q{SELECT roboto_orgs.create_user('u9')} ],
	[ 'u3', q{SELECT roboto_orgs.create_org('Gamma')} ],
	[ 'u1', "SELECT roboto_orgs.update_org('$acme', name => 'Acme 2')" ],
	[ 'u1', "SELECT roboto_orgs.update_org('$acme', status => 'de-provisioning')" ],
	[ 'u1', "SELECT roboto_orgs.add_role_for_user('$acme', 'u2', 'owner')" ],
	[ 'u1', "SELECT roboto_orgs.remove_role_from_user('$acme', 'u2', 'admin')" ],
	[ 'u1', "SELECT roboto_orgs.update_org_user('$acme', 'u2', add_roles => '{owner}')" ],
	[ 'u1', "SELECT roboto_orgs.modify_role_for_user('$acme', 'u2', 'user')" ],
	[ 'u2', "SELECT roboto_orgs.remove_user('$acme', 'u2')" ],
	[ 'u1', "SELECT roboto_orgs.invite_user('$acme', 'u5')" ],
	[ 'u3', "SELECT roboto_orgs.accept_invite('$inv3')" ],
	[ 'u3', "SELECT roboto_orgs.decline_invite('$inv3')" ],
	[ 'u1', "SELECT roboto_orgs.revoke_invite('$inv3')" ],
	[ undef, "SELECT roboto_orgs.set_org_tier('$acme', 'premium')" ],
	[ 'u2', "SELECT roboto_orgs.delete_org('$beta')" ]);
push @writes, [ 'u1', "SELECT roboto_orgs.bind_email_domain('$acme', 'acme2.example')" ],
  [ undef, "SELECT roboto_orgs.verify_email_domain('$beta', 'beta.example')" ],
  [ 'u1', "SELECT roboto_orgs.unbind_email_domain('$acme', 'acme.example')" ]
  if $has{bind_email_domain};

for my $w (@writes)
{
	my ($as, $sql) = @$w;
	is(standby_sqlstate($as, $sql), '25006', "standby refuses with 25006: $sql");
}

# The standby is still up, still replaying, and nothing was written
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby still up after the refused writes');
ok(!$standby->log_contains('server process .* was terminated|PANIC|TRAP'), 'no backend crashed on the standby');

as_user($primary, 'u3', "SELECT roboto_orgs.accept_invite('$inv3')");
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
is( as_user($standby, 'u3', "SELECT string_agg((u.\"user\").user_id, ',' ORDER BY (u.\"user\").user_id) FROM roboto_orgs.org_users('$acme') u"),
	'u1,u2,u3', 'a later change reaches the standby');
is( $standby->safe_psql('postgres', 'SELECT count(*) FROM roboto_orgs.events'),
	$primary->safe_psql('postgres', 'SELECT count(*) FROM roboto_orgs.events'),
	'the standby has the same events as the primary');

$standby->stop;
$primary->stop;
done_testing();
