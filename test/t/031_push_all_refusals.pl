# 031_push_all_refusals.pl — push reports every refusal of a folder in one
# run, and names the migration file's line in its lint warnings, against a
# live server:
#
# 1. A folder with five independent problems of different kinds (a syntax
#    error, a forbidden statement PM011, a non-transactional statement mixed
#    with others PM012, an applied revision whose file was edited PM021, a
#    foreign key integer -> uuid, lint rule L016 of severity error PM042):
#    all five are reported in one run, each at its file and line with its
#    DETAIL and HINT, the descendant of a refused revision the server does
#    not hold is named as not checked, nothing is stored, exit 1; --json
#    carries them in error.errors and error.not_checked.  Finding them took
#    one upload call per refusal and one more; a push without problem makes
#    one call, as before.
# 2. A folder with one problem reports just that one, as before (and, in
#    the JSON, as the one entry of error.errors).
# 3. A lint warning at push is printed as file:line of the migration file,
#    once, also when push probes for other refusals after it, and is listed
#    in the JSON's push.warnings.
# 4. A lost connection is never retried: lost during a probe, it ends the
#    list (the refusals found so far, then that error); lost during the
#    first call, it is reported as it is, without a probe.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('refusals');
$node->init;
# every statement in the log, to count the upload calls
$node->append_conf('postgresql.conf', "log_statement = 'all'");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $db = 'postgres';
my ($rc, $out, $err);

# Runs pgmig for a step the test builds on; dies when it fails.
sub setup
{
	my ($rc, $out, $err) = pgmig($node, $db, @_);
	die "pgmig @_ failed:\n$out\n$err" if $rc != 0;
}

setup('init');
$node->safe_psql($db, 'CREATE TABLE users (id uuid PRIMARY KEY); CREATE TABLE big (id int);');

