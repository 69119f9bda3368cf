# 021_bad_input.pl — the bad-input corpus (RELIABILITY C1 and D5, issue 5):
# malformed revisions, bodies, batches, metadata, migration files and
# command lines, each answered with its documented SQLSTATE or exit code,
# the catalog unchanged and no backend crash.
#
# Design.  The corpus is data in test/corpus/bad_input/, one file per family:
#   server_args.cases  NULL and bad values for every argument of the SQL API
#   bodies.cases       bodies refused at upload (PM010-PM014, 42601, PM042)
#   batches.cases      malformed mig_upload_batch arguments and bad batches
#   metadata.cases     templates run once per payload of payloads.txt
#                      (every metadata field x every hostile value, D5)
#   files.cases        migration folders for the client (docs/format.md)
#   client_args.cases  command lines (docs/cli.md exit codes)
# and setup.sql, the fixture every case runs against (a small graph with
# applied, pending, non-transactional and irreversible revisions, a project
# with lint policy "error", the canary table and the catalog hash function).
# The record format is described at the top of server_args.cases and
# files.cases.  Expectations come from docs/errors.md, docs/format.md and
# docs/cli.md; where pgmig answers otherwise the case fails, and that is a
# finding for the lead, not something to adjust here.
#
# Server cases run through one psql session (restarted if a backend dies),
# each statement in autocommit (its own transaction), so an error can only
# leave something behind if pgmig committed it itself; running them all on
# one connection also shows that the session stays usable after each error.
# Payloads reach psql as variables (:'payload'), never pasted into the SQL.
# After every case one query reads the state: an md5 of every row of every
# table of schema pgmig (public.pgmig_catalog_hash), the number of rows in
# public.canary and whether bad_actor became a superuser.  A case passes when
#   - the SQLSTATE is the expected one (psql's LAST_ERROR_SQLSTATE; "ok"
#     means no error), and the primary message contains "names" (the
#     revision id, the target, 'revision "X", line N'), so that no message
#     about a revision leaves it out (RELIABILITY C1);
#   - the catalog hash is unchanged, unless the case is an accepted upload
#     ("writes yes"), whose "check" query must then be true (stored
#     verbatim, D5);
#   - the canary is empty and bad_actor is not a superuser (nothing of a
#     payload was executed);
#   - the backend did not crash: the server log gained no "terminated by
#     signal" and the state query answered.
# Client cases run the real client (PgmigTest::pgmig) in a fresh folder per
# case and check the exit code, fragments of stderr/stdout (with --json: one
# JSON document with an "error" member) and the same state.
#
# Each case is one test line, named after its family and id; a failure lists
# everything that differed, expected against seen.  At the end the test
# counts the cases (at least 200) and checks the log once more.
#
# Size: PGMIG_BADINPUT_RANDOM (default 8) random hostile payloads are added
# to payloads.txt, from seed PGMIG_BADINPUT_SEED (default 5); the long form
# is e.g. PGMIG_BADINPUT_RANDOM=500.  PGMIG_BADINPUT_ONLY=regex runs only the
# cases whose id matches (for debugging).
use strict;
use warnings;

use Encode qw(encode_utf8);
use File::Path qw(make_path);
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;
use Text::ParseWords qw(shellwords);
use Time::HiRes qw(time);

