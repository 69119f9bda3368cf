# 026_client_encoding_path.pl — text arrives as written, and the client's own
# SQL cannot be captured (issue 14, items 7 and 8).
#
# 1. Encodings.  In databases of encoding LATIN1, WIN1252, SQL_ASCII and
#    EUC_JP: `pgmig init`; `pgmig up` of a UTF-8 file whose body and message
#    hold non-ASCII text; the text stored is the file's (read back as UTF-8,
#    byte for byte); `verify` is ok (server and client checksums agree); a
#    second `up` uploads nothing (the sync digests agree, message included).
#    A character the encoding lacks is refused with the file, line and
#    character (22P05), one the encoding would store as another character
#    (EUC_JP: U+00A6 comes back as U+FFE4) is refused with the line (PM024);
#    nothing is uploaded either way.  Before, the client did not set
#    client_encoding (LATIN1 stored "cafÃ©") and the server hashed its own
#    encoding's bytes (verify then reported the revision changed).
# 2. A hostile search_path.  A non-superuser who owns the database fills
#    schema evil with traps (test/corpus/hostile/traps.sql: every pg_catalog
#    function SQL can declare, operators, type names as domains, a view named
#    like Flyway's history table) and sets ALTER DATABASE ... SET search_path
#    = evil, pg_catalog.  The superuser then runs every verb that talks to
#    the database (init, push, up with a non-transactional revision, status,
#    heads, current, history, plan, verify, lint, test, drift, snapshot, down,
#    stamp, baseline, import-history): the canary stays empty and the owner
#    gains nothing.  import-history refuses the attacker's view, then reads
#    the real table when named.
# 3. An upgrade from 0.4 in a LATIN1 database.  0.4 hashed the database's
#    bytes: a revision uploaded and applied under 0.4 with non-ASCII text,
#    and one uploaded but pending, have checksums that are not the file's
#    (the library is this one, which serves 0.4's SQL too: the test writes
#    those checksums as 0.4's library did).
#    ALTER EXTENSION pgmig UPDATE computes them again over UTF-8 (stored and
#    applied checksums alike): `verify` of the same files is then ok, and
#    `up` applies the pending one.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('encoding');
$node->init;
$node->start;
my $src = $ENV{PGMIG_SOURCE} // '.';
my $tmp = PostgreSQL::Test::Utils::tempdir;

# Runs the client against database $db: (exit code, stdout, stderr).
sub client
{
	my ($db, @args) = @_;
	return pgmig($node, $db, @args);
}

# The bytes of a string as hex.
sub hex_of { return unpack('H*', $_[0]); }

