// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger (ledger.h), in SQLite.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include <greenai/cgroup.h>
#include <greenai/identity.h>
#include <greenai/ledger.h>

#define GA_LEDGER_BUSY_MS	10000

struct ga_ledger {
	sqlite3 *db;
	char path[4096];
	char err[4096 + 512];
};

/* Schema version N is migrations[0..N-1] applied in order. */
static const char *const ga_migrations[GA_LEDGER_VERSION] = {
	/* 1: runs, their energy per domain, tags and metrics */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" model TEXT,"
	" command TEXT NOT NULL,"
	" host TEXT NOT NULL,"
	" backend TEXT NOT NULL,"
	" start_unix_ns INTEGER NOT NULL,"
	" end_unix_ns INTEGER,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 2),"
	" exit_code INTEGER,"
	" owner_pid INTEGER NOT NULL,"
	" owner_start INTEGER NOT NULL,"
	" region TEXT,"
	" mg_per_kwh INTEGER NOT NULL,"
	" intensity_source TEXT NOT NULL,"
	" pue_milli INTEGER NOT NULL,"
	" co2_ug INTEGER,"
	" accuracy_pct REAL);"
	"CREATE TABLE run_energy ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" domain TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" active_uj INTEGER NOT NULL,"
	" idle_uj INTEGER NOT NULL,"
	" estimated INTEGER NOT NULL,"
	" in_total INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, domain));"
	"CREATE TABLE run_tags ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (run_id, key));"
	"CREATE TABLE run_metrics ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value REAL NOT NULL,"
	" PRIMARY KEY (run_id, key));"
	"CREATE INDEX runs_model ON runs (model);",
	/* 2: where each run ran: its cgroup, the container greenai was in */
	"ALTER TABLE runs ADD COLUMN cgroup TEXT;"
	"ALTER TABLE runs ADD COLUMN container_runtime TEXT;"
	"ALTER TABLE runs ADD COLUMN container_id TEXT;"
	"CREATE INDEX runs_container ON runs (container_id);",
	/* 3: the intensity in force over a run, and its carbon-aware pauses */
	"CREATE TABLE run_intensity ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" start_unix_ns INTEGER NOT NULL,"
	" end_unix_ns INTEGER NOT NULL,"
	" mg_per_kwh INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" energy_uj INTEGER NOT NULL,"
	" co2_ug INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, seq));"
	"CREATE TABLE run_pauses ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('wait', 'freeze')),"
	" start_unix_ns INTEGER NOT NULL,"
	" end_unix_ns INTEGER NOT NULL,"
	" mg_during INTEGER NOT NULL,"
	" mg_after INTEGER NOT NULL,"
	" power_uw INTEGER NOT NULL,"
	" avoided_ug INTEGER,"
	" PRIMARY KEY (run_id, seq));",
	/* 4: the idle policy a run's energy was split under */
	"ALTER TABLE runs ADD COLUMN idle_policy TEXT;",
	/* 5: how an estimated domain was estimated, what weighed the CPUs */
	("ALTER TABLE run_energy ADD COLUMN estimated_by TEXT;"
	 "ALTER TABLE runs ADD COLUMN weights TEXT;"),
	/* 6: the functional unit, the Python, the CPU time and the machine */
	("ALTER TABLE runs ADD COLUMN units REAL CHECK (units > 0);"
	 "ALTER TABLE runs ADD COLUMN unit TEXT;"
	 "ALTER TABLE runs ADD COLUMN python_version TEXT;"
	 "ALTER TABLE runs ADD COLUMN cpu_ns INTEGER;"
	 "ALTER TABLE runs ADD COLUMN nr_cpus INTEGER;"
	 "ALTER TABLE runs ADD COLUMN cpu_model TEXT;"
	 "ALTER TABLE runs ADD COLUMN ram_total_kb INTEGER;"
	 "ALTER TABLE runs ADD COLUMN on_cloud INTEGER;"),
	/* 7: the models of the GPUs in the run's energy */
	"ALTER TABLE runs ADD COLUMN gpu_models TEXT;",
};

