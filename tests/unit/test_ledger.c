// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger (tools/lib/store/ledger.c) on a real SQLite file in a temporary
 * directory: made with its directories and schema, a run read back as
 * written, a half-written end rolled back, a run whose owner was killed
 * marked incomplete at the next opening, writers in several processes at
 * once, and files it must refuse (not a database, a newer schema).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include <greenai/ledger.h>

#include "fixture.h"

static void ledger_path(char *buf, const char *dir)
{
	snprintf(buf, FIX_PATH_MAX, "%s/a/b/ledger.db", dir);
}

static struct ga_run sample_run(void)
{
	struct ga_run r = {
		.model = "resnet18-pruned",
		.command = "python3 train.py --epochs 3",
		.host = "node-1",
		.backend = "bpf (tp_btf)",
		.start_unix_ns = 1700000000000000000LL,
		.region = "FRA",
		.mg_per_kwh = 44180,
		.intensity_source = "Ember via @tgwf/co2",
		.pue_milli = 1200,
	};

	return r;
}

static void finish_fields(struct ga_run *r)
{
	r->end_unix_ns = r->start_unix_ns + 90000000000LL;
	r->exit_code = 0;
	r->co2_ug = 123456;
	r->has_accuracy = 1;
	r->accuracy_pct = 91.25;
	r->tags[0] = (struct ga_kv){ "team", "vision" };
	r->nr_tags = 1;
	r->metrics[0] = (struct ga_kv){ "loss", "0.125" };
	r->metrics[1] = (struct ga_kv){ "samples", "60000" };
	r->nr_metrics = 2;
	/* a measured domain's estimated_by is not recorded */
	r->energy[0] = (struct ga_run_energy){ "package-0", "package",
					       5000000, 1000000, 0, 1,
					       "never recorded" };
	r->energy[1] = (struct ga_run_energy){ "gpu-0", "gpu", 7000000, 0, 1,
					       1, "power model: test: 5..50 W" };
	r->weights = "cycles";
	r->nr_energy = 2;
}

/* Open the test's ledger and start a run in it. */
static struct ga_ledger *open_and_begin(const char *dir, struct ga_run *r)
{
	char path[FIX_PATH_MAX], err[512];
	struct ga_ledger *l;

	ledger_path(path, dir);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	assert_int_equal(ga_ledger_begin(l, r), 0);
	assert_true(r->id > 0);
	return l;
}

struct seen {
	unsigned int n, done, running, incomplete;
	struct ga_run last;
	char model[64], tag[64], metric_key[64];
	double metric;
	char domain[64];
	uint64_t active;
	int estimated;
	char estimated_by[2][64];	/* by domain, "-" for NULL */
	char weights[16];
	char unit[32], python[32], cpu_model[64];	/* "-" for NULL */
	char gpu_models[64];				/* "-" for NULL */
};

static int collect(const struct ga_run *r, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->done += r->status == GA_RUN_DONE;
	s->running += r->status == GA_RUN_RUNNING;
	s->incomplete += r->status == GA_RUN_INCOMPLETE;
	s->last = *r;
	snprintf(s->gpu_models, sizeof(s->gpu_models), "%s",
		 r->gpu_models ? r->gpu_models : "-");
	snprintf(s->model, sizeof(s->model), "%s", r->model ? r->model : "");
	if (r->nr_tags)
		snprintf(s->tag, sizeof(s->tag), "%s=%s", r->tags[0].key,
			 r->tags[0].value);
	if (r->nr_metrics) {
		snprintf(s->metric_key, sizeof(s->metric_key), "%s",
			 r->metrics[0].key);
		s->metric = strtod(r->metrics[0].value, NULL);
	}
	if (r->nr_energy) {
		/* ordered by domain: gpu-0 first */
		snprintf(s->domain, sizeof(s->domain), "%s",
			 r->energy[0].domain);
		s->active = r->energy[0].active_uj;
		s->estimated = r->energy[0].estimated;
	}
	for (unsigned int i = 0; i < 2 && i < r->nr_energy; i++)
		snprintf(s->estimated_by[i], sizeof(s->estimated_by[i]), "%s",
			 r->energy[i].estimated_by ?: "-");
	snprintf(s->weights, sizeof(s->weights), "%s",
		 r->weights ? r->weights : "-");
	snprintf(s->unit, sizeof(s->unit), "%s", r->unit ?: "-");
	snprintf(s->python, sizeof(s->python), "%s", r->python_version ?: "-");
	snprintf(s->cpu_model, sizeof(s->cpu_model), "%s", r->cpu_model ?: "-");
	return 0;
}

