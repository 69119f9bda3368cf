# 029_client_database_url.pl — DATABASE_URL as frameworks write it (issue
# 16), against a live server that listens on its Unix socket and on
# 127.0.0.1:
#
# 1. SQLAlchemy URLs, postgresql+psycopg2:// (socket, through ?host=),
#    postgresql+asyncpg:// and postgres+psycopg2:// (TCP): the driver part is
#    dropped and `pgmig status` reads the right database.
# 2. JDBC URLs, jdbc:postgresql://127.0.0.1:PORT/db?user=..&password=..,
#    in DATABASE_URL and in --dbname: status works; currentSchema becomes
#    the session's search_path (an unqualified CREATE TABLE of `up` lands
#    in that schema); driver tuning (prepareThreshold) is dropped.
# 3. DATABASE_URL and PGDATABASE both set: PGDATABASE is used, as before,
#    and one warning line on stderr says so (none on stdout with --json).
#    DATABASE_URL used while PGHOST names another host: a warning too.
# 4. What pgmig cannot use is a usage error (exit 2) that names the source
#    and never shows the password: mysql://, sqlite:, a JDBC parameter
#    without a libpq equivalent (readOnly), in text and in JSON.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('url');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
$node->start;
my ($sock, $port) = ($node->host, $node->port);
my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

$node->safe_psql('postgres', 'CREATE DATABASE urlapp');
$node->safe_psql('urlapp', 'CREATE SCHEMA s1');
my $dir = "$tmp/m";
write_migration($dir, 'r1', [], 'CREATE TABLE public.r1 (id int);', 'DROP TABLE public.r1;');
($rc, $out, $err) = pgmig($node, 'urlapp', 'init');
is($rc, 0, 'init') or diag $err;
($rc, $out, $err) = pgmig($node, 'urlapp', '--dir', $dir, 'up');
is($rc, 0, 'up to r1') or diag $err;

# Runs pgmig with no PG* variable but those given: (exit code, stdout, stderr).
sub pgmig_env
{
	my ($env, @args) = @_;
	my ($o, $e) = ('', '');
	local %ENV = %ENV;
	delete $ENV{$_} for grep { (/^PG[A-Z]/ && !/^PGMIG_/) || $_ eq 'DATABASE_URL' } keys %ENV;
	$ENV{NO_COLOR} = '1';
	$ENV{$_} = $env->{$_} for keys %$env;
	IPC::Run::run([ pgmig_bin(), @args ], '<', \undef, '>', \$o, '2>', \$e);
	return ($? >> 8, $o, $e);
}