static int ga_ledger_fail(struct ga_ledger *l, int r, const char *what)
{
	/* -EIO: SQLite's own error says what; else errno's */
	snprintf(l->err, sizeof(l->err), "ledger %s: %s: %s", l->path, what,
		 r == -EIO && l->db ? sqlite3_errmsg(l->db) : strerror(-r));
	return r;
}

const char *ga_ledger_error(const struct ga_ledger *l)
{
	return l->err;
}

const char *ga_run_status_name(enum ga_run_status s)
{
	static const char *const names[] = {
		[GA_RUN_RUNNING] = "running",
		[GA_RUN_DONE] = "done",
		[GA_RUN_INCOMPLETE] = "incomplete",
	};

	return (unsigned int)s < 3 ? names[s] : "?";
}

/**
 * ga_ledger_default_path() - where the ledger is when no path is given
 * @buf: the path
 * @size: its size
 *
 * Root: /var/lib/greenai/ledger.db; others: $XDG_DATA_HOME/greenai/
 * ledger.db, $XDG_DATA_HOME defaulting to ~/.local/share.
 *
 * Return: 0, -ENOENT without a home, -ENAMETOOLONG.
 */
int ga_ledger_default_path(char *buf, size_t size)
{
	int n;

	if (geteuid() != 0)
		return ga_xdg_path(buf, size, "XDG_DATA_HOME", ".local/share",
				   "greenai/ledger.db");
	n = snprintf(buf, size, "/var/lib/greenai/ledger.db");
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* An exclusive lock on "<ledger>.lock", held while the ledger is set up. */
static int ga_ledger_lock(struct ga_ledger *l)
{
	char path[sizeof(l->path) + 8];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", l->path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/*
 * The ledger's files readable by their owner only: the database made
 * 0600 before SQLite opens it (its -wal and -shm files take its mode),
 * and those an older greenai left readable by others made so.
 */
static int ga_ledger_private(struct ga_ledger *l)
{
	static const char *const ext[] = { "", "-wal", "-shm", ".lock" };
	char path[sizeof(l->path) + 8];
	unsigned int i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		struct stat st;
		int fd;

		snprintf(path, sizeof(path), "%s%s", l->path, ext[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
				(i ? 0 : O_CREAT), 0600);
		if (fd < 0) {
			if (i && errno == ENOENT)
				continue;
			return -errno;
		}
		if (!fstat(fd, &st) && (st.st_mode & 077) &&
		    st.st_uid == geteuid() && fchmod(fd, st.st_mode & 0700)) {
			int r = -errno;

			close(fd);
			return r;
		}
		close(fd);
	}
	return 0;
}

static int ga_exec(struct ga_ledger *l, const char *sql)
{
	return sqlite3_exec(l->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 :
									 -EIO;
}

static int ga_user_version(struct ga_ledger *l, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &st, NULL))
		return -EIO;
	rc = sqlite3_step(st);
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

/*
 * Why a ledger could not be opened, in words: a file that is not SQLite
 * is not a ledger; a full disk or an I/O error is said as such.
 */
static const char *ga_open_what(struct ga_ledger *l)
{
	switch (l->db ? sqlite3_errcode(l->db) : SQLITE_ERROR) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return "not a greenai ledger";
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return "cannot read or write it (is its disk full?)";
	default:
		return "cannot open it";
	}
}

/* Bring the schema to GA_LEDGER_VERSION, once, whoever else opens it. */
static int ga_ledger_migrate(struct ga_ledger *l)
{
	char sql[64];
	int v, i;

	if (ga_user_version(l, &v))
		return ga_ledger_fail(l, -EIO, ga_open_what(l));
	if (v == GA_LEDGER_VERSION)
		return 0;
	if (ga_exec(l, "BEGIN IMMEDIATE"))
		return ga_ledger_fail(l, -EIO, "cannot lock it to migrate");
	if (ga_user_version(l, &v))
		goto fail;
	if (v > GA_LEDGER_VERSION) {
		ga_exec(l, "ROLLBACK");
		snprintf(l->err, sizeof(l->err),
			 "ledger %s: schema version %d is newer than this greenai's (%d): use a newer greenai",
			 l->path, v, GA_LEDGER_VERSION);
		return -EPROTO;
	}
	for (i = v; i < GA_LEDGER_VERSION; i++)
		if (ga_exec(l, ga_migrations[i]))
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 GA_LEDGER_VERSION);
	if (ga_exec(l, sql) || ga_exec(l, "COMMIT"))
		goto fail;
	return 0;
fail:
	ga_ledger_fail(l, -EIO, "migrating the schema");
	ga_exec(l, "ROLLBACK");
	return -EIO;
}