my $corpus = ($ENV{PGMIG_SOURCE} // '.') . '/test/corpus/bad_input';
my $random_payloads = $ENV{PGMIG_BADINPUT_RANDOM} // 8;
my $seed = $ENV{PGMIG_BADINPUT_SEED} // 5;
my $only = $ENV{PGMIG_BADINPUT_ONLY};
my $db = 'postgres';

my $node = PostgreSQL::Test::Cluster->new('bad_input');
$node->init;
# A crash must not end the run: the postmaster restarts and the corpus goes on.
$node->append_conf('postgresql.conf', "restart_after_crash = on\n");
$node->start;
delete $ENV{PGAPPNAME};
my $tmp = PostgreSQL::Test::Utils::tempdir;

# ---------------------------------------------------------------------------
# Reading the corpus.
# ---------------------------------------------------------------------------

# Reads a .cases file: a list of cases, each a hash of key => [values] plus
# id, source (file:line) and order (the keys in file order, for "file").
sub read_cases
{
	my ($name) = @_;
	my $path = "$corpus/$name";
	open(my $fh, '<:raw', $path) or die "cannot read $path: $!";
	my (@cases, $case, $last);
	my $n = 0;
	while (my $line = <$fh>)
	{
		$n++;
		chomp $line;
		if ($line =~ /^\|(?: (.*))?$/)
		{
			die "$path:$n: continuation line outside a value" unless $last;
			$last->[0] .= "\n" . ($1 // '');
			next;
		}
		next if $line =~ /^\s*(#|$)/;
		$line =~ /^(\S+)(?: (.*))?$/ or die "$path:$n: cannot read \"$line\"";
		my ($key, $value) = ($1, $2 // '');
		$value =~ s/\s+$// unless $key eq 'file';
		if ($key eq 'case')
		{
			$case = { id => $value, source => "$name:$n", keys => {}, order => [] };
			push @cases, $case;
			$last = undef;
			next;
		}
		die "$path:$n: \"$key\" before the first case" unless $case;
		my $slot = [$value];
		push @{ $case->{keys}{$key} }, $slot;
		push @{ $case->{order} }, [ $key, $slot ];
		$last = $slot;
	}
	close($fh);
	return @cases;
}

# Dies on a key a family does not know (a misspelt "stderr" would otherwise
# silently check nothing).
sub check_keys
{
	my ($kind, @cases) = @_;
	my %known = (
		server   => [qw(sql expect names writes check)],
		template => [qw(sql expect names writes check payloads rule expect-valid expect-invalid)],
		client   => [qw(file mode args exit stderr stdout writes json)]);
	my %ok = map { $_ => 1 } @{ $known{$kind} };
	for my $c (@cases)
	{
		for my $k (keys %{ $c->{keys} })
		{
			die "$c->{source}: case $c->{id}: unknown key \"$k\"" unless $ok{$k};
		}
	}
	return @cases;
}

# The last value of a key of a case (undef when absent).
sub value
{
	my ($case, $key) = @_;
	my $v = $case->{keys}{$key};
	return $v ? $v->[-1][0] : undef;
}

# Every value of a key of a case.
sub values_of
{
	my ($case, $key) = @_;
	return map { $_->[0] } @{ $case->{keys}{$key} // [] };
}

# Decodes the escapes of payloads and file contents: \xNN, \n, \r, \t, \\.
sub unescape
{
	my ($s) = @_;
	$s =~ s/\\(x([0-9A-Fa-f]{2})|n|r|t|\\)/
		defined $2 ? chr(hex $2) : $1 eq 'n' ? "\n" : $1 eq 'r' ? "\r" : $1 eq 't' ? "\t" : "\\"/ge;
	return $s;
}

# The payloads of payloads.txt (bytes), then the random ones.
sub read_payloads
{
	my $path = "$corpus/payloads.txt";
	open(my $fh, '<:raw', $path) or die "cannot read $path: $!";
	my @payloads;
	while (my $line = <$fh>)
	{
		chomp $line;
		next if $line =~ /^#/ || $line eq '';
		if ($line =~ /^\@repeat (\d+) (.*)$/)
		{
			push @payloads, unescape($2) x $1;
			next;
		}
		push @payloads, unescape($line);
	}
	close($fh);
	# Random ones: always at least one character no id, label or project
	# may hold, so the documented rules refuse them wherever they go.
	srand($seed);
	my @hostile = (split(//, q{'"$;\\ (){}[],@%*/`!?#&|<>=~^}), "\t", "\n", "\x{e9}", "\x{20ac}", "\x{202e}",
		"\x{1f642}");
	my @plain = ('a' .. 'z', 'A' .. 'Z', '0' .. '9', '_', '.', '-');
	for (1 .. $random_payloads)
	{
		my $len = 1 + int(rand(40));
		my @c = map { rand() < 0.3 ? $hostile[ rand @hostile ] : $plain[ rand @plain ] } 1 .. $len;
		$c[ rand @c ] = $hostile[ rand @hostile ];
		push @payloads, encode_utf8(join('', @c));
	}
	return @payloads;
}

# The documented revision-id rule (docs/errors.md "Identifier rules").
sub valid_id
{
	my ($s) = @_;
	return $s =~ /\A[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}\z/ && $s !~ /\A(head|heads|base)\z/i;
}

# The documented project-name rule.
sub valid_project
{
	my ($s) = @_;
	return $s =~ /\A[A-Za-z0-9_.\-]{1,63}\z/;
}

# Expands the templates of metadata.cases into one case per payload.
sub expand_templates
{
	my ($templates, $payloads) = @_;
	my @out;
	for my $t (@$templates)
	{
		die "$t->{source}: a template needs \"payloads yes\"" unless (value($t, 'payloads') // '') eq 'yes';
		my $rule = value($t, 'rule') // '';
		for my $n (1 .. @$payloads)
		{
			my $p = $payloads->[ $n - 1 ];
			my $expect = value($t, 'expect');
			if ($rule)
			{
				my $valid = $rule eq 'id' ? valid_id($p) : $rule eq 'project' ? valid_project($p) : die "bad rule $rule";
				$expect = value($t, $valid ? 'expect-valid' : 'expect-invalid');
			}
			(my $template = value($t, 'names') // '-') =~ s/\{n\}/$n/g;
			(my $names = $template) =~ s/\{payload\}/$p/g;
			push @out, {
				id       => "$t->{id}-$n",
				source   => $t->{source},
				sql      => value($t, 'sql'),
				expect   => $expect,
				names    => $names,
				names_template => $template,
				writes   => (value($t, 'writes') // '') eq 'yes',
				check    => value($t, 'check'),
				vars     => { payload => $p, n => $n },
				payload  => $p,
			};
		}
	}
	return @out;
}

# A server case from a record of a .cases file.
sub server_case
{
	my ($c) = @_;
	for my $k (qw(sql expect))
	{
		die "$c->{source}: case $c->{id} has no \"$k\"" unless defined value($c, $k);
	}
	return {
		id     => $c->{id},
		source => $c->{source},
		sql    => value($c, 'sql'),
		expect => value($c, 'expect'),
		names  => value($c, 'names') // '-',
		writes => (value($c, 'writes') // '') eq 'yes',
		check  => value($c, 'check'),
		vars   => {},
	};
}

# ---------------------------------------------------------------------------
# The state every case must leave alone, and the server log.
# ---------------------------------------------------------------------------

my $state_sql = q{SELECT '@@STATE ' || public.pgmig_catalog_hash() || ' | canary=' || (SELECT count(*) FROM public.canary)
	|| ' superuser=' || (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'bad_actor');};
my $log_offset = 0;

# Splits a state line into (catalog hash, safety part).
sub split_state
{
	my ($s) = @_;
	return (undef, undef) unless defined $s;
	my ($hash, $safety) = split(/ \| /, $s, 2);
	return ($hash, $safety);
}

# The server log written since the last call (read from where the last call
# stopped: the log holds every refused statement and grows to megabytes).
sub new_log
{
	open(my $fh, '<:raw', $node->logfile) or die "cannot read the server log: $!";
	seek($fh, $log_offset, 0);
	local $/;
	my $new = <$fh> // '';
	close($fh);
	$log_offset += length($new);
	return $new;
}

# Crash traces in a piece of the server log.
sub crash_lines
{
	my ($log) = @_;
	return grep { /terminated by signal|was terminated|PANIC|server process .* exited with exit code [^0]|all server processes terminated/ }
		split(/\n/, $log);
}

# One psql session runs every server case and reads the state, statement by
# statement in autocommit (a psql per case would cost 50 ms each, most of
# the run).  If the session ends (a crashed backend ends its connection, and
# a non-interactive psql then exits), session_run says so and the next call
# starts a new one.
my ($session, $session_in, $session_out, $session_err, $session_timer);
my $session_seq = 0;

# Starts the session.
sub session_start
{
	($session_in, $session_out, $session_err) = ('', '', '');
	$session_timer = IPC::Run::timeout(120);
	$session = IPC::Run::start(
		[ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-d', $node->connstr($db), '-f', '-' ],
		'<', \$session_in, '>', \$session_out, '2>', \$session_err, $session_timer);
}

# Runs a psql script in the session; returns (stdout, stderr, finished):
# finished is false when the session ended or timed out before the end.
sub session_run
{
	my ($script) = @_;
	session_start() unless $session;
	$session_seq++;
	my $marker = "\@\@END $session_seq";
	($session_out, $session_err) = ('', '');
	$session_in .= "\\set LAST_ERROR_SQLSTATE 00000\n\\set LAST_ERROR_MESSAGE ''\n$script\n\\echo '$marker'\n";
	$session_timer->start(120);
	my $finished = eval {
		$session->pump while $session_out !~ /^\Q$marker\E$/m && $session->pumpable;
		1;
	};
	$finished &&= $session_out =~ /^\Q$marker\E$/m;
	my ($out, $err) = ($session_out, $session_err);
	if (!$finished)
	{
		eval { $session->kill_kill; };
		$session = undef;
	}
	return ($out, $err, $finished);
}

# The state now.
sub read_state
{
	my ($out) = session_run("ROLLBACK;\n$state_sql");
	return $out =~ /^\@\@STATE (.*)$/m ? $1 : undef;
}

# A psql script line setting variable name to the bytes of value.
sub set_variable
{
	my ($name, $value) = @_;
	return "\\set $name '" . join('', map { sprintf('\\x%02x', ord $_) } split(//, $value)) . "'\n";
}

# Describes a text for a failure message (control characters made visible).
sub show
{
	my ($s) = @_;
	return '(none)' unless defined $s;
	$s = substr($s, 0, 300) . "... (" . length($s) . " bytes)" if length($s) > 300;
	$s =~ s/([\x00-\x08\x0b-\x1f\x7f])/sprintf('\\x%02x', ord $1)/ge;
	return "\"$s\"";
}

# A payload as the graph code quotes it in messages (core::QuoteForMessage:
# '"' and '\\' escaped, control bytes as \xNN, cut at 200 bytes with "...").
sub quote_for_message
{
	my ($s) = @_;
	my $shown = substr($s, 0, 200);
	$shown =~ s/(["\\])/\\$1/g;
	$shown =~ s/([\x00-\x1f\x7f])/sprintf('\\x%02x', ord $1)/ge;
	return '"' . $shown . (length($s) > 200 ? '...' : '') . '"';
}

# The texts of which the message must contain one: "names" as written, and,
# for a payload, "names" with the payload quoted as above.
sub names_forms
{
	my ($case) = @_;
	my @forms = ($case->{names});
	if (defined $case->{payload} && $case->{names_template})
	{
		my $quoted = quote_for_message($case->{payload});
		(my $f = $case->{names_template}) =~ s/\{payload\}/$quoted/g;
		push @forms, $f;
	}
	return @forms;
}

# ---------------------------------------------------------------------------
# Running a server case.
# ---------------------------------------------------------------------------

my $safe_state;    # the safety part every case must leave: canary=0 superuser=false
my $baseline;      # the catalog hash the next case must leave unchanged
my %count;         # cases per family
my @failed;        # ids of failed cases
my %seconds;       # time per case id, and per family
my $executed = 0;  # cases after which the canary was written or bad_actor was a superuser

# Runs one server case; returns the list of problems (empty when it passed).
sub run_server_case
{
	my ($case) = @_;
	my $sql = $case->{sql};
	$sql .= ';' unless $sql =~ /;\s*\z/;
	my $script = "$sql\n"
	  . "\\echo '\@\@SQLSTATE' :LAST_ERROR_SQLSTATE\n"
	  . "\\echo '\@\@MESSAGE<<'\n\\echo :LAST_ERROR_MESSAGE\n\\echo '\@\@>>MESSAGE'\n";
	$script .= "SELECT '\@\@CHECK ' || coalesce(($case->{check})::text, 'null');\n" if $case->{check};
	$script .= "$state_sql\nROLLBACK;\n";
	$script = join('', map { set_variable($_, $case->{vars}{$_}) } sort keys %{ $case->{vars} }) . $script;
	my ($out, $err, $finished) = session_run($script);

	my @problems;
	my $sqlstate = $out =~ /^\@\@SQLSTATE (\S+)$/m ? $1 : undef;
	my $message = $out =~ /^\@\@MESSAGE<<\n(.*?)\n\@\@>>MESSAGE$/ms ? $1 : undef;
	my $check = $out =~ /^\@\@CHECK (.*)$/m ? $1 : undef;
	my $state = $out =~ /^\@\@STATE (.*)$/m ? $1 : undef;
	my $seen = !defined $sqlstate ? undef : $sqlstate eq '00000' ? 'ok' : $sqlstate;

	if (!defined $seen)
	{
		push @problems, "psql did not finish the case ("
			. ($finished ? 'no result' : 'the session ended or timed out') . "): stderr " . show($err);
	}
	elsif ($seen ne $case->{expect})
	{
		push @problems, "expected $case->{expect}, seen $seen" . ($seen eq 'ok' ? '' : " (message " . show($message) . ")");
	}
	elsif ($seen ne 'ok' && $case->{names} ne '-' && !grep { index($message // '', $_) >= 0 } names_forms($case))
	{
		push @problems, "the message does not name " . show($case->{names}) . ": " . show($message);
	}
	if ($seen && $seen eq 'ok' && $case->{expect} eq 'ok' && $case->{check} && ($check // '') ne 'true')
	{
		push @problems, "check query ($case->{check}) gave " . show($check) . ", expected true (not stored verbatim?)";
	}
	push @problems, state_problems($case, $state, $seen);
	return @problems;
}

# Waits (at most a minute) until the server answers again after a crash.
sub wait_for_server
{
	for (1 .. 120)
	{
		my ($out) = session_run("SELECT '\@\@UP';");
		return 1 if $out =~ /^\@\@UP$/m;
		select(undef, undef, undef, 0.5);
	}
	return 0;
}

# The catalog, canary and crash checks after a case.
sub state_problems
{
	my ($case, $state, $seen) = @_;
	my @problems;
	my @crash = crash_lines(new_log());
	if (@crash)
	{
		push @problems, "the server log shows a crash: " . join(' / ', @crash);
		push @problems, "the server did not come back within a minute" unless wait_for_server();
		$state = undef;
	}
	$state //= read_state();
	if (!defined $state)
	{
		push @problems, "the server does not answer after the case";
		return @problems;
	}
	my ($hash, $safety) = split_state($state);
	if ($safety ne $safe_state)
	{
		push @problems, "nothing may be executed: expected $safe_state, seen $safety";
		$executed++;
		# Undo it, so that the next cases are judged on their own.
		session_run("DELETE FROM public.canary; ALTER ROLE bad_actor NOSUPERUSER;");
	}
	my $may_write = $case->{writes} && defined $seen && $seen eq 'ok';
	if ($hash ne $baseline && !$may_write)
	{
		push @problems, "the pgmig catalog changed: before $baseline, after $hash";
	}
	$baseline = $hash;    # so that one unexpected write does not fail every later case
	return @problems;
}

# Reports one case as one test line.
sub report
{
	my ($family, $case, @problems) = @_;
	$count{$family}++;
	my $name = "$family: $case->{id}";
	if (@problems)
	{
		push @failed, $case->{id};
		fail($name);
		diag("$case->{id} ($case->{source}" . ($case->{payload} ? ", payload " . show($case->{payload}) : '') . "):");
		diag("  $_") for @problems;
		return;
	}
	pass($name);
}

# ---------------------------------------------------------------------------
# Running a client case.
# ---------------------------------------------------------------------------

my $case_seq = 0;

# Writes the files of a client case into its folder.
sub write_case_files
{
	my ($case, $dir) = @_;
	my $last_file;
	for my $entry (@{ $case->{order} })
	{
		my ($key, $slot) = @$entry;
		if ($key eq 'file')
		{
			my ($name, $content) = split(/\n/, $slot->[0], 2);
			$content //= '';
			my $no_newline = $content =~ s/\\\$\z//;
			$content = unescape($content);
			$content .= "\n" unless $no_newline;
			my $path = "$dir/$name";
			(my $parent = $path) =~ s{/[^/]*$}{};
			make_path($parent);
			open(my $fh, '>:raw', $path) or die "cannot write $path: $!";
			print $fh $content;
			close($fh);
			$last_file = $path;
		}
		elsif ($key eq 'mode')
		{
			chmod(oct($slot->[0]), $last_file) or die "cannot chmod $last_file: $!";
		}
	}
}

# Runs one client case; returns the list of problems.
sub run_client_case
{
	my ($family, $case) = @_;
	$case_seq++;
	my $dir = "$tmp/case$case_seq";
	make_path($dir);
	my $has_files = grep { $_->[0] eq 'file' } @{ $case->{order} };
	if (!$has_files && $family eq 'args')
	{
		open(my $fh, '>', "$dir/a1.sql") or die;
		print $fh "-- pgmig:revision a1\nCREATE TABLE args_a1 (id int);\n";
		close($fh);
	}
	write_case_files($case, $dir);
	open(my $fh, '>', "$tmp/plain-file-$case_seq") or die;
	close($fh);
	my %ph = (
		dir     => $dir,
		project => "c$case_seq",
		missing => "$tmp/no-such-dir-$case_seq",
		file    => "$tmp/plain-file-$case_seq");
	my $args = value($case, 'args');
	$args = $family eq 'files' ? '--dir {dir} --project {project} push' : '' unless defined $args;
	my @args = shellwords($args);
	s/\{(\w+)\}/exists $ph{$1} ? $ph{$1} : "{$1}"/ge for @args;

	my ($rc, $out, $err) = pgmig($node, $db, @args);

	my @problems;
	my $expect = value($case, 'exit');
	die "$case->{source}: case $case->{id} has no \"exit\"" unless defined $expect;
	push @problems, "expected exit $expect, seen $rc (stderr " . show($err) . ", stdout " . show($out) . ")"
		if $rc != $expect;
	for my $where (qw(stderr stdout))
	{
		my $text = $where eq 'stderr' ? $err : $out;
		for my $frag (values_of($case, $where))
		{
			$frag =~ s/\{(\w+)\}/exists $ph{$1} ? $ph{$1} : "{$1}"/ge;
			push @problems, "$where does not contain " . show($frag) . ": " . show($text) if index($text, $frag) < 0;
		}
	}
	my $json = value($case, 'json') // '';
	if ($json eq 'yes')
	{
		my $doc = decode_json_ok($out);
		push @problems, "stdout is not one JSON document with an \"error\" member: " . show($out)
			unless ref $doc eq 'HASH' && ref $doc->{error} eq 'HASH';
	}
	elsif ($json eq 'doc')
	{
		my $doc = decode_json_ok($out);
		push @problems, "stdout is not one JSON document without \"error\": " . show($out)
			unless ref $doc eq 'HASH' && !exists $doc->{error};
	}
	my $c = { writes => (value($case, 'writes') // '') eq 'yes' };
	push @problems, state_problems($c, undef, $rc == 0 ? 'ok' : 'error');
	return @problems;
}

# ---------------------------------------------------------------------------
# The fixture, then every family.
# ---------------------------------------------------------------------------

my ($ret, $stdout, $stderr) = $node->psql($db, slurp_file("$corpus/setup.sql"), on_error_stop => 1);
is($ret, 0, 'the fixture (setup.sql) loads') or BAIL_OUT("setup.sql failed: $stderr");
new_log();
my $state0 = read_state();
($baseline, $safe_state) = split_state($state0);
is($safe_state, 'canary=0 superuser=false', 'the fixture starts with an empty canary and no superuser bad_actor');

my @payloads = read_payloads();
my %server_families = (
	'server args' => [ map { server_case($_) } check_keys('server', read_cases('server_args.cases')) ],
	'bodies'      => [ map { server_case($_) } check_keys('server', read_cases('bodies.cases')) ],
	'batches'     => [ map { server_case($_) } check_keys('server', read_cases('batches.cases')) ],
	'metadata'    => [ expand_templates([ check_keys('template', read_cases('metadata.cases')) ], \@payloads) ]);

my %seen_id;
for my $family ('server args', 'bodies', 'batches', 'metadata')
{
	for my $case (@{ $server_families{$family} })
	{
		die "$case->{source}: duplicate case id $case->{id}" if $seen_id{ $case->{id} }++;
		next if defined $only && $case->{id} !~ /$only/;
		my $t0 = time();
		report($family, $case, run_server_case($case));
		$seconds{ $case->{id} } = time() - $t0;
		$seconds{"family $family"} += $seconds{ $case->{id} };
	}
}

my %client_families = (
	'files' => [ check_keys('client', read_cases('files.cases')) ],
	'args'  => [ check_keys('client', read_cases('client_args.cases')) ]);
for my $family ('files', 'args')
{
	for my $case (@{ $client_families{$family} })
	{
		die "$case->{source}: duplicate case id $case->{id}" if $seen_id{ $case->{id} }++;
		next if defined $only && $case->{id} !~ /$only/;
		if ((value($case, 'mode') // '') ne '' && $> == 0)
		{
		  SKIP: { skip("$family: $case->{id}: root ignores file modes", 1); }
			next;
		}
		my $t0 = time();
		report($family, $case, run_client_case($family, $case));
		$seconds{ $case->{id} } = time() - $t0;
		$seconds{"family $family"} += $seconds{ $case->{id} };
	}
}

# ---------------------------------------------------------------------------
# Totals.
# ---------------------------------------------------------------------------
my $total = 0;
$total += $_ for values %count;
note(sprintf("%d cases: %s; %d payloads (%d random); %d failed%s", $total,
	join(', ', map { "$_ $count{$_}" } sort keys %count), scalar(@payloads), $random_payloads, scalar(@failed),
	@failed ? ': ' . join(' ', @failed) : ''));
my @slowest = sort { $seconds{$b} <=> $seconds{$a} } keys %seconds;
splice(@slowest, 16) if @slowest > 16;
note('slowest: ' . join(', ', map { sprintf('%s %.2fs', $_, $seconds{$_}) } @slowest));
cmp_ok($total, '>=', 200, "the corpus has at least 200 cases (it has $total)") unless defined $only;
my @crash = crash_lines(slurp_file($node->logfile));
is(scalar(@crash), 0, 'no backend crashed during the whole run') or diag(join("\n", @crash));
is($executed, 0, 'no case wrote the canary or made bad_actor a superuser');
is((split_state(read_state()))[1], 'canary=0 superuser=false', 'at the end the canary is empty and bad_actor is no superuser');

if ($session)
{
	$session_in .= "\\q\n";
	$session->finish;
}
$node->stop;
done_testing();
