# 020_client_kill.pl — threats A4 and A5 of RELIABILITY.md: the client is
# killed with SIGKILL at a random point of `pgmig up`, and it leaves nothing
# behind that needs a person.
#
# The project: a chain r01..r05 written to a tmp folder in pgmig's file format.
# Every body creates table tNN, inserts rows 1-50, calls hb_sleep('body',
# 'tNN'), inserts rows 51-100.  hb_sleep sleeps hb.sleep seconds (1.5) when the
# custom setting hb.slow_body names that table, and not at all otherwise: the
# killed client gets the setting through PGOPTIONS so that only the revision a
# round aims at is slow, and the runs that recover get none and are fast.  The
# sleep is longer than the 1 s limit on purpose: a backend that did not notice
# its client died (no client_connection_check_interval) would hold the lock
# until the body ends, up to 1.35 s after the kill, and the limit would catch
# it.  Row 1 of tNN references row NN of hb_parent (made in the template
# database) through a DEFERRABLE INITIALLY DEFERRED foreign key: its check
# runs at COMMIT (pgmig fires a body's other deferred triggers before the body
# ends, but RI checks run as the table owner and may wait for COMMIT), and a
# round aiming at the COMMIT of k holds row k of hb_parent FOR UPDATE in
# another session, so that COMMIT waits for the row lock.  r01 also creates
# the function and hb_env, which records the client_connection_check_interval
# the client's transaction runs with.
#
# Each round uses a fresh database copied from a template where `pgmig init`
# has run (CREATE DATABASE ... TEMPLATE takes about 70 ms, no more than a
# downgrade, and every count then belongs to the round).  A round picks a window — the rounds are a shuffled, balanced list
# of the five windows, so each round's window is uniformly random and the
# short form still covers all five — and a revision k (uniform over the
# chain), starts `pgmig up` (the real client, PGMIG_BIN) and kills it with
# SIGKILL at a uniformly random offset inside that window:
#   before_lock  before the apply takes the project lock: a random time in
#                [0, D) after the start, D being how long after its start the
#                client's first mig_apply shows (measured at the start: process
#                start, connect, session setup, the upload — whose own
#                transaction holds the project lock for a few ms); only
#                revision 1 has this window, and its body is slow, so a kill
#                that comes later than D lands in that body;
#   waiting      while waiting on the project lock: a second session holds
#                pgmig's lock itself, pg_advisory_xact_lock(1885826407,
#                hashtext('default')) — the key of LockProject() in
#                extension/src/lock.cpp (kLockClass 'pgmg' = 0x70676d67,
#                hashtext(project)); the test checks that the client really
#                waits on that key.  For k = 1 it takes the lock before the
#                client starts (the client's upload waits), for k > 1 while
#                the client runs the body of k-1 (it is granted at that
#                COMMIT, and the client's apply of k waits); kill in [0, 0.3 s);
#   body         while the backend sleeps in the body of k: kill in
#                [0, 0.9 x 1.5 s) after the sleep is seen;
#   after_body   the body of k is done, COMMIT not sent: the client is stopped
#                (SIGSTOP) while the backend runs the body; once the backend
#                is `idle in transaction` after mig_apply, kill in [0, 0.2 s)
#                (without the stop this window lasts microseconds);
#   commit       while COMMIT of k waits in the deferred foreign key check
#                for the row another session holds: kill in [0, 0.9 x 1.5 s).
# The window a kill really hit is read from pg_stat_activity/pg_locks just
# before the kill (one round trip on an open session) and counted; a kill
# between two revisions (the last COMMIT done, the next lock not taken) counts
# as before_lock, one after the last revision as "other" (the test asserts
# there is none).
#
# After each kill (A4):
#   - within 1.0 s of the SIGKILL the client's backend is gone and nobody but
#     the holder session holds or waits for the project's advisory lock
#     (polled every 10 ms on an open session; the time is measured and the
#     maximum reported; a late release is reported with what the backend was
#     doing); after the holder commits, no project lock at all;
#   - the client died of the SIGKILL (it had not finished on its own);
#   - the applied count is the one seen just before the kill (a kill during
#     COMMIT may also find that COMMIT done: counted as "committed anyway");
#   - 0 partial revisions: a revision is in pgmig.applied iff all its objects
#     exist, and then its table holds all 100 rows; the applied set is closed
#     under parents; one apply event per applied revision, none otherwise;
#   - no lease (pgmig.mig_lease), and no event but uploads, applies and a
#     schema snapshot (no failure, start or repair);
#   - (A5) `pgmig --json status` says what the catalog says: applied and
#     pending counts, applied heads, heads, pending revisions in order —
#     computed here from pgmig.applied and pgmig.revision, not by mig_status;
#   - the next `pgmig up` exits 0 and applies exactly the revisions that were
#     pending, after which every revision is complete with one apply event,
#     and `up` once more has nothing to do.
#
# PGMIG_KILL_ROUNDS (default 10; `make stress`: 100) and PGMIG_SEED (printed).
# The last diag line gives the rounds, the windows hit, the maximum release
# time and the partial revisions found.
use strict;
use warnings;