/**
 * ga_ledger_open() - open (and create, migrate, recover) a ledger
 * @out: the ledger
 * @path: its file; NULL for ga_ledger_default_path()
 * @err: what went wrong
 * @err_size: its size
 *
 * Return: 0, or -errno with @err set.
 */
int ga_ledger_open(struct ga_ledger **out, const char *path, char *err,
		   size_t err_size)
{
	struct ga_ledger *l = calloc(1, sizeof(*l));
	int r, lock = -1;

	if (!l)
		return -ENOMEM;
	r = path ? (strlen(path) < sizeof(l->path) ? 0 : -ENAMETOOLONG) :
		   ga_ledger_default_path(l->path, sizeof(l->path));
	if (!r && path)
		strcpy(l->path, path);
	if (r) {
		snprintf(err, err_size, "ledger: no path: %s", strerror(-r));
		free(l);
		return r;
	}
	/* command lines and model names: for its owner only */
	r = ga_mkdir_parents(l->path, 0700);
	if (r) {
		ga_ledger_fail(l, r, "cannot make its directory");
		goto fail;
	}
	/*
	 * Openers take turns to set it up: SQLite does not wait for a lock
	 * when two connections switch a new file to WAL at once.
	 */
	lock = ga_ledger_lock(l);
	if (lock < 0) {
		r = ga_ledger_fail(l, lock, "cannot lock it");
		goto fail;
	}
	r = ga_ledger_private(l);
	if (r) {
		ga_ledger_fail(l, r, "cannot make it private");
		goto fail;
	}
	if (sqlite3_open_v2(l->path, &l->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)) {
		r = ga_ledger_fail(l, -EIO, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(l->db, GA_LEDGER_BUSY_MS);
	if (ga_exec(l, "PRAGMA journal_mode = WAL") ||
	    ga_exec(l, "PRAGMA foreign_keys = ON")) {
		r = ga_ledger_fail(l, -EIO, ga_open_what(l));
		goto fail;
	}
	r = ga_ledger_migrate(l);
	r = r ?: ga_ledger_recover(l, NULL);
	if (r)
		goto fail;
	close(lock);
	*out = l;
	return 0;
fail:
	if (lock >= 0)
		close(lock);
	snprintf(err, err_size, "%s", l->err);
	ga_ledger_close(l);
	return r;
}

void ga_ledger_close(struct ga_ledger *l)
{
	if (!l)
		return;
	sqlite3_close(l->db);
	free(l);
}

static void ga_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* A count, NULL when 0 (not known). */
static void ga_bind_nonzero(sqlite3_stmt *st, int i, uint64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, (int64_t)v);
	else
		sqlite3_bind_null(st, i);
}

/* The functional units, NULL when not said (never 0, never negative). */
static void ga_bind_units(sqlite3_stmt *st, int i, const struct ga_run *run)
{
	if (run->has_units && run->units > 0)
		sqlite3_bind_double(st, i, run->units);
	else
		sqlite3_bind_null(st, i);
}

/* Run @st to its end; finalize it. */
static int ga_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/**
 * ga_ledger_begin() - record a run that starts now
 * @l: the ledger
 * @run: what is known at the start; its id is set
 *
 * The calling process is the run's owner: if it dies before
 * ga_ledger_finish(), the next opening marks the run incomplete.
 *
 * Return: 0 or -errno (ga_ledger_error() says why).
 */
int ga_ledger_begin(struct ga_ledger *l, struct ga_run *run)
{
	static const char sql[] =
		"INSERT INTO runs (model, command, host, backend,"
		" start_unix_ns, status, owner_pid, owner_start, region,"
		" mg_per_kwh, intensity_source, pue_milli, cgroup,"
		" container_runtime, container_id)"
		" VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct ga_proc_stat self;
	sqlite3_stmt *st;
	int r;

	r = ga_proc_stat_read("/", getpid(), &self);
	if (r)
		return ga_ledger_fail(l, r, "reading this process's start time");
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
		return ga_ledger_fail(l, -EIO, "recording a run");
	ga_bind_text(st, 1, run->model);
	ga_bind_text(st, 2, run->command);
	ga_bind_text(st, 3, run->host);
	ga_bind_text(st, 4, run->backend);
	sqlite3_bind_int64(st, 5, run->start_unix_ns);
	sqlite3_bind_int64(st, 6, getpid());
	sqlite3_bind_int64(st, 7, (int64_t)self.start_time);
	ga_bind_text(st, 8, run->region);
	sqlite3_bind_int64(st, 9, run->mg_per_kwh);
	ga_bind_text(st, 10, run->intensity_source);
	sqlite3_bind_int64(st, 11, run->pue_milli);
	ga_bind_text(st, 12, run->cgroup);
	ga_bind_text(st, 13, run->container_runtime);
	ga_bind_text(st, 14, run->container_id);
	if (ga_step_done(st))
		return ga_ledger_fail(l, -EIO, "recording a run");
	run->id = sqlite3_last_insert_rowid(l->db);
	run->status = GA_RUN_RUNNING;
	return 0;
}

/* Insert @n (key, value) pairs of run @id into @table. */
static int ga_insert_kv(struct ga_ledger *l, const char *table, int64_t id,
			const struct ga_kv *kv, unsigned int n, int numeric)
{
	char sql[128];
	unsigned int i;

	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO %s (run_id, key, value) VALUES (?, ?, ?)",
		 table);
	for (i = 0; i < n; i++) {
		sqlite3_stmt *st;
		char *end;
		double v;

		if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
			return -EIO;
		sqlite3_bind_int64(st, 1, id);
		ga_bind_text(st, 2, kv[i].key);
		if (numeric) {
			v = strtod(kv[i].value, &end);
			if (!*kv[i].value || *end) {
				sqlite3_finalize(st);
				return -EINVAL;
			}
			sqlite3_bind_double(st, 3, v);
		} else {
			ga_bind_text(st, 3, kv[i].value);
		}
		if (ga_step_done(st))
			return -EIO;
	}
	return 0;
}