# The line of the migration file holding the first line of $text (unique in it).
sub file_line
{
	my ($file, $text) = @_;
	my @lines = split /\n/, slurp_file($file);
	for my $i (0 .. $#lines)
	{
		return $i + 1 if index($lines[$i], $text) >= 0;
	}
	die "no line with '$text' in $file";
}

my $revisions = sub { $node->safe_psql($db, 'SELECT count(*) FROM pgmig.revision') };

# The upload calls the server logged since the log had $from bytes.
sub upload_calls
{
	my ($from) = @_;
	open(my $fh, '<', $node->logfile) or die "cannot read the server log: $!";
	seek($fh, $from, 0);
	my $n = 0;
	while (my $l = <$fh>)
	{
		$n++ if $l =~ /LOG:  (?:statement|execute [^:]*): SELECT .*pgmig\.mig_upload_batch\(/;
	}
	close($fh);
	return $n;
}

# 1. Five problems at once.
my $dir = "$tmp/five";
write_migration($dir, 'r1', [], 'CREATE TABLE t1 (id int);', 'DROP TABLE t1;');
setup('--dir', $dir, 'up');
# r1 edited after it was applied (PM021)
my $f1 = write_migration($dir, 'r1', [], 'CREATE TABLE t1 (id bigint);', 'DROP TABLE t1;');
# a syntax error two lines into the body
my $f2 = write_migration($dir, 'r2', ['r1'], "-- t2\nCREATE TABLE t2 (id int;");
# a descendant of r2, itself fine: not checked
my $f3 = write_migration($dir, 'r3', ['r2'], 'CREATE TABLE t3 (id int);');
# a forbidden statement (PM011)
my $f4 = write_migration($dir, 'r4', ['r1'], "-- t4\n-- and then\nCREATE TABLE t4 (id int);\nSET ROLE postgres;");
# CREATE INDEX CONCURRENTLY mixed with another statement (PM012)
my $f5 = write_migration($dir, 'r5', ['r1'],
	"-- t5\n\n\nCREATE TABLE t5 (id int);\nCREATE INDEX CONCURRENTLY t5_id ON t5 (id);");
# a foreign key integer -> uuid: lint rule L016, severity error (PM042)
my $f6 = write_migration($dir, 'r6', ['r1'],
	"-- t6\n\n\n\nCREATE TABLE t6 (id int);\nCREATE TABLE t6b (user_id integer REFERENCES users (id));");
# a revision without problem
write_migration($dir, 'r7', ['r1'], 'CREATE TABLE t7 (id int);');
my %line = (
	r2 => file_line($f2, 'CREATE TABLE t2'),
	r4 => file_line($f4, 'SET ROLE'),
	r5 => file_line($f5, 'CREATE INDEX CONCURRENTLY'),
	r6 => file_line($f6, 'CREATE TABLE t6b'));
# the file lines are not the body lines (the body starts on line 3)
die 'unexpected file lines' unless join(',', map { $line{$_} } qw(r2 r4 r5 r6)) eq '4,6,7,8';

my $before = $revisions->();
my $log_at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir, 'push');
my $refused_calls = upload_calls($log_at);
like("$rc|$err", qr/^1\|.*^pgmig: error: the server refused 5 revisions; 1 revision was not checked because an ancestor was refused; nothing was stored$/ms,
	'push: exit 1, one summary of five refusals and one unchecked revision') or diag $err;
like($err, qr/^\Q$f2\E:$line{r2}:\d+: syntax error at or near ";"\nDETAIL:  line 2: CREATE TABLE t2 \(id int;\nSQLSTATE: 42601$/m,
	'the syntax error at its file line and column, with its DETAIL') or diag $err;
like($err, qr/^\Q$f4\E:$line{r4}: SET ROLE .*\nDETAIL:  line 4: SET ROLE postgres;\nSQLSTATE: PM011$/m,
	'the forbidden statement (PM011) at its file line') or diag $err;
like($err, qr/^\Q$f5\E:$line{r5}: CREATE INDEX CONCURRENTLY cannot be mixed with other statements in one revision\nDETAIL:  .*\nHINT:  Move the CREATE INDEX CONCURRENTLY statement into a revision of its own\.\nSQLSTATE: PM012$/m,
	'the mixed non-transactional statement (PM012) at its file line, with DETAIL and HINT') or diag $err;
like($err, qr/^\Q$f1\E: revision "r1" is applied and differs from the uploaded one\nDETAIL:  Stored checksum .*\nHINT:  An applied revision's up body never changes.*\nSQLSTATE: PM021$/m,
	'the edited applied revision (PM021) at its file') or diag $err;
like($err, qr/^\Q$f6\E:$line{r6}: .*\nDETAIL:  Lint rule L016 \(foreign-key-types-incompatible\), severity error.*\nHINT:  .*\nSQLSTATE: PM042$/m,
	'the lint error L016 (PM042) at its file line') or diag $err;
like($err, qr/^\Q$f3\E: not checked: its ancestor r2 was refused$/m, 'the descendant of r2 is named as not checked')
	or diag $err;
my @refused = $err =~ /^\Q$dir\E\/(r\d)\.sql:/mg;
is(join(',', @refused), 'r1,r2,r4,r5,r6,r3', 'each refusal once, in file order, then the unchecked revision; r7 is fine')
	or diag $err;
is($revisions->() . '/' . scalar(@refused), "$before/6", 'nothing was stored (pgmig.revision unchanged)');

($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'push');
my $doc = decode_json_ok($out);
my %got = map { ($_->{revision} // '-') => join('|', $_->{file} // '', $_->{line} // 0, $_->{sqlstate} // '') }
	@{ $doc->{error}{errors} // [] };
is_deeply(
	\%got,
	{
		r1 => "$f1|0|PM021",
		r2 => "$f2|$line{r2}|42601",
		r4 => "$f4|$line{r4}|PM011",
		r5 => "$f5|$line{r5}|PM012",
		r6 => "$f6|$line{r6}|PM042"
	},
	'--json: error.errors has every refusal with file, line, revision and sqlstate') or diag $out;
my ($r5) = grep { ($_->{revision} // '') eq 'r5' } @{ $doc->{error}{errors} // [] };
like(($r5->{hint} // '') . '|' . ($r5->{detail} // '') . '|' . ($r5->{message} // ''),
	qr/^Move the CREATE INDEX CONCURRENTLY .*\|The body has 2 statements.*\|CREATE INDEX CONCURRENTLY cannot be mixed/,
	'--json: each entry has its message, detail and hint') or diag $out;
is_deeply($doc->{error}{not_checked}, [ { file => $f3, revision => 'r3', ancestor => 'r2' } ],
	'--json: error.not_checked names r3 and its refused ancestor') or diag $out;
is(join('/', $rc, $revisions->(), scalar @{ $doc->{error}{errors} // [] }), "1/$before/5",
	'--json: exit 1, nothing stored, five errors') or diag $out;

# 2. A folder without problem: one upload call.  Then one problem: reported
# as before, the one entry of error.errors.
my $dir1 = "$tmp/one";
write_migration($dir1, 'o1', [], 'CREATE TABLE o1 (id int);');
write_migration($dir1, 'o3', ['o1'], 'CREATE TABLE o3 (id int);');
$log_at = -s $node->logfile;
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir1, '--project', 'one', 'push');
is("$refused_calls/$rc/" . upload_calls($log_at), '6/0/1',
	'upload calls: the first and one per refusal found (6) for the folder with five; one for a folder without problem')
	or diag $err;
my $fo2 = write_migration($dir1, 'o2', ['o1'], "-- o2\nCREATE TABLE o2 (id int);\nVACUUM o1;\n");
my $oline = file_line($fo2, 'VACUUM');
$before = $revisions->();
($rc, $out, $err) = pgmig($node, $db, '--dir', $dir1, '--project', 'one', 'push');
my $text_ok = $rc == 1 && $err =~ /\A\Qpgmig: error: $fo2\E:$oline: VACUUM cannot be mixed with other statements in one revision\n/
	&& $err !~ /refused|not checked/;
($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir1, '--project', 'one', 'push');
$doc = decode_json_ok($out);
my @errors = @{ $doc->{error}{errors} // [] };
ok($text_ok && @errors == 1 && $errors[0]{file} eq $fo2 && $errors[0]{line} == $oline
	  && $doc->{error}{file} eq $fo2 && !exists $doc->{error}{not_checked} && $revisions->() == $before,
	'one problem: that one only, as before, nothing stored; --json has it as the one entry of error.errors')
	or diag "$err\n$out";

# 3. Lint warnings name the file's line.
my $dirw = "$tmp/warn";
my $fw1 = write_migration($dirw, 'w1', [], "-- an index\n\nCREATE INDEX big_id ON big (id);");
my $wline = file_line($fw1, 'CREATE INDEX big_id');
($rc, $out, $err) = pgmig($node, $db, '--dir', $dirw, '--project', 'warn', 'push');
like("$rc|$err", qr/^0\|\Q$fw1\E:$wline: warning: CREATE INDEX .*big.* \[L004 index-without-concurrently\]\nDETAIL:  .*CONCURRENTLY/s,
	'a lint warning at push: file:line of the migration file, the rule, the safe alternative as DETAIL') or diag $err;
# w2 is refused by L016 after w1's warning; the probe without w2 warns again: printed once
write_migration($dirw, 'w1', [], "-- an index\n\nCREATE INDEX big_id2 ON big (id);");
my $fw2 = write_migration($dirw, 'w2', ['w1'], 'CREATE TABLE w2 (user_id int REFERENCES users (id));');
my $fw3 = write_migration($dirw, 'w3', ['w1'], "SELECT 1;\nCOMMIT;");
($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dirw, '--project', 'warn', 'push');
my @warned = $err =~ /^\Q$fw1\E:$wline: warning: /mg;
$doc = decode_json_ok($out);
my @w = @{ $doc->{push}{warnings} // [] };
ok(@warned == 1 && @w == 1 && @{ $doc->{error}{errors} // [] } == 2
	  && JSON::PP::is_bool($doc->{push}{uploaded}) && !$doc->{push}{uploaded},
	'the warning is printed and listed once (push.warnings next to error) while push finds both refusals') or diag "$err\n$out";
is(join('|', map { $_ // 'null' } @{ $w[0] // {} }{qw(file line revision rule name)}),
	"$fw1|$wline|w1|L004|index-without-concurrently", '--json: push.warnings has file, line, revision and rule')
	or diag $out;
write_migration($dirw, 'w1', [], "-- an index\n\nCREATE INDEX big_id3 ON big (id);");
unlink $fw2, $fw3;
($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dirw, '--project', 'warn', 'push');
$doc = decode_json_ok($out);
is(join('|', $rc, scalar(@{ $doc->{push}{warnings} // [] }), $doc->{push}{warnings}[0]{line} // 'none',
		$doc->{push}{warnings}[0]{hint} // '' ? 'hint' : 'no hint'),
	"0|1|$wline|hint", '--json of an accepted push: push.warnings with the line and the hint') or diag $out;

# 4. A lost connection.  A session holds the project lock of project "lost"
# (the advisory lock pgmig takes: class 0x70676d67, extension/src/lock.cpp,
# and the project's hashtext); the upload call that waits for it is
# terminated.
my ($hold_in, $hold_out, $hold_err) = ("BEGIN; SELECT 'held:' || pg_advisory_xact_lock(1885826407, hashtext('lost'));\n", '', '');
my $holder = IPC::Run::start([ 'psql', '-X', '-At', '-h', $node->host, '-p', $node->port, '-d', $db ],
	'<', \$hold_in, '>', \$hold_out, '2>', \$hold_err);
for (1 .. 300)
{
	$holder->pump_nb;
	last if $hold_out =~ /held:/;
	select(undef, undef, undef, 0.1);
}
die "the lock holder did not start: $hold_err" unless $hold_out =~ /held:/;

# Runs push on project "lost" and terminates its upload call once it waits
# for the lock; returns (exit code, stderr, upload calls logged).
sub push_and_lose
{
	my ($dir) = @_;
	my ($o, $e) = ('', '');
	my $at = -s $node->logfile;
	my $h = pgmig_start($node, $db, \$o, \$e, '--wait', '60s', '--dir', $dir, '--project', 'lost', 'push');
	# (a client that makes no such call has ended by then; the assertions tell)
	wait_for_query($node, $db, q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity
		WHERE query LIKE '%mig_upload_batch%' AND wait_event_type = 'Lock')}, 10);
	$node->safe_psql($db, q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query LIKE '%mig_upload_batch%' AND wait_event_type = 'Lock'});
	$h->finish;
	return ($? >> 8, $e, upload_calls($at));
}

# a syntax error is refused before the lock; the probe without it waits
my $dirl = "$tmp/lost";
my $fl1 = write_migration($dirl, 'l1', [], "CREATE TABLE l1 (id int;");
my $l1line = file_line($fl1, 'CREATE TABLE l1');
write_migration($dirl, 'l2', [], 'CREATE TABLE l2 (id int);');
my ($probe_rc, $probe_err, $probe_calls) = push_and_lose($dirl);
# a lint error is refused after the lock: the first call waits
write_migration($dirl, 'l1', [], 'CREATE TABLE l1 (user_id int REFERENCES users (id));');
my ($first_rc, $first_err, $first_calls) = push_and_lose($dirl);
$holder->kill_kill;
like("$probe_rc|$probe_calls|$probe_err",
	qr/^1\|2\|\Q$fl1\E:$l1line:\d+: syntax error.*\nSQLSTATE: 42601\n(?!pgmig: error)[^\n]*\n(?:(?:DETAIL|HINT):[^\n]*\n)*SQLSTATE: 08006\npgmig: error: the server refused 1 revision; checking stopped at the last error, which names no revision; nothing was stored\n/s,
	'lost during a probe: the refusal found, then the lost connection, no other call') or diag $probe_err;
is(join('|', $first_rc, $first_calls, $probe_calls, $first_err =~ /^pgmig: error: [^\n]*\nSQLSTATE: 08006\n\z/ ? 'as is' : $first_err),
	'1|1|2|as is', 'lost during the first call: reported as it is, without a probe (the probe case made two calls)');

done_testing();