use IPC::Run;
use Time::HiRes qw(time sleep);
use List::Util qw(shuffle max);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use PgmigTest;
use Test::More;

my $rounds = $ENV{PGMIG_KILL_ROUNDS} // 10;
my $seed   = $ENV{PGMIG_SEED} // (time() ^ $$) % 1000000;
srand($seed);
diag("seed $seed (PGMIG_SEED=$seed repeats the same windows, revisions and offsets)");

my $chain        = 5;       # revisions r01..r05
my $slow_sleep   = 1.5;     # seconds, in the body or COMMIT of the revision a round aims at
my $wait_window  = 0.3;     # seconds the client is left waiting on the lock
my $idle_window  = 0.2;     # seconds the stopped client is left idle in transaction
my $release_limit = 1.0;    # seconds (RELIABILITY A4)
my @windows = qw(before_lock waiting body after_body commit);

# The project lock as pg_locks shows it (the key LockProject() takes).
my $lock_key = q{l.locktype = 'advisory'
	AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND l.classid = 1885826407::oid
	AND l.objid = ((hashtext('default')::bigint & 4294967295)::text)::oid
	AND l.objsubid = 2};
my $take_lock = q{SELECT pg_advisory_xact_lock(1885826407, hashtext('default'))};

delete $ENV{PGAPPNAME};    # the client's backends are the ones named 'pgmig'

my $node = PostgreSQL::Test::Cluster->new('kill');
$node->init;
$node->start;

# The chain.
my $dir = PostgreSQL::Test::Utils::tempdir . '/m';
my @revs = map { sprintf('r%02d', $_) } 1 .. $chain;
my %objects;    # revision => SQL expressions, one per object it creates
for my $i (1 .. $chain)
{
	my ($id, $t) = ($revs[ $i - 1 ], sprintf('t%02d', $i));
	my $up = '';
	my $down = "DROP TABLE $t;";
	$objects{$id} = ["to_regclass('$t') IS NOT NULL"];
	if ($i == 1)
	{
		$up .= <<'SQL';
CREATE FUNCTION hb_sleep(kind text, tbl text) RETURNS void LANGUAGE sql AS $f$
SELECT pg_sleep(CASE WHEN current_setting('hb.slow_' || kind, true) = tbl
                     THEN current_setting('hb.sleep')::float8 ELSE 0 END)
$f$;
CREATE TABLE hb_env AS SELECT current_setting('client_connection_check_interval') AS check_interval;
SQL
		$down .= "\nDROP TABLE hb_env;\nDROP FUNCTION hb_sleep(text, text);";
		push @{ $objects{$id} }, "to_regclass('hb_env') IS NOT NULL",
		  "to_regprocedure('hb_sleep(text, text)') IS NOT NULL";
	}
	$up .= <<"SQL";
CREATE TABLE $t (id int PRIMARY KEY, p int REFERENCES hb_parent DEFERRABLE INITIALLY DEFERRED);
INSERT INTO $t SELECT g, CASE WHEN g = 1 THEN $i END FROM generate_series(1, 50) g;
SELECT hb_sleep('body', '$t');
INSERT INTO $t SELECT g FROM generate_series(51, 100) g;
SQL
	chomp $up;
	write_migration($dir, $id, $i == 1 ? [] : [ $revs[ $i - 2 ] ], $up, $down);
}