static int ga_insert_energy(struct ga_ledger *l, const struct ga_run *run)
{
	static const char sql[] =
		"INSERT INTO run_energy (run_id, domain, kind, active_uj,"
		" idle_uj, estimated, in_total, estimated_by)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	unsigned int i;

	for (i = 0; i < run->nr_energy; i++) {
		const struct ga_run_energy *e = &run->energy[i];
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
			return -EIO;
		sqlite3_bind_int64(st, 1, run->id);
		ga_bind_text(st, 2, e->domain);
		ga_bind_text(st, 3, e->kind);
		sqlite3_bind_int64(st, 4, (int64_t)e->active_uj);
		sqlite3_bind_int64(st, 5, (int64_t)e->idle_uj);
		sqlite3_bind_int(st, 6, !!e->estimated);
		sqlite3_bind_int(st, 7, !!e->in_total);
		ga_bind_text(st, 8, e->estimated ? e->estimated_by : NULL);
		if (ga_step_done(st))
			return -EIO;
	}
	return 0;
}

static int ga_insert_intervals(struct ga_ledger *l, const struct ga_run *run)
{
	static const char sql[] =
		"INSERT INTO run_intensity (run_id, seq, start_unix_ns,"
		" end_unix_ns, mg_per_kwh, source, energy_uj, co2_ug)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	unsigned int i;

	for (i = 0; i < run->nr_intervals; i++) {
		const struct ga_run_interval *v = &run->intervals[i];
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
			return -EIO;
		sqlite3_bind_int64(st, 1, run->id);
		sqlite3_bind_int(st, 2, i);
		sqlite3_bind_int64(st, 3, v->start_unix_ns);
		sqlite3_bind_int64(st, 4, v->end_unix_ns);
		sqlite3_bind_int64(st, 5, v->mg_per_kwh);
		ga_bind_text(st, 6, v->source ? v->source : "");
		sqlite3_bind_int64(st, 7, (int64_t)v->energy_uj);
		sqlite3_bind_int64(st, 8, (int64_t)v->co2_ug);
		if (ga_step_done(st))
			return -EIO;
	}
	return 0;
}