/* Like collect(), but the last run's place goes in s->model. */
static int collect_where(const struct ga_run *r, void *arg)
{
	struct seen *s = arg;

	s->n++;
	snprintf(s->model, sizeof(s->model), "%s %s %s",
		 r->cgroup ? r->cgroup : "-",
		 r->container_runtime ? r->container_runtime : "-",
		 r->container_id ? r->container_id : "-");
	return 0;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void made_with_its_directories_and_schema(void **state)
{
	char path[FIX_PATH_MAX], err[512];
	struct ga_ledger *l;
	sqlite3 *db;

	ledger_path(path, *state);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	ga_ledger_close(l);
	/* and again: nothing to migrate */
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	ga_ledger_close(l);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(user_version(db), GA_LEDGER_VERSION);
	sqlite3_close(db);
}

static void a_run_reads_back_as_written(void **state)
{
	struct ga_run r = sample_run();
	struct ga_ledger *l = open_and_begin(*state, &r);
	struct seen s = { 0 };

	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.running, 1);
	finish_fields(&r);
	assert_int_equal(ga_ledger_finish(l, &r), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.done, 1);
	assert_string_equal(s.model, "resnet18-pruned");
	assert_int_equal(s.last.co2_ug, 123456);
	assert_int_equal(s.last.mg_per_kwh, 44180);
	assert_int_equal(s.last.pue_milli, 1200);
	assert_int_equal(s.last.end_unix_ns - s.last.start_unix_ns,
			 90000000000LL);
	assert_true(s.last.has_accuracy && s.last.accuracy_pct == 91.25);
	assert_string_equal(s.tag, "team=vision");
	assert_string_equal(s.metric_key, "loss");
	assert_true(s.metric == 0.125);
	assert_string_equal(s.domain, "gpu-0");
	assert_int_equal(s.active, 7000000);
	assert_int_equal(s.estimated, 1);
	assert_string_equal(s.estimated_by[0], "power model: test: 5..50 W");
	assert_string_equal(s.estimated_by[1], "-");
	assert_string_equal(s.weights, "cycles");
	assert_int_equal(s.last.nr_energy, 2);
	assert_int_equal(s.last.energy[0].in_total, 1);
	ga_ledger_close(l);
}

/* Schema 6: the functional unit, the Python, the CPU time, the machine. */
static void units_and_machine_read_back(void **state)
{
	struct ga_run r = sample_run();
	struct ga_ledger *l = open_and_begin(*state, &r);
	struct seen s = { 0 };

	finish_fields(&r);
	r.has_units = 1;
	r.units = 2500;
	r.unit = "predictions";
	r.python_version = "3.11.2";
	r.cpu_ns = 45000000000ULL;
	r.nr_cpus = 8;
	r.cpu_model = "Test CPU @ 2.0GHz";
	r.ram_total_kb = 16384000;
	r.on_cloud = GA_CLOUD_YES;
	r.gpu_models = "2 x NVIDIA A100-SXM4-40GB";
	assert_int_equal(ga_ledger_finish(l, &r), 0);
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.last.has_units && s.last.units == 2500);
	assert_string_equal(s.unit, "predictions");
	assert_string_equal(s.python, "3.11.2");
	assert_string_equal(s.cpu_model, "Test CPU @ 2.0GHz");
	assert_int_equal(s.last.cpu_ns, 45000000000ULL);
	assert_int_equal(s.last.nr_cpus, 8);
	assert_int_equal(s.last.ram_total_kb, 16384000);
	assert_int_equal(s.last.on_cloud, GA_CLOUD_YES);
	assert_string_equal(s.gpu_models, "2 x NVIDIA A100-SXM4-40GB");
	/* a run that said none of it: nothing, and not known */
	r = sample_run();
	assert_int_equal(ga_ledger_begin(l, &r), 0);
	finish_fields(&r);
	r.unit = "ignored without units";
	assert_int_equal(ga_ledger_finish(l, &r), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_false(s.last.has_units);
	assert_string_equal(s.unit, "-");
	assert_string_equal(s.python, "-");
	assert_string_equal(s.cpu_model, "-");
	assert_int_equal(s.last.nr_cpus, 0);
	assert_int_equal(s.last.on_cloud, GA_CLOUD_UNKNOWN);
	assert_string_equal(s.gpu_models, "-");
	ga_ledger_close(l);
}