# PGOPTIONS for the killed client: revision $k's body or COMMIT is slow.
sub slow_options
{
	my ($kind, $k) = @_;
	return "-c hb.sleep=$slow_sleep" . ($k ? sprintf(' -c hb.slow_%s=t%02d', $kind, $k) : '');
}

$node->safe_psql('postgres', 'CREATE DATABASE hb_template');
$node->safe_psql('hb_template', "CREATE TABLE hb_parent (id int PRIMARY KEY); INSERT INTO hb_parent SELECT generate_series(1, $chain)");
my ($rc, $out, $err) = pgmig($node, 'hb_template', 'init');
is($rc, 0, 'init in the template database') or diag("$out\n$err");

# ---------------------------------------------------------------------------
# An open psql session: session_query() costs one round trip, not a process start,
# so polls every few ms are cheap.  session_send() hands a statement to psql
# without waiting for its end (for one that blocks); every statement is
# followed by an \echo marker that session_wait() waits for.
sub session_open
{
	my ($db) = @_;
	my $s = { in => '', out => '', err => '', n => 0, timer => IPC::Run::timer(60) };
	$s->{h} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=0', '-d', $node->connstr($db) ],
		'<', \$s->{in}, '>', \$s->{out}, '2>', \$s->{err}, $s->{timer});
	return $s;
}

# Hands one statement to psql; returns its marker.
sub session_send
{
	my ($s, $sql) = @_;
	my $marker = 'hb_done_' . ++$s->{n};
	$s->{in} .= "$sql;\n\\echo $marker\n";
	$s->{h}->pump_nb while length $s->{in};    # IPC::Run writes stdin only when pumped
	return $marker;
}

# Waits for a marker; returns the output before it (dies on an error or
# after 60 s).
sub session_wait
{
	my ($s, $marker) = @_;
	$s->{timer}->start(60);
	$s->{h}->pump until $s->{out} =~ /^\Q$marker\E\n/m || $s->{timer}->is_expired;
	die "psql session: no answer within 60 s; stderr: $s->{err}" unless $s->{out} =~ /^\Q$marker\E\n/m;
	$s->{out} =~ s/\A(.*?)^\Q$marker\E\n//ms;
	my $result = $1;
	die "psql session: $s->{err}" if $s->{err} =~ /ERROR|FATAL/;
	$s->{err} = '';
	chomp $result;
	return $result;
}

# One statement, its output.
sub session_query
{
	my ($s, $sql) = @_;
	return session_wait($s, session_send($s, $sql));
}

# Ends the session.
sub session_close
{
	my ($s) = @_;
	$s->{in} .= "\\q\n";
	$s->{h}->finish;
}

# ---------------------------------------------------------------------------
# What the client is doing, in one round trip: the committed applied count,
# and per backend named 'pgmig' its pid, state, wait event, whether it holds
# or waits for the project lock, and its query (the client sends BEGIN, its
# settings and the mig_apply call as one string, so the whole of it).
sub observe
{
	my ($s) = @_;
	my $text = session_query(
		$s, qq{
SELECT 'A|' || (SELECT count(*) FROM pgmig.applied WHERE project = 'default')
UNION ALL
SELECT concat_ws('|', 'B', a.pid, coalesce(a.state, '-'), coalesce(a.wait_event_type, '-'),
	coalesce(a.wait_event, '-'),
	EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND $lock_key),
	EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND $lock_key),
	regexp_replace(left(a.query, 1024), '\\s+', ' ', 'g'))
  FROM pg_stat_activity a
 WHERE a.datname = current_database() AND a.application_name = 'pgmig'});
	my $o = { applied => -1, backends => [] };
	for my $line (split /\n/, $text)
	{
		if ($line =~ /^A\|(\d+)$/) { $o->{applied} = $1; next; }
		my (undef, $pid, $state, $wtype, $wevent, $holds, $waits, $query) = split /\|/, $line, 8;
		push @{ $o->{backends} }, {
			pid => $pid, state => $state, wtype => $wtype, wevent => $wevent,
			holds => $holds eq 't', waits => $waits eq 't', query => $query // '' };
	}
	$o->{b} = $o->{backends}[0];
	return $o;
}