static int ga_insert_pauses(struct ga_ledger *l, const struct ga_run *run)
{
	static const char sql[] =
		"INSERT INTO run_pauses (run_id, seq, kind, start_unix_ns,"
		" end_unix_ns, mg_during, mg_after, power_uw, avoided_ug)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	unsigned int i;

	for (i = 0; i < run->nr_pauses; i++) {
		const struct ga_run_pause *p = &run->pauses[i];
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
			return -EIO;
		sqlite3_bind_int64(st, 1, run->id);
		sqlite3_bind_int(st, 2, i);
		ga_bind_text(st, 3, p->kind);
		sqlite3_bind_int64(st, 4, p->start_unix_ns);
		sqlite3_bind_int64(st, 5, p->end_unix_ns);
		sqlite3_bind_int64(st, 6, p->mg_during);
		sqlite3_bind_int64(st, 7, p->mg_after);
		sqlite3_bind_int64(st, 8, (int64_t)p->power_uw);
		if (p->has_avoided)
			sqlite3_bind_int64(st, 9, p->avoided_ug);
		else
			sqlite3_bind_null(st, 9);
		if (ga_step_done(st))
			return -EIO;
	}
	return 0;
}

/**
 * ga_ledger_finish() - record a run's end and figures
 * @l: the ledger
 * @run: the run (id from ga_ledger_begin()), with end, exit code, energy,
 *	 CO2e, accuracy, tags and metrics (metrics' values numbers)
 *
 * All or nothing: one transaction.
 *
 * Return: 0, -EINVAL for a metric that is not a number, or -EIO.
 */
int ga_ledger_finish(struct ga_ledger *l, const struct ga_run *run)
{
	static const char sql[] =
		"UPDATE runs SET end_unix_ns = ?, status = 1, exit_code = ?,"
		" co2_ug = ?, accuracy_pct = ?, model = ?, idle_policy = ?,"
		" weights = ?, units = ?, unit = ?, python_version = ?,"
		" cpu_ns = ?, nr_cpus = ?, cpu_model = ?, ram_total_kb = ?,"
		" on_cloud = ?, gpu_models = ? WHERE id = ?";
	sqlite3_stmt *st;
	int r = -EIO;

	if (ga_exec(l, "BEGIN IMMEDIATE"))
		return ga_ledger_fail(l, -EIO, "recording a run's end");
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
		goto fail;
	sqlite3_bind_int64(st, 1, run->end_unix_ns);
	sqlite3_bind_int(st, 2, run->exit_code);
	sqlite3_bind_int64(st, 3, (int64_t)run->co2_ug);
	if (run->has_accuracy)
		sqlite3_bind_double(st, 4, run->accuracy_pct);
	else
		sqlite3_bind_null(st, 4);
	ga_bind_text(st, 5, run->model);
	ga_bind_text(st, 6, run->idle_policy);
	ga_bind_text(st, 7, run->weights);
	ga_bind_units(st, 8, run);
	ga_bind_text(st, 9, run->has_units ? run->unit : NULL);
	ga_bind_text(st, 10, run->python_version);
	ga_bind_nonzero(st, 11, run->cpu_ns);
	ga_bind_nonzero(st, 12, run->nr_cpus);
	ga_bind_text(st, 13, run->cpu_model);
	ga_bind_nonzero(st, 14, run->ram_total_kb);
	if (run->on_cloud != GA_CLOUD_UNKNOWN)
		sqlite3_bind_int(st, 15, run->on_cloud == GA_CLOUD_YES);
	else
		sqlite3_bind_null(st, 15);
	ga_bind_text(st, 16, run->gpu_models);
	sqlite3_bind_int64(st, 17, run->id);
	if (ga_step_done(st) || sqlite3_changes(l->db) != 1)
		goto fail;
	r = ga_insert_energy(l, run);
	r = r ?: ga_insert_kv(l, "run_tags", run->id, run->tags, run->nr_tags,
			      0);
	r = r ?: ga_insert_kv(l, "run_metrics", run->id, run->metrics,
			      run->nr_metrics, 1);
	r = r ?: ga_insert_intervals(l, run);
	r = r ?: ga_insert_pauses(l, run);
	if (r)
		goto fail;
	if (ga_exec(l, "COMMIT")) {
		r = -EIO;	/* a full disk, most likely */
		goto fail;
	}
	return 0;
fail:
	if (r == -EINVAL)
		snprintf(l->err, sizeof(l->err),
			 "ledger %s: a metric is not a number", l->path);
	else
		ga_ledger_fail(l, -EIO, "recording a run's end");
	ga_exec(l, "ROLLBACK");
	return r;
}