static void a_bad_metric_changes_nothing(void **state)
{
	struct ga_run r = sample_run();
	struct ga_ledger *l = open_and_begin(*state, &r);
	struct seen s = { 0 };

	finish_fields(&r);
	r.metrics[1].value = "lots";
	assert_int_equal(ga_ledger_finish(l, &r), -EINVAL);
	assert_non_null(strstr(ga_ledger_error(l), "not a number"));
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	/* still running, no energy, no tags: the transaction rolled back */
	assert_int_equal(s.running, 1);
	assert_int_equal(s.last.nr_energy, 0);
	assert_int_equal(s.last.nr_tags, 0);
	ga_ledger_close(l);
}

static void a_killed_owner_leaves_an_incomplete_run(void **state)
{
	char path[FIX_PATH_MAX], err[512];
	struct seen s = { 0 };
	struct ga_ledger *l;
	int status;
	pid_t pid;

	ledger_path(path, *state);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct ga_run r = sample_run();

		if (ga_ledger_open(&l, path, err, sizeof(err)) ||
		    ga_ledger_begin(l, &r))
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.incomplete, 1);
	ga_ledger_close(l);
}

/* A live owner's run is left alone. */
static void a_live_owner_keeps_its_run(void **state)
{
	char path[FIX_PATH_MAX], err[512];
	struct ga_run r = sample_run();
	struct ga_ledger *l = open_and_begin(*state, &r), *l2;
	struct seen s = { 0 };
	unsigned int marked = 9;

	ledger_path(path, *state);
	assert_int_equal(ga_ledger_open(&l2, path, err, sizeof(err)), 0);
	assert_int_equal(ga_ledger_recover(l2, &marked), 0);
	assert_int_equal(marked, 0);
	assert_int_equal(ga_ledger_for_each_run(l2, collect, &s), 0);
	assert_int_equal(s.running, 1);
	ga_ledger_close(l2);
	ga_ledger_close(l);
}

#define WRITERS 4
#define RUNS_EACH 50

static void writers_in_several_processes(void **state)
{
	char path[FIX_PATH_MAX], err[512];
	struct seen s = { 0 };
	struct ga_ledger *l;
	pid_t pids[WRITERS];
	int i, k, status;

	ledger_path(path, *state);
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i])
			continue;
		if (ga_ledger_open(&l, path, err, sizeof(err))) {
			fprintf(stderr, "writer: %s\n", err);
			_exit(1);
		}
		for (k = 0; k < RUNS_EACH; k++) {
			struct ga_run r = sample_run();

			finish_fields(&r);
			if (ga_ledger_begin(l, &r) || ga_ledger_finish(l, &r)) {
				fprintf(stderr, "writer: %s\n",
					ga_ledger_error(l));
				_exit(2);
			}
		}
		ga_ledger_close(l);
		_exit(0);
	}
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.n, WRITERS * RUNS_EACH);
	assert_int_equal(s.done, WRITERS * RUNS_EACH);
	ga_ledger_close(l);
}

static void files_it_must_refuse(void **state)
{
	char path[FIX_PATH_MAX], err[512];
	struct ga_ledger *l;
	sqlite3 *db;

	/* not a database */
	fix_write(*state, "junk.db", "this is not SQLite, it is 41 bytes long\n");
	snprintf(path, sizeof(path), "%s/junk.db", (char *)*state);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "not a greenai ledger"));
	/* a schema from a newer greenai */
	ledger_path(path, *state);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	ga_ledger_close(l);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "schema version 99 is newer"));
	/* a directory where its directory should be */
	fix_write(*state, "file", "x");
	snprintf(path, sizeof(path), "%s/file/ledger.db", (char *)*state);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)),
			 -ENOTDIR);
	assert_non_null(strstr(err, "cannot make its directory"));
}

