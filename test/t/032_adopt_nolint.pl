# 032_adopt_nolint.pl — adoption does not lint what it stamps.  A database
# built by hand has the objects of revisions n1..n3; the folder has n1..n4,
# where n1..n3 would each be L015 (object exists) and n4 is pending with an
# L004 finding.  `pgmig baseline n3` and `pgmig import-history` push and
# stamp in one transaction and tell the upload what they stamp
# (mig_upload_batch's stamp_targets), so:
#   - no L015 for n1..n3, but n4 is still linted (its WARNING is shown);
#   - under lint policy 'error' the adoption succeeds, n4 alone is refused,
#     and n4 in the same push refuses the whole adoption (it would run
#     later), leaving nothing stored;
#   - against a 0.5 server the client still adopts, linting as before.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('adopt_nolint');
$node->init;
$node->start;
delete $ENV{PGAPPNAME};

# the objects of n1..n3, made by hand
my $schema = 'CREATE TABLE nl_a (id int); CREATE TABLE nl_b (id int); CREATE TABLE nl_c (id int);';

# a folder of n1..n3, and n4 when asked
sub folder
{
	my ($with_n4) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir;
	write_migration($dir, 'n1', [], 'CREATE TABLE nl_a (id int);');
	write_migration($dir, 'n2', ['n1'], 'CREATE TABLE nl_b (id int);');
	write_migration($dir, 'n3', ['n2'], 'CREATE TABLE nl_c (id int);');
	write_migration($dir, 'n4', ['n3'], 'CREATE INDEX nl_c_id ON nl_c (id);') if $with_n4;
	return $dir;
}

# a database with the hand-made schema and pgmig installed by `pgmig init`
sub adopted_db
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, $schema);
	my ($rc, $out, $err) = pgmig($node, $db, 'init');
	is($rc, 0, "$db: init") or diag("$out\n$err");
}

# the applied set as "rev:how,..."
sub applied
{
	my ($db) = @_;
	return $node->safe_psql($db,
		"SELECT coalesce(string_agg(revision || ':' || how, ',' ORDER BY revision), '') FROM pgmig.applied");
}

my ($rc, $out, $err);

# 1. baseline, policy 'warn' (the default)
my $dir4 = folder(1);
adopted_db('adopt_warn');
($rc, $out, $err) = pgmig($node, 'adopt_warn', '--dir', $dir4, 'baseline', 'n3');
is($rc, 0, 'baseline n3') or diag("$out\n$err");
unlike($err, qr/L015/, 'baseline: no "object exists" warning for the stamped n1..n3') or diag($err);
like($err, qr{n4\.sql:3: warning: .*L004}, 'baseline: the pending n4 is linted and warned about') or diag($err);
is(applied('adopt_warn'), 'n1:stamp,n2:stamp,n3:stamp', 'baseline: n1..n3 stamped');
is($node->safe_psql('adopt_warn',
		"SELECT string_agg(revision || '=' || coalesce(message, '-'), ',' ORDER BY revision) "
		  . "FROM pgmig.mig_history() WHERE kind = 'upload'"),
	'n1=not linted: stamped as applied in the same transaction,'
	  . 'n2=not linted: stamped as applied in the same transaction,'
	  . 'n3=not linted: stamped as applied in the same transaction,n4=-',
	'baseline: the history says which revisions were not linted');
($rc, $out, $err) = pgmig($node, 'adopt_warn', '--dir', $dir4, 'up');
is($rc, 0, 'up applies n4') or diag("$out\n$err");
is(applied('adopt_warn'), 'n1:stamp,n2:stamp,n3:stamp,n4:apply', 'n4 applied');

# 2. baseline, policy 'error': the adoption succeeds, n4 alone is refused
my $dir3 = folder(0);
adopted_db('adopt_err');
$node->safe_psql('adopt_err', "SELECT pgmig.mig_set_policy('default', lint => 'error')");
($rc, $out, $err) = pgmig($node, 'adopt_err', '--dir', $dir3, 'baseline', 'n3');
is($rc, 0, 'policy error: baseline n3 succeeds') or diag("$out\n$err");
unlike($err, qr/WARNING|L015/, 'policy error: without a finding') or diag($err);
is(applied('adopt_err'), 'n1:stamp,n2:stamp,n3:stamp', 'policy error: n1..n3 stamped');
write_migration($dir3, 'n4', ['n3'], 'CREATE INDEX nl_c_id ON nl_c (id);');
($rc, $out, $err) = pgmig($node, 'adopt_err', '--dir', $dir3, 'push');
is($rc, 1, 'policy error: n4 alone is refused');
like($err, qr/PM042/, 'policy error: with PM042') or diag($err);
like($err, qr{/n4\.sql:\d+: CREATE INDEX}, 'policy error: naming n4 (its file and line)') or diag($err);

# 3. baseline, policy 'error', n4 in the same push: n4 would run later, so its
# finding refuses the push, and the baseline with it; nothing is stored
adopted_db('adopt_err4');
$node->safe_psql('adopt_err4', "SELECT pgmig.mig_set_policy('default', lint => 'error')");
($rc, $out, $err) = pgmig($node, 'adopt_err4', '--dir', $dir4, 'baseline', 'n3');
is($rc, 1, 'policy error, n4 pending: baseline refused');
like($err, qr/PM042/, 'policy error, n4 pending: with PM042') or diag($err);
like($err, qr{/n4\.sql:\d+: CREATE INDEX}, 'policy error, n4 pending: naming n4, not n1..n3') or diag($err);
is($node->safe_psql('adopt_err4', 'SELECT count(*) FROM pgmig.revision'), '0',
	'policy error, n4 pending: nothing stored');