/* Whether the process (@pid, started at @start ticks) is still there. */
static int ga_owner_alive(int64_t pid, int64_t start)
{
	struct ga_proc_stat st;

	if (pid <= 0 || pid > INT32_MAX || ga_proc_stat_read("/", pid, &st))
		return 0;
	return (int64_t)st.start_time == start && st.state != 'Z' &&
	       st.state != 'X';
}

/*
 * A run whose owner died while it was frozen (greenai run --carbon-aware)
 * would stay frozen for ever: thaw its cgroup, if it is still there.
 */
static void ga_thaw_orphan(const char *cgroup)
{
	struct ga_cgroup_mount m;
	char path[GA_PATH_MAX];
	int fd;

	/* greenai run's own cgroups only: a container's freeze is its own */
	if (!cgroup || strncmp(cgroup, "/greenai.runs/", 14) ||
	    ga_cgroup_find_mount("/", &m) ||
	    snprintf(path, sizeof(path), "%s%s/cgroup.freeze", m.dir,
		     cgroup) >= (int)sizeof(path))
		return;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "0", 1) != 1) {
		/* a cgroup that cannot thaw: nothing more to do */
	}
	close(fd);
}

/**
 * ga_ledger_recover() - mark incomplete the runs whose owner has gone
 * @l: the ledger
 * @marked: how many (may be NULL)
 *
 * The cgroup of such a run, if it is still there, is thawed: its owner
 * may have died while it was frozen for a dirty grid (--carbon-aware).
 *
 * Return: 0 or -EIO.
 */
int ga_ledger_recover(struct ga_ledger *l, unsigned int *marked)
{
	sqlite3_stmt *sel, *upd;
	unsigned int n = 0;
	int rc;

	if (marked)
		*marked = 0;
	if (ga_exec(l, "BEGIN IMMEDIATE"))
		return ga_ledger_fail(l, -EIO, "looking for interrupted runs");
	if (sqlite3_prepare_v2(l->db,
			       "SELECT id, owner_pid, owner_start, cgroup FROM runs"
			       " WHERE status = 0", -1, &sel, NULL))
		goto fail;
	if (sqlite3_prepare_v2(l->db,
			       "UPDATE runs SET status = 2 WHERE id = ?", -1,
			       &upd, NULL)) {
		sqlite3_finalize(sel);
		goto fail;
	}
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		if (ga_owner_alive(sqlite3_column_int64(sel, 1),
				   sqlite3_column_int64(sel, 2)))
			continue;
		sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
		if (sqlite3_step(upd) != SQLITE_DONE)
			break;
		ga_thaw_orphan((const char *)sqlite3_column_text(sel, 3));
		sqlite3_reset(upd);
		n++;
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (rc != SQLITE_DONE || ga_exec(l, "COMMIT"))
		goto fail;
	if (marked)
		*marked = n;
	return 0;
fail:
	ga_ledger_fail(l, -EIO, "marking interrupted runs");
	ga_exec(l, "ROLLBACK");
	return -EIO;
}