# `pgmig --json status` through DATABASE_URL = $url: at r1, nothing said on stderr.
sub status_via
{
	my ($url, $what) = @_;
	my ($rc, $out, $err) = pgmig_env({ DATABASE_URL => $url }, '--dir', $dir, '--json', 'status');
	is($rc, 0, "$what: status exits 0") or diag "$out\n$err";
	my $doc = decode_json_ok($out);
	is($doc && join(',', @{ $doc->{current} // [] }), 'r1', "$what: it read the database at r1") or diag $out;
	is($err, '', "$what: nothing on stderr") or diag $err;
}

# 1. SQLAlchemy.
status_via("postgresql+psycopg2:///urlapp?host=$sock&port=$port", 'postgresql+psycopg2:// (socket)');
status_via("postgresql+asyncpg://127.0.0.1:$port/urlapp", 'postgresql+asyncpg:// (TCP)');
status_via("postgres+psycopg2://postgres\@127.0.0.1:$port/urlapp", 'postgres+psycopg2:// (TCP)');

# 2. JDBC.
status_via("jdbc:postgresql://127.0.0.1:$port/urlapp?user=postgres&password=hunter22&prepareThreshold=0",
	'jdbc:postgresql://');
($rc, $out, $err) = pgmig_env({}, '--dir', $dir, '-d', "jdbc:postgresql://127.0.0.1:$port/urlapp", 'status');
is($rc, 0, 'jdbc:postgresql:// in --dbname') or diag "$out\n$err";
write_migration($dir, 'r2', ['r1'], 'CREATE TABLE r2 (id int);', 'DROP TABLE r2;');
($rc, $out, $err) = pgmig_env(
	{ DATABASE_URL => "jdbc:postgresql://127.0.0.1:$port/urlapp?currentSchema=s1,public&ApplicationName=jdbcapp" },
	'--dir', $dir, 'up');
is($rc, 0, 'up through a JDBC URL with currentSchema') or diag "$out\n$err";
is($node->safe_psql('urlapp', q{SELECT string_agg(table_schema, ',') FROM information_schema.tables WHERE table_name = 'r2'}),
	's1', '... currentSchema was the search_path: the unqualified table is in s1');

# 3. Which one is used.
($rc, $out, $err) = pgmig_env(
	{ DATABASE_URL => "postgresql+psycopg2://u:hunter22\@127.0.0.1:$port/nosuchdb", PGHOST => $sock, PGPORT => $port,
	  PGDATABASE => 'urlapp' },
	'--dir', $dir, '--json', 'status');
is($rc, 0, 'DATABASE_URL and PGDATABASE: PGDATABASE is used') or diag "$out\n$err";
my $doc = decode_json_ok($out);
ok($doc, '... stdout is one JSON document') or diag $out;
is($err, "pgmig: warning: DATABASE_URL is set but not used: PGDATABASE=urlapp is, and an explicit libpq setting "
	  . "wins; unset it to use DATABASE_URL, or pass --dbname\n", '... and one line on stderr says so');
($rc, $out, $err) = pgmig_env(
	{ DATABASE_URL => "postgresql+asyncpg://127.0.0.1:$port/urlapp", PGHOST => $sock }, '--dir', $dir, 'status');
is($rc, 0, 'DATABASE_URL with PGHOST naming another host') or diag "$out\n$err";
is($err, "pgmig: warning: DATABASE_URL is used: its host 127.0.0.1 wins over PGHOST=$sock\n",
	'... a warning says the URL\'s host is used');
($rc, $out, $err) = pgmig_env(
	{ DATABASE_URL => "postgresql+asyncpg://127.0.0.1:$port/urlapp", PGHOST => $sock }, '-q', '--dir', $dir, 'status');
is($err, '', '... not with --quiet');

# 4. Refused.
for my $case (
	[ "mysql://app:hunter22\@127.0.0.1:$port/urlapp", qr/^pgmig: error: DATABASE_URL is a mysql URL, not a PostgreSQL one$/m ],
	[ 'sqlite:///hunter22.db', qr/^pgmig: error: DATABASE_URL is a sqlite URL, not a PostgreSQL one$/m ],
	[ "jdbc:postgresql://127.0.0.1:$port/urlapp?password=hunter22&readOnly=true",
		qr/^pgmig: error: DATABASE_URL: the JDBC URL parameter "readOnly" has no libpq equivalent/m ])
{
	my ($url, $re) = @$case;
	($rc, $out, $err) = pgmig_env({ DATABASE_URL => $url }, '--dir', $dir, 'status');
	is($rc, 2, "$url: exit 2");
	like($err, $re, '... the error names the source and what is wrong') or diag $err;
	unlike($out . $err, qr/hunter22/, '... and not the password');
	($rc, $out, $err) = pgmig_env({ DATABASE_URL => $url }, '--dir', $dir, '--json', 'status');
	is($rc, 2, '... exit 2 with --json');
	my $j = decode_json_ok($out);
	like($j && $j->{error}{message}, qr/DATABASE_URL/, '... one JSON error document') or diag $out;
	unlike($out . $err, qr/hunter22/, '... without the password');
}
($rc, $out, $err) = pgmig_env({}, '--dir', $dir, '-d', 'mysql://app:hunter22@db/app', 'status');
is($rc, 2, '--dbname mysql:// exits 2');
like($err, qr/^pgmig: error: --dbname is a mysql URL/m, '... naming --dbname') or diag $err;

done_testing();