/* A ledger as greenai wrote it at schema version 1, with one run. */
static const char ledger_v1[] =
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, model TEXT,"
	" command TEXT NOT NULL, host TEXT NOT NULL, backend TEXT NOT NULL,"
	" start_unix_ns INTEGER NOT NULL, end_unix_ns INTEGER,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 2),"
	" exit_code INTEGER, owner_pid INTEGER NOT NULL,"
	" owner_start INTEGER NOT NULL, region TEXT,"
	" mg_per_kwh INTEGER NOT NULL, intensity_source TEXT NOT NULL,"
	" pue_milli INTEGER NOT NULL, co2_ug INTEGER, accuracy_pct REAL);"
	"CREATE TABLE run_energy ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" domain TEXT NOT NULL, kind TEXT NOT NULL,"
	" active_uj INTEGER NOT NULL, idle_uj INTEGER NOT NULL,"
	" estimated INTEGER NOT NULL, in_total INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, domain));"
	"CREATE TABLE run_tags ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));"
	"CREATE TABLE run_metrics ("
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (run_id, key));"
	"CREATE INDEX runs_model ON runs (model);"
	"INSERT INTO runs VALUES (1, 'bert', 'python3 t.py', 'h', 'bpf',"
	" 10, 20, 1, 0, 1, 1, 'FRA', 44180, 'Ember', 1000, 777, 90.0);"
	"INSERT INTO run_energy VALUES (1, 'package-0', 'package', 5, 6, 0, 1);"
	"PRAGMA user_version = 1;";

static void an_old_schema_is_migrated(void **state)
{
	char path[FIX_PATH_MAX], err[512];
	struct ga_run r = sample_run();
	struct ga_ledger *l;
	struct seen s = { 0 };
	sqlite3 *db;

	ledger_path(path, *state);
	fix_mkdirs(*state, "a/b");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, ledger_v1, NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ga_ledger_open(&l, path, err, sizeof(err)), 0);
	/* the old run is all there, with nothing for the new columns */
	assert_int_equal(ga_ledger_for_each_run(l, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.model, "bert");
	assert_int_equal(s.last.co2_ug, 777);
	assert_int_equal(s.active, 5);
	assert_null(s.last.cgroup);
	assert_null(s.last.container_id);
	assert_false(s.last.has_units);
	assert_string_equal(s.unit, "-");
	assert_int_equal(s.last.nr_cpus, 0);
	assert_int_equal(s.last.on_cloud, GA_CLOUD_UNKNOWN);
	/* and a new one has them */
	r.cgroup = "/greenai.runs/42";
	r.container_runtime = "docker";
	r.container_id = "0123456789abcdef";
	assert_int_equal(ga_ledger_begin(l, &r), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ga_ledger_for_each_run(l, collect_where, &s), 0);
	assert_string_equal(s.model, "/greenai.runs/42 docker 0123456789abcdef");
	ga_ledger_close(l);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(user_version(db), GA_LEDGER_VERSION);
	sqlite3_close(db);
}

static void default_path_by_user(void **state)
{
	char buf[FIX_PATH_MAX];

	(void)state;
	setenv("XDG_DATA_HOME", "/x/data", 1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(ga_ledger_default_path(buf, sizeof(buf)), 0);
	if (geteuid() == 0) {
		assert_string_equal(buf, "/var/lib/greenai/ledger.db");
		return;
	}
	assert_string_equal(buf, "/x/data/greenai/ledger.db");
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(ga_ledger_default_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/u/.local/share/greenai/ledger.db");
	unsetenv("HOME");
	assert_int_equal(ga_ledger_default_path(buf, sizeof(buf)), -ENOENT);
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(made_with_its_directories_and_schema,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(a_run_reads_back_as_written,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(units_and_machine_read_back,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(a_bad_metric_changes_nothing,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(a_killed_owner_leaves_an_incomplete_run,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(a_live_owner_keeps_its_run,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(writers_in_several_processes,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(an_old_schema_is_migrated, setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(files_it_must_refuse, setup,
						fix_teardown),
		cmocka_unit_test(default_path_by_user),
	};

	return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