/* Fill @kv from a "SELECT key, value ... WHERE run_id = ?" of @table. */
static int ga_load_kv(struct ga_ledger *l, const char *table, int64_t id,
		      struct ga_kv *kv, unsigned int *n, char **store)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT key, value FROM %s WHERE run_id = ? ORDER BY key",
		 table);
	*n = 0;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL))
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       *n < GA_LEDGER_MAX_KV) {
		kv[*n].key = store[2 * *n] =
			strdup((const char *)sqlite3_column_text(st, 0));
		kv[*n].value = store[2 * *n + 1] =
			strdup((const char *)sqlite3_column_text(st, 1));
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

static const char *ga_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

struct ga_run_strings {
	char *kv[4 * GA_LEDGER_MAX_KV];
	char *energy[3 * GA_LEDGER_MAX_DOMAINS];
	struct ga_run_interval *iv;	/* their sources strdup'ed */
	unsigned int nr_iv;
	struct ga_run_pause *pauses;	/* their kinds strdup'ed */
	unsigned int nr_pauses;
};

static void ga_run_strings_free(struct ga_run_strings *s)
{
	unsigned int i;

	for (i = 0; i < 4 * GA_LEDGER_MAX_KV; i++)
		free(s->kv[i]);
	for (i = 0; i < 3 * GA_LEDGER_MAX_DOMAINS; i++)
		free(s->energy[i]);
	for (i = 0; i < s->nr_iv; i++)
		free((char *)s->iv[i].source);
	for (i = 0; i < s->nr_pauses; i++)
		free((char *)s->pauses[i].kind);
	free(s->iv);
	free(s->pauses);
	memset(s, 0, sizeof(*s));
}

/* A run's intervals of intensity and its pauses, by time. */
static int ga_load_time(struct ga_ledger *l, struct ga_run *run,
			struct ga_run_strings *s)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;
	void *p;

	if (sqlite3_prepare_v2(l->db,
			       "SELECT start_unix_ns, end_unix_ns, mg_per_kwh,"
			       " source, energy_uj, co2_ug FROM run_intensity"
			       " WHERE run_id = ? ORDER BY seq", -1, &st, NULL))
		return -EIO;
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ga_run_interval *v;

		p = reallocarray(s->iv, s->nr_iv + 1, sizeof(*s->iv));
		if (!p)
			break;
		s->iv = p;
		v = &s->iv[s->nr_iv++];
		v->start_unix_ns = sqlite3_column_int64(st, 0);
		v->end_unix_ns = sqlite3_column_int64(st, 1);
		v->mg_per_kwh = sqlite3_column_int64(st, 2);
		v->source = strdup(ga_col_text(st, 3) ?: "");
		v->energy_uj = sqlite3_column_int64(st, 4);
		v->co2_ug = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	if (sqlite3_prepare_v2(l->db,
			       "SELECT kind, start_unix_ns, end_unix_ns,"
			       " mg_during, mg_after, power_uw, avoided_ug"
			       " FROM run_pauses WHERE run_id = ? ORDER BY seq",
			       -1, &st, NULL))
		return -EIO;
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ga_run_pause *q;

		p = reallocarray(s->pauses, s->nr_pauses + 1,
				 sizeof(*s->pauses));
		if (!p)
			break;
		s->pauses = p;
		q = &s->pauses[s->nr_pauses++];
		q->kind = strdup(ga_col_text(st, 0) ?: "");
		q->start_unix_ns = sqlite3_column_int64(st, 1);
		q->end_unix_ns = sqlite3_column_int64(st, 2);
		q->mg_during = sqlite3_column_int64(st, 3);
		q->mg_after = sqlite3_column_int64(st, 4);
		q->power_uw = sqlite3_column_int64(st, 5);
		q->has_avoided = sqlite3_column_type(st, 6) != SQLITE_NULL;
		q->avoided_ug = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	run->intervals = s->iv;
	run->nr_intervals = s->nr_iv;
	run->pauses = s->pauses;
	run->nr_pauses = s->nr_pauses;
	return 0;
}

static int ga_load_energy(struct ga_ledger *l, struct ga_run *run,
			  struct ga_run_strings *s)
{
	sqlite3_stmt *st;
	int rc;