# 1. Encodings.  Perl holds the file texts as bytes (UTF-8).
my %cases = (
	LATIN1 => { text => "caf\xc3\xa9", missing => "\xe2\x82\xac" },       # é; €
	WIN1252 => { text => "caf\xc3\xa9 \xe2\x82\xac", missing => "\xce\xa9" }, # é €; Ω
	SQL_ASCII => { text => "caf\xc3\xa9 \xe2\x82\xac \xce\xa9" },
	EUC_JP => { text => "\xe3\x82\xab\xe3\x83\x95\xe3\x82\xa7", missing => "\xc2\xa2", changes => "\xc2\xa6" },
);
for my $enc (sort keys %cases)
{
	my $c = $cases{$enc};
	my $db = lc("enc_$enc");
	$node->safe_psql('postgres',
		"CREATE DATABASE $db TEMPLATE template0 ENCODING '$enc' LC_COLLATE 'C' LC_CTYPE 'C'");
	my ($rc, $out, $err) = client($db, 'init');
	is($rc, 0, "$enc: init") or diag $err;
	my $dir = "$tmp/$enc";
	write_migration($dir, 'e1', [], "CREATE TABLE t (s text);\nINSERT INTO t VALUES ('$c->{text}');",
		'DROP TABLE t;', message => "text $c->{text}");
	($rc, $out, $err) = client($db, '--dir', $dir, 'up');
	is($rc, 0, "$enc: up") or diag $err;
	is($node->safe_psql($db, q{SELECT encode(convert_to(s, 'UTF8'), 'hex') FROM t}), hex_of($c->{text}),
		"$enc: the text stored is the file's");
	is($node->safe_psql($db, q{SELECT encode(convert_to(message, 'UTF8'), 'hex') FROM pgmig.revision}),
		hex_of("text $c->{text}"), "$enc: the message too");
	($rc, $out, $err) = client($db, '--dir', $dir, 'verify');
	is($rc, 0, "$enc: verify is ok") or diag "$out\n$err";
	($rc, $out, $err) = client($db, '--dir', $dir, '--json', 'up');
	my $doc = decode_json_ok($out);
	ok($doc && !$doc->{push}{uploaded}, "$enc: a second up uploads nothing (digests agree)") or diag $out;
	if ($c->{missing})
	{
		write_migration($dir, 'e2', ['e1'], "INSERT INTO t VALUES ('ok');\nINSERT INTO t VALUES ('x $c->{missing}');");
		($rc, $out, $err) = client($db, '--dir', $dir, 'up');
		is($rc, 1, "$enc: a character the encoding lacks is refused");
		like($err, qr{\Q$dir\E/e2\.sql:4: the up body of revision e2 has the character "\Q$c->{missing}\E", which the database's encoding $enc cannot represent},
			"$enc: ... naming file, line and character") or diag $err;
		is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.revision'), '1', "$enc: nothing uploaded");
	}
	if ($c->{changes})
	{
		write_migration($dir, 'e2', ['e1'], "INSERT INTO t VALUES ('ok');\nINSERT INTO t VALUES ('x $c->{changes}');");
		($rc, $out, $err) = client($db, '--dir', $dir, 'up');
		is($rc, 1, "$enc: a character the encoding would change is refused");
		like($err, qr{\Q$dir\E/e2\.sql:4: revision "e2": its up body would not be stored as written}, "$enc: ... at its line")
		  or diag $err;
		like($err, qr/SQLSTATE: PM024/, "$enc: PM024") or diag $err;
		is($node->safe_psql($db, 'SELECT count(*) FROM pgmig.revision'), '1', "$enc: nothing uploaded");
	}
}

# 2. A hostile search_path.
$node->safe_psql('postgres', 'CREATE ROLE hp_owner LOGIN');
$node->safe_psql('postgres', 'CREATE DATABASE hp OWNER hp_owner');
my ($rc, $out, $err) = client('hp', 'init');
is($rc, 0, 'hostile: init before the traps') or diag $err;
$node->safe_psql('hp', 'SET ROLE hp_owner; CREATE SCHEMA evil;');
($rc, $out, $err) = $node->psql('hp', undef, extra_params => [ '-v', 'ON_ERROR_STOP=1', '-c', 'SET ROLE hp_owner',
	'-f', "$src/test/corpus/hostile/traps.sql" ]);
is($rc, 0, 'the database owner sets its traps') or diag $err;
$node->safe_psql('hp', 'SET ROLE hp_owner; ALTER DATABASE hp SET search_path = evil, pg_catalog;');
# a real Flyway history table, behind the attacker's view of the same name
$node->safe_psql('hp', q{SET search_path = pg_catalog;
	CREATE TABLE public.flyway_schema_history (installed_rank int, version varchar, description varchar, success bool);
	INSERT INTO public.flyway_schema_history VALUES (1, '1', 'init', true);});
my $traps = $node->safe_psql('hp', q{SET search_path = pg_catalog;
	SELECT count(*) FILTER (WHERE made <> 'not possible') FROM evil.trap_log});
cmp_ok($traps, '>', 2000, "the traps are set ($traps)");
diag "figure: hostile_traps = $traps";

my $dir = "$tmp/hostile";
write_migration($dir, 'h1', [], 'CREATE TABLE public.hp_t (id integer);', 'DROP TABLE public.hp_t;');
write_migration($dir, 'h2', ['h1'], 'CREATE INDEX CONCURRENTLY hp_idx ON public.hp_t (id);',
	'DROP INDEX CONCURRENTLY public.hp_idx;');
my $fly = "$tmp/flyway";
mkdir $fly;
open(my $fh, '>', "$fly/V1__init.sql") or die;
print $fh "CREATE TABLE public.hp_f (id integer);\n";
close $fh;

my @runs = (
	[ 'init' ], [ 'push' ], [ 'up' ], [ 'status' ], [ 'heads' ], [ 'current' ], [ 'history' ], [ 'plan' ],
	[ 'verify' ], [ 'lint' ], [ 'test' ], [ 'drift' ], [ 'snapshot' ], [ 'down', '-1' ], [ 'down', 'base' ],
	[ 'up' ], [ 'stamp', 'base' ], [ 'stamp', 'h2' ], [ '--project', 'adopt', 'baseline', 'h1', '--accept', 'schema evil', '--accept',
	  'table public.flyway_schema_history', '--accept', 'public.hp_idx' ],
);
my $canary = q{SET search_path = pg_catalog; SELECT count(*) FROM evil.canary};
my $owner = q{SET search_path = pg_catalog; SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = 'hp_owner'};
$node->safe_psql('hp', 'SET search_path = pg_catalog; TRUNCATE evil.canary;');
for my $r (@runs)
{
	($rc, $out, $err) = client('hp', '--dir', $dir, @$r);
	my $what = join(' ', @$r);
	is($rc, 0, "hostile: $what exits 0") or diag "$out\n$err";
	is($node->safe_psql('hp', $canary), '0', "hostile: $what fired no trap");
}
($rc, $out, $err) = client('hp', '--dir', "$tmp/flyway_pgmig", 'import', '--from', 'flyway', $fly);
is($rc, 0, 'hostile: import (no database)') or diag $err;
($rc, $out, $err) = client('hp', '--dir', "$tmp/flyway_pgmig", '--project', 'fly', 'import-history', '--from',
	'flyway', $fly);
is($rc, 1, 'hostile: import-history refuses the attacker\'s view');
like($err, qr/flyway_schema_history is evil\.flyway_schema_history, which is not a table/, '... naming it') or diag $err;
is($node->safe_psql('hp', $canary), '0', 'hostile: reading nothing of it');
($rc, $out, $err) = client('hp', '--dir', "$tmp/flyway_pgmig", '--project', 'fly', 'import-history', '--from',
	'flyway', '--table', 'public.flyway_schema_history', $fly);
is($rc, 0, 'hostile: import-history of the real table') or diag $err;
is($node->safe_psql('hp', $canary), '0', 'hostile: import-history fired no trap');
is($node->safe_psql('hp', $owner), 'f', 'the owner gained no attribute');
diag "figure: hostile_verbs_run = " . (scalar(@runs) + 3);
diag "figure: hostile_traps_fired = " . $node->safe_psql('hp', $canary);

# 3. An upgrade from 0.4 in a LATIN1 database.
{
	my $db = 'enc_upgrade';
	$node->safe_psql('postgres',
		"CREATE DATABASE $db TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
	$node->safe_psql($db, q{CREATE EXTENSION pgmig VERSION '0.4'});
	my $dir = "$tmp/upgrade";
	my $up1 = "CREATE TABLE u (s text);\nINSERT INTO u VALUES ('caf\xc3\xa9');";
	my $up2 = "INSERT INTO u VALUES ('d\xc3\xa9j\xc3\xa0');";
	write_migration($dir, 'u1', [], $up1, 'DROP TABLE u;');
	write_migration($dir, 'u2', ['u1'], $up2, "DELETE FROM u WHERE s = 'd\xc3\xa9j\xc3\xa0';");
	# psql sends the file's bytes as UTF-8, as a 0.4-era client with
	# PGCLIENTENCODING=UTF8 did
	local $ENV{PGCLIENTENCODING} = 'UTF8';
	$node->safe_psql($db, "SELECT pgmig.mig_upload('u1', \$b\$$up1\$b\$, down => 'DROP TABLE u;');
		SELECT pgmig.mig_upload('u2', \$b\$$up2\$b\$, parents => '{u1}',
			down => \$b\$DELETE FROM u WHERE s = 'd\xc3\xa9j\xc3\xa0';\$b\$);
		SELECT pgmig.mig_apply('u1');");
	# the library installed is this one, which serves 0.4's SQL too and
	# hashes UTF-8: the checksums 0.4's library wrote (over the database's
	# bytes) are put back as it wrote them
	$node->safe_psql($db, q{ALTER TABLE pgmig.revision DISABLE TRIGGER revision_immutable;
		UPDATE pgmig.revision SET checksum = encode(sha256(convert_to(up_body, 'LATIN1')), 'hex'),
			down_checksum = encode(sha256(convert_to(down_body, 'LATIN1')), 'hex');
		ALTER TABLE pgmig.revision ENABLE TRIGGER revision_immutable;
		UPDATE pgmig.applied a SET checksum = r.checksum FROM pgmig.revision r
			WHERE (a.project, a.revision) = (r.project, r.revision);});
	my $utf8_sums = q{SELECT string_agg((checksum = encode(sha256(convert_to(up_body, 'UTF8')), 'hex'))::text
		|| '/' || (down_checksum = encode(sha256(convert_to(down_body, 'UTF8')), 'hex'))::text, ',' ORDER BY revision)
		FROM pgmig.revision};
	is($node->safe_psql($db, $utf8_sums), 'false/true,false/false', '0.4 stored checksums of the LATIN1 bytes');
	$node->safe_psql($db, q{ALTER EXTENSION pgmig UPDATE TO '0.5'});
	is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'pgmig'}), '0.5', 'updated to 0.5');
	is($node->safe_psql($db, $utf8_sums), 'true/true,true/true', 'the update computed them again over UTF-8');
	is($node->safe_psql($db, q{SELECT a.checksum = r.checksum FROM pgmig.applied a JOIN pgmig.revision r
		USING (project, revision)}), 't', 'the applied revision\'s recorded checksum too');
	is($node->safe_psql($db, q{SELECT count(*) FROM pg_proc WHERE proname = 'upgrade_body_checksum'}), '0',
		'the helper is gone');
	delete $ENV{PGCLIENTENCODING};
	my ($rc, $out, $err) = client($db, '--dir', $dir, 'verify');
	is($rc, 0, 'verify of the same files is ok') or diag "$out\n$err";
	($rc, $out, $err) = client($db, '--dir', $dir, 'up');
	is($rc, 0, 'up applies the pending one') or diag "$out\n$err";
	is($node->safe_psql($db, q{SELECT string_agg(encode(convert_to(s, 'UTF8'), 'hex'), ',' ORDER BY s) FROM u}),
		hex_of("caf\xc3\xa9") . ',' . hex_of("d\xc3\xa9j\xc3\xa0"), 'both texts are the files\'');
}

done_testing();