is(applied('adopt_err4'), '', 'policy error, n4 pending: nothing stamped');

# 4. import-history from Flyway: V1..V3 recorded as applied, V4 pending
sub flyway_source
{
	my ($with_v4) = @_;
	my $src = PostgreSQL::Test::Utils::tempdir;
	my %files = (
		'V1__Create_a.sql' => 'CREATE TABLE nl_a (id int);',
		'V2__Create_b.sql' => 'CREATE TABLE nl_b (id int);',
		'V3__Create_c.sql' => 'CREATE TABLE nl_c (id int);');
	$files{'V4__Index_c.sql'} = 'CREATE INDEX nl_c_id ON nl_c (id);' if $with_v4;
	for my $f (keys %files)
	{
		open(my $fh, '>', "$src/$f") or die "$src/$f: $!";
		print $fh "$files{$f}\n";
		close($fh);
	}
	return $src;
}

# a database adopted from Flyway: schema by hand, its history table, the
# folder imported; returns (folder, source)
sub flyway_db
{
	my ($db, $with_v4, $policy) = @_;
	my $src = flyway_source($with_v4);
	my $dir = PostgreSQL::Test::Utils::tempdir . '/pgmig';
	adopted_db($db);
	$node->safe_psql($db, "SELECT pgmig.mig_set_policy('default', lint => '$policy')") if $policy;
	$node->safe_psql($db,
		'CREATE TABLE flyway_schema_history (installed_rank int, version text, description text, '
		  . 'type text, script text, checksum int, installed_by text, installed_on timestamp DEFAULT now(), '
		  . 'execution_time int, success boolean)');
	$node->safe_psql($db,
		"INSERT INTO flyway_schema_history VALUES ($_, '$_', 'x', 'SQL', 'x', 0, 'ci', now(), 1, true)")
	  for 1 .. 3;
	my ($irc, $iout, $ierr) = pgmig($node, $db, '--dir', $dir, 'import', '--from', 'flyway', $src);
	is($irc, 0, "$db: import") or diag("$iout\n$ierr");
	return ($dir, $src);
}

my ($hdir, $hsrc) = flyway_db('hist_warn', 1);
($rc, $out, $err) = pgmig($node, 'hist_warn', '--dir', $hdir, 'import-history', '--from', 'flyway', $hsrc);
is($rc, 0, 'import-history') or diag("$out\n$err");
unlike($err, qr/L015/, 'import-history: no "object exists" warning for the stamped revisions') or diag($err);
like($err, qr{v4_index_c\.sql:\d+: warning: .*L004}, 'import-history: the pending V4 is linted') or diag($err);
is(applied('hist_warn'), 'v1_create_a:stamp,v2_create_b:stamp,v3_create_c:stamp', 'import-history: V1..V3 stamped');

($hdir, $hsrc) = flyway_db('hist_err', 0, 'error');
($rc, $out, $err) = pgmig($node, 'hist_err', '--dir', $hdir, 'import-history', '--from', 'flyway', $hsrc);
is($rc, 0, 'policy error: import-history succeeds') or diag("$out\n$err");
is(applied('hist_err'), 'v1_create_a:stamp,v2_create_b:stamp,v3_create_c:stamp', 'policy error: V1..V3 stamped');

($hdir, $hsrc) = flyway_db('hist_err4', 1, 'error');
($rc, $out, $err) = pgmig($node, 'hist_err4', '--dir', $hdir, 'import-history', '--from', 'flyway', $hsrc);
is($rc, 1, 'policy error, V4 pending: import-history refused');
like($err, qr/PM042/, 'policy error, V4 pending: with PM042') or diag($err);
like($err, qr{/v4_index_c\.sql:\d+: CREATE INDEX}, 'policy error, V4 pending: naming V4') or diag($err);
is($node->safe_psql('hist_err4', 'SELECT count(*) FROM pgmig.revision'), '0',
	'policy error, V4 pending: nothing stored');
is(applied('hist_err4'), '', 'policy error, V4 pending: nothing stamped');

# 5. a 0.5 server (no stamp_targets): the client adopts as before, linting
# every revision it pushes
$node->safe_psql('postgres', 'CREATE DATABASE old_server');
$node->safe_psql('old_server', $schema);
$node->safe_psql('old_server', "CREATE EXTENSION pgmig VERSION '0.5'");
($rc, $out, $err) = pgmig($node, 'old_server', '--dir', $dir4, 'stamp', '--check-schema', 'n3');
is($rc, 1, '0.5 server: stamp --check-schema, asked for, is an error') or diag("$out\n$err");
like($err, qr/the server's pgmig predates mig_schema \(0\.8\).*\n.*HINT:.*pgmig init/s, '... saying why and what to do')
	or diag($err);
($rc, $out, $err) = pgmig($node, 'old_server', '--dir', $dir4, 'baseline', 'n3');
is($rc, 0, '0.5 server: baseline n3') or diag("$out\n$err");
like($err, qr/warning: the server's pgmig predates mig_schema \(0\.8\): baseline does not compare the schema/,
	'0.5 server: baseline, whose check is its default, goes on unchecked and says so') or diag($err);
like($err, qr{n1\.sql:\d+: warning: .*L015}, '0.5 server: the stamped revisions are linted, as before') or diag($err);
is(applied('old_server'), 'n1:stamp,n2:stamp,n3:stamp', '0.5 server: n1..n3 stamped');
is($node->safe_psql('old_server', "SELECT extversion FROM pg_extension WHERE extname = 'pgmig'"), '0.5',
	'0.5 server: still 0.5');

unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
$node->stop;
done_testing();