	run->nr_energy = 0;
	if (sqlite3_prepare_v2(l->db,
			       "SELECT domain, kind, active_uj, idle_uj, estimated,"
			       " in_total, estimated_by"
			       " FROM run_energy WHERE run_id = ? ORDER BY domain",
			       -1, &st, NULL))
		return -EIO;
	sqlite3_bind_int64(st, 1, run->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       run->nr_energy < GA_LEDGER_MAX_DOMAINS) {
		struct ga_run_energy *e = &run->energy[run->nr_energy];
		unsigned int k = 3 * run->nr_energy++;

		e->domain = s->energy[k] =
			strdup((const char *)sqlite3_column_text(st, 0));
		e->kind = s->energy[k + 1] =
			strdup((const char *)sqlite3_column_text(st, 1));
		e->active_uj = sqlite3_column_int64(st, 2);
		e->idle_uj = sqlite3_column_int64(st, 3);
		e->estimated = sqlite3_column_int(st, 4);
		e->in_total = sqlite3_column_int(st, 5);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			e->estimated_by = s->energy[k + 2] = strdup(
				(const char *)sqlite3_column_text(st, 6));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int ga_ledger_for_each_run(struct ga_ledger *l, ga_ledger_run_fn fn,
			   void *arg)
{
	struct ga_run_strings s = { 0 };
	sqlite3_stmt *st;
	int rc, r = 0;

	if (sqlite3_prepare_v2(l->db,
			       "SELECT id, model, command, host, backend,"
			       " start_unix_ns, end_unix_ns, status, exit_code,"
			       " region, mg_per_kwh, intensity_source, pue_milli,"
			       " co2_ug, accuracy_pct, cgroup, container_runtime,"
			       " container_id, idle_policy, weights, units, unit,"
			       " python_version, cpu_ns, nr_cpus, cpu_model,"
			       " ram_total_kb, on_cloud, gpu_models"
			       " FROM runs ORDER BY id",
			       -1, &st, NULL))
		return ga_ledger_fail(l, -EIO, "reading runs");
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ga_run run = { 0 };

		run.id = sqlite3_column_int64(st, 0);
		run.model = ga_col_text(st, 1);
		run.command = ga_col_text(st, 2);
		run.host = ga_col_text(st, 3);
		run.backend = ga_col_text(st, 4);
		run.start_unix_ns = sqlite3_column_int64(st, 5);
		run.end_unix_ns = sqlite3_column_int64(st, 6);
		run.status = sqlite3_column_int(st, 7);
		run.exit_code = sqlite3_column_int(st, 8);
		run.region = ga_col_text(st, 9);
		run.mg_per_kwh = sqlite3_column_int64(st, 10);
		run.intensity_source = ga_col_text(st, 11);
		run.pue_milli = sqlite3_column_int64(st, 12);
		run.co2_ug = sqlite3_column_int64(st, 13);
		run.has_accuracy = sqlite3_column_type(st, 14) != SQLITE_NULL;
		run.accuracy_pct = sqlite3_column_double(st, 14);
		run.cgroup = ga_col_text(st, 15);
		run.container_runtime = ga_col_text(st, 16);
		run.container_id = ga_col_text(st, 17);
		run.idle_policy = ga_col_text(st, 18);
		run.weights = ga_col_text(st, 19);
		run.has_units = sqlite3_column_type(st, 20) != SQLITE_NULL;
		run.units = sqlite3_column_double(st, 20);
		run.unit = ga_col_text(st, 21);
		run.python_version = ga_col_text(st, 22);
		run.cpu_ns = sqlite3_column_int64(st, 23);
		run.nr_cpus = sqlite3_column_int(st, 24);
		run.cpu_model = ga_col_text(st, 25);
		run.ram_total_kb = sqlite3_column_int64(st, 26);
		run.on_cloud = sqlite3_column_type(st, 27) == SQLITE_NULL ?
				       GA_CLOUD_UNKNOWN :
			       sqlite3_column_int(st, 27) ? GA_CLOUD_YES :
							    GA_CLOUD_NO;
		run.gpu_models = ga_col_text(st, 28);
		r = ga_load_energy(l, &run, &s);
		r = r ?: ga_load_kv(l, "run_tags", run.id, run.tags,
				    &run.nr_tags, s.kv);
		r = r ?: ga_load_kv(l, "run_metrics", run.id, run.metrics,
				    &run.nr_metrics, s.kv + 2 * GA_LEDGER_MAX_KV);
		r = r ?: ga_load_time(l, &run, &s);
		if (r)
			ga_ledger_fail(l, r, "reading a run");
		else
			r = fn(&run, arg);
		ga_run_strings_free(&s);
	}
	sqlite3_finalize(st);
	if (!r && rc != SQLITE_DONE)
		r = ga_ledger_fail(l, -EIO, "reading runs");
	return r;
}