# One line for messages.
sub describe
{
	my ($o) = @_;
	return "applied $o->{applied}, no client backend" unless $o->{b};
	my $b = $o->{b};
	return "applied $o->{applied}, backend $b->{pid} $b->{state}, wait $b->{wtype}/$b->{wevent}"
	  . ($b->{holds} ? ', holds the project lock' : '')
	  . ($b->{waits} ? ', waits for the project lock' : '')
	  . ", query: $b->{query}";
}

# The window an observation shows (see the header).
sub classify
{
	my ($o) = @_;
	my $b = $o->{b};
	return 'before_lock' unless $b;    # not connected yet
	return 'waiting' if $b->{waits};
	# the apply's string starts with BEGIN and the settings: it is in the body
	# once it holds the project lock
	return 'body' if $b->{query} =~ /mig_apply/ && $b->{state} eq 'active' && $b->{holds};
	return 'after_body' if $b->{query} =~ /mig_apply/ && $b->{state} eq 'idle in transaction';
	return 'commit' if $b->{query} =~ /^COMMIT/ && $b->{state} eq 'active';
	return 'other' if $o->{applied} == $chain;    # after the last revision (summary, schema snapshot)
	return 'before_lock';    # connecting, session setup, push, or between two revisions
}

# Polls observe() every $interval s (default 5 ms) until $cond holds (at
# most 30 s); returns the observation, or undef with the last one in $$last.
sub wait_for
{
	my ($s, $cond, $last, $interval) = @_;
	my $until = time() + 30;
	while (time() < $until)
	{
		my $o = observe($s);
		$$last = $o;
		return $o if $cond->($o);
		sleep($interval // 0.005);
	}
	return undef;
}

# A condition for wait_for(): the backend sleeps in the body of revision $k.
sub in_body
{
	my ($k) = @_;
	return sub {
		my $b = $_[0]{b};
		return $_[0]{applied} == $k - 1 && $b && $b->{state} eq 'active' && $b->{query} =~ /mig_apply/
		  && $b->{wevent} eq 'PgSleep';
	};
}

# A condition for wait_for(): the backend waits in COMMIT of revision $k
# (in the deferred foreign key check, for the row the holder locked).
sub in_commit
{
	my ($k) = @_;
	return sub {
		my $b = $_[0]{b};
		return $_[0]{applied} == $k - 1 && $b && $b->{state} eq 'active' && $b->{query} =~ /^COMMIT/
		  && $b->{wtype} eq 'Lock';
	};
}

# Polls every 10 ms from $t0 until no backend named 'pgmig' is left and no
# one but $holder_pid holds or waits for the project lock.  Returns (seconds
# since $t0 or undef after 10 s, what the backend was doing 1 s after the
# kill when it was still there).
sub wait_released
{
	my ($s, $t0, $holder_pid) = @_;
	my $late;
	while (1)
	{
		my $r = session_query(
			$s, qq{
SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgmig')
	|| '|' || (SELECT count(*) FROM pg_locks l WHERE $lock_key AND l.pid <> $holder_pid)});
		my $now = time();
		return ($now - $t0, $late) if $r eq '0|0';
		if (!defined $late && $now - $t0 > $release_limit)
		{
			my $o = observe($s);
			$late = describe($o) . "; project lock rows: "
			  . session_query($s, "SELECT coalesce(string_agg(pid || (CASE WHEN granted THEN ' holds' ELSE ' waits' END), ', '), 'none') FROM pg_locks l WHERE $lock_key");
		}
		return (undef, $late) if $now - $t0 > 10;
		sleep(0.01);
	}
}

# The catalog's view, read with SQL: per revision of the chain (applied,
# objects present, objects expected, rows in its table or -1, apply events,
# stored), and the project figures that `pgmig status` reports.
sub catalog_view
{
	my ($s) = @_;
	my $values = join(",\n", map {
		my ($id, $i) = ($_, substr($_, 1));
		my @o = @{ $objects{$id} };
		"('$id', 't$i', " . join(' + ', map { "($_)::int" } @o) . ", " . scalar(@o) . ")"
	} @revs);
	my $text = session_query(
		$s, qq{
SELECT concat_ws('|', c.id, a.revision IS NOT NULL, c.present, c.expected,
	CASE WHEN to_regclass(c.tbl) IS NULL THEN -1
	     ELSE (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', c.tbl), false, true, '')))[1]::text::int END,
	(SELECT count(*) FROM pgmig.event e WHERE e.project = 'default' AND e.revision = c.id AND e.kind = 'apply'),
	r.revision IS NOT NULL)
  FROM (VALUES $values) c(id, tbl, present, expected)
  LEFT JOIN pgmig.applied a ON a.project = 'default' AND a.revision = c.id
  LEFT JOIN pgmig.revision r ON r.project = 'default' AND r.revision = c.id
 ORDER BY c.id});
	my %v = (rev => {});
	for my $line (split /\n/, $text)
	{
		my ($id, $applied, $present, $expected, $rows, $events, $stored) = split /\|/, $line;
		$v{rev}{$id} = { applied => $applied eq 't', present => $present, expected => $expected,
			rows => $rows, events => $events, stored => $stored eq 't' };
	}
	my ($applied, $current, $heads, $pending, $orphans, $lease, $other_events) = split /\|/, session_query(
		$s, q{
SELECT concat_ws('|',
	(SELECT count(*) FROM pgmig.applied WHERE project = 'default'),
	(SELECT coalesce(string_agg(a.revision, ' ' ORDER BY a.revision COLLATE "C"), '') FROM pgmig.applied a
	  WHERE a.project = 'default'
	    AND NOT EXISTS (SELECT 1 FROM pgmig.applied b JOIN pgmig.revision rb USING (project, revision)
	                     WHERE b.project = 'default' AND a.revision = ANY (rb.parents))),
	(SELECT coalesce(string_agg(r.revision, ' ' ORDER BY r.revision COLLATE "C"), '') FROM pgmig.revision r
	  WHERE r.project = 'default'
	    AND NOT EXISTS (SELECT 1 FROM pgmig.revision c WHERE c.project = 'default' AND r.revision = ANY (c.parents))),
	(SELECT coalesce(string_agg(r.revision, ' ' ORDER BY r.revision COLLATE "C"), '') FROM pgmig.revision r
	  WHERE r.project = 'default'
	    AND NOT EXISTS (SELECT 1 FROM pgmig.applied a WHERE a.project = 'default' AND a.revision = r.revision)),
	(SELECT count(*) FROM pgmig.applied a JOIN pgmig.revision r USING (project, revision)
	  WHERE a.project = 'default'
	    AND EXISTS (SELECT 1 FROM unnest(r.parents) p
	                 WHERE NOT EXISTS (SELECT 1 FROM pgmig.applied b WHERE b.project = 'default' AND b.revision = p))),
	(SELECT count(*) FROM pgmig.mig_lease('default')),
	(SELECT count(*) FROM pgmig.event WHERE project = 'default' AND kind NOT IN ('upload', 'apply', 'snapshot')))});
	@v{qw(applied current heads pending orphans lease other_events)} =
	  ($applied, $current // '', $heads // '', $pending // '', $orphans, $lease, $other_events);
	return \%v;
}

# The partial revisions in a catalog view, as messages: applied without all
# its objects, rows or its one apply event; not applied with any of them.
sub partials
{
	my ($v) = @_;
	my @bad;
	for my $id (@revs)
	{
		my $r = $v->{rev}{$id};
		if ($r->{applied})
		{
			push @bad, "$id is applied but has $r->{present} of its $r->{expected} objects, $r->{rows} of 100 rows, "
			  . "$r->{events} apply events (expected 1)"
			  unless $r->{present} == $r->{expected} && $r->{rows} == 100 && $r->{events} == 1;
		}
		else
		{
			push @bad, "$id is not applied but $r->{present} of its objects exist and it has $r->{events} apply events"
			  unless $r->{present} == 0 && $r->{events} == 0;
		}
	}
	return @bad;
}

# Compares `pgmig --json status` with a catalog view (A5); returns the
# differences as messages.
sub status_differences
{
	my ($db, $v) = @_;
	my ($rc, $out, $err) = pgmig($node, $db, '--json', 'status');
	return ("pgmig status exited $rc: $err") if $rc != 0;
	my $j = decode_json_ok($out);
	return ("pgmig status printed no JSON: $out") unless $j;
	my @d;
	my %want = (
		applied => $v->{applied},
		pending => scalar(my @p = split / /, $v->{pending}),
		current => $v->{current},
		heads => $v->{heads},
		pending_revisions => $v->{pending},
		nontransactional_pending => '');
	my %got = (
		applied => $j->{applied} // 'missing',
		pending => $j->{pending} // 'missing',
		current => join(' ', sort @{ $j->{current} // ['missing'] }),
		heads => join(' ', sort @{ $j->{heads} // ['missing'] }),
		pending_revisions => join(' ', @{ $j->{pending_revisions} // ['missing'] }),
		nontransactional_pending => join(' ', @{ $j->{nontransactional_pending} // ['missing'] }));
	for my $k (sort keys %want)
	{
		push @d, "status $k is '$got{$k}', the catalog says '$want{$k}'" if "$got{$k}" ne "$want{$k}";
	}
	return @d;
}

# ---------------------------------------------------------------------------
# D of the before_lock window: how long after its start the client's first
# mig_apply shows in pg_stat_activity (polled every 5 ms as in the rounds;
# median of 3 runs of `up` into fresh databases; each is killed once seen).
my @start_times;
for my $i (1 .. 3)
{
	$node->safe_psql('postgres', "CREATE DATABASE calib$i TEMPLATE hb_template");
	my $s = session_open("calib$i");
	my ($cout, $cerr, $last) = ('', '', undef);
	my $h;
	{
		local $ENV{PGOPTIONS} = slow_options('body', 1);
		$h = pgmig_start($node, "calib$i", \$cout, \$cerr, '--dir', $dir, 'up');
	}
	my $t = time();
	my $seen = wait_for($s, sub { $_[0]{b} && $_[0]{b}{query} =~ /mig_apply/ }, \$last);
	push @start_times, time() - $t;
	ok($seen, "calibration $i: the client's first mig_apply was seen") or diag(describe($last) . "\n$cerr");
	kill 'KILL', $h->{KIDS}[0]{PID};
	$h->finish;
	session_close($s);
	$node->safe_psql('postgres', "DROP DATABASE calib$i WITH (FORCE)");
}
my $before_window = (sort { $a <=> $b } @start_times)[1];
note(sprintf('before_lock window: %.0f ms (median of %s ms)', $before_window * 1000,
	join(', ', map { sprintf('%.0f', $_ * 1000) } @start_times)));

# ---------------------------------------------------------------------------
my %targeted = map { $_ => 0 } @windows, 'other';
my %hit = %targeted;
my ($max_release, $max_release_round, $partial_found, $committed_anyway) = (0, 0, 0, 0);
my %release_by_window;    # window => [seconds]
my @late;                 # rounds released later than the limit
my $check_interval;
my @plan = (shuffle((@windows) x int(($rounds + @windows - 1) / @windows)))[ 0 .. $rounds - 1 ];

# One round: fresh database, kill in the window, the checks of the header.
sub run_round
{
	my ($round, $window) = @_;
	my $db = "kill$round";
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE hb_template");
	my $mon = session_open($db);
	my $k = $window eq 'before_lock' ? 1 : 1 + int(rand($chain));
	my ($holder, $holder_pid) = (undef, 0);
	if ($window eq 'waiting' || $window eq 'commit')
	{
		$holder = session_open($db);
		$holder_pid = session_query($holder, 'SELECT pg_backend_pid()');
		session_query($holder, "BEGIN; $take_lock") if $window eq 'waiting' && $k == 1;
		session_query($holder, "BEGIN; SELECT id FROM hb_parent WHERE id = $k FOR UPDATE")
		  if $window eq 'commit';
	}

	my ($cout, $cerr) = ('', '');
	my $h;
	{
		local $ENV{PGOPTIONS} =
		    $window eq 'before_lock' ? slow_options('body', 1)
		  : $window eq 'waiting'     ? slow_options('body', $k - 1)
		  : $window eq 'commit'      ? slow_options('body', 0)
		  :                            slow_options('body', $k);
		$h = pgmig_start($node, $db, \$cout, \$cerr, '--dir', $dir, 'up');
	}
	my $pid = $h->{KIDS}[0]{PID};
	my $t_start = time();
	my ($reached, $last) = (1, undef);
	my $offset;
	if ($window eq 'before_lock')
	{
		$offset = rand($before_window);
		sleep(max(0, $t_start + $offset - time()));
	}
	elsif ($window eq 'waiting')
	{
		if ($k > 1)
		{
			$reached &&= defined wait_for($mon, in_body($k - 1), \$last);
			session_send($holder, "BEGIN; $take_lock");
		}
		$reached &&= defined wait_for($mon, sub { $_[0]{applied} == $k - 1 && $_[0]{b} && $_[0]{b}{waits} }, \$last);
		$offset = rand($wait_window);
		sleep($offset);
	}
	elsif ($window eq 'body')
	{
		$reached &&= defined wait_for($mon, in_body($k), \$last);
		$offset = rand(0.9 * $slow_sleep);
		sleep($offset);
	}
	elsif ($window eq 'after_body')
	{
		$reached &&= defined wait_for($mon, in_body($k), \$last);
		kill 'STOP', $pid;
		$reached &&= defined wait_for($mon,
			sub { $_[0]{b} && $_[0]{b}{state} eq 'idle in transaction' && $_[0]{b}{query} =~ /mig_apply/ }, \$last);
		$offset = rand($idle_window);
		sleep($offset);
	}
	elsif ($window eq 'commit')
	{
		$reached &&= defined wait_for($mon, in_commit($k), \$last);
		$offset = rand(0.9 * $slow_sleep);
		sleep($offset);
	}
	ok($reached, "round $round: the client reached the $window window of r0$k")
	  or diag('last seen: ' . describe($last) . "\nclient stderr so far: $cerr");

	my $seen = observe($mon);
	my $t0 = time();
	kill 'KILL', $pid;
	my ($released, $late) = wait_released($mon, $t0, $holder_pid);
	$h->finish;
	my $hit = classify($seen);
	$targeted{$window}++;
	$hit{$hit}++;
	is($h->full_result(0) & 127, 9, "round $round: the client died of the SIGKILL")
	  or diag("it exited with status " . $h->full_result(0) . " before the kill\nstdout: $cout\nstderr: $cerr");
	ok(defined $released && $released <= $release_limit,
		"round $round ($hit): backend gone and project lock free within $release_limit s of the SIGKILL")
	  or diag(sprintf("released after %s; seen just before the kill: %s; 1 s after: %s",
		defined $released ? sprintf('%.0f ms', $released * 1000) : 'more than 10 s', describe($seen), $late // '-'));
	if (defined $released)
	{
		push @{ $release_by_window{$hit} }, $released;
		($max_release, $max_release_round) = ($released, $round) if $released > $max_release;
	}
	push @late, sprintf('round %d (%s): %s; 1 s after the kill: %s', $round, $hit,
		defined $released ? sprintf('%.0f ms', $released * 1000) : 'not within 10 s', $late)
	  if !defined $released || $released > $release_limit;
	if ($holder)
	{
		session_query($holder, 'COMMIT');
		session_close($holder);
	}
	is(session_query($mon, "SELECT count(*) FROM pg_locks l WHERE $lock_key"), '0',
		"round $round: no project lock is held or awaited");

	my $v = catalog_view($mon);
	my $applied_ok = $v->{applied} == $seen->{applied}
	  || ($hit eq 'commit' && $v->{applied} == $seen->{applied} + 1);
	$committed_anyway++ if $hit eq 'commit' && $v->{applied} == $seen->{applied} + 1;
	ok($applied_ok, "round $round ($hit): $v->{applied} applied after the kill, $seen->{applied} before it")
	  or diag(describe($seen));
	my @bad = partials($v);
	$partial_found += @bad;
	is(join("\n", @bad), '', "round $round ($hit): no partial revision after the kill");
	is($v->{orphans}, 0, "round $round: the applied set is closed under parents");
	is($v->{lease} . '|' . $v->{other_events}, '0|0',
		"round $round: no lease; no event but uploads, applies and a schema snapshot");
	is(join("\n", status_differences($db, $v)), '', "round $round: pgmig status says what the catalog says");

	# The next `up`: no sleeps, no manual step.
	my @pending = grep { !$v->{rev}{$_}{applied} } @revs;
	my ($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'up');
	is($rc, 0, "round $round: the next up exits 0") or diag("$out\n$err");
	my $j = decode_json_ok($out) // {};
	is(join(' ', map { $_->{revision} } @{ $j->{revisions} // [] }), join(' ', @pending),
		"round $round: it applied exactly what was pending");
	my $after = catalog_view($mon);
	@bad = partials($after);
	$partial_found += @bad;
	is(join("\n", @bad) . "|$after->{applied}", "|$chain", "round $round: then all $chain revisions are complete");
	($rc, $out, $err) = pgmig($node, $db, '--json', '--dir', $dir, 'up');
	$j = decode_json_ok($out) // {};
	is("$rc|" . scalar(@{ $j->{revisions} // ['missing'] }), '0|0', "round $round: up once more has nothing to do")
	  or diag("$out\n$err");
	$check_interval //= session_query($mon, 'SELECT check_interval FROM hb_env');

	note(sprintf('round %d: %s (aimed at %s, r0%d), %.0f ms into the window; applied %d before the kill, %d after; '
		  . 'released in %s; seen before the kill: %s', $round, $hit, $window, $k, $offset * 1000, $seen->{applied},
		$v->{applied}, defined $released ? sprintf('%.0f ms', $released * 1000) : 'never', describe($seen)));
	session_close($mon);
	$node->safe_psql('postgres', "DROP DATABASE $db WITH (FORCE)");
}

my $t_rounds = time();
run_round($_, $plan[ $_ - 1 ]) for 1 .. $rounds;

diag(sprintf('%d rounds in %.1f s; windows hit: %s (aimed: %s); max lock release %.0f ms (round %d); '
	  . 'release median/max per window: %s; %d partial revisions; %d kills in COMMIT found it committed; '
	  . 'client_connection_check_interval %s',
	$rounds, time() - $t_rounds,
	join(', ', map { "$_ $hit{$_}" } @windows, 'other'),
	join(', ', map { "$_ $targeted{$_}" } @windows),
	$max_release * 1000, $max_release_round,
	join(', ', map {
		my @t = sort { $a <=> $b } @{ $release_by_window{$_} // [] };
		@t ? sprintf('%s %.0f/%.0f ms', $_, $t[$#t / 2] * 1000, $t[-1] * 1000) : "$_ -"
	} @windows),
	$partial_found, $committed_anyway, $check_interval // '?'));
diag("late releases:\n" . join("\n", @late)) if @late;
# for docs/stress.md (scripts/stress.sh collects "# figure:" lines)
diag("figure: kill_rounds = $rounds");
diag('figure: kill_windows_hit = ' . join(', ', map { "$_ $hit{$_}" } @windows));
diag(sprintf('figure: kill_lock_release_max_ms = %.0f', $max_release * 1000));
diag('figure: kill_late_releases = ' . scalar(@late));
diag("figure: kill_partial_revisions = $partial_found");
diag("figure: kill_commit_kills_found_committed = $committed_anyway");
is($hit{other}, 0, 'every kill landed in one of the five windows');

$node->stop;
done_testing();
