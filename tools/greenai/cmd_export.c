// SPDX-License-Identifier: GPL-2.0
/*
 * greenai export: one run of the ledger in the formats other tools read:
 * CodeCarbon's emissions.csv (its 3.x columns and units, so dashboards
 * made for CodeCarbon read greenai's runs) and the co2_eq_emissions block
 * of a Hugging Face model card.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "json_out.h"
#include "models.h"
#include "table.h"

static const char cli_export_help[] =
	"usage: greenai export [--ledger PATH] [--training-type T]\n"
	"                      --format FORMAT RUN\n"
	"\n"
	"Print run RUN (its id in the ledger, see greenai report --by run):\n"
	"  codecarbon-csv  a header and one row with CodeCarbon 3.x's\n"
	"                  emissions.csv columns and units: duration s,\n"
	"                  emissions kg, emissions_rate kg/s, power W, energy\n"
	"                  kWh with the PUE, as CodeCarbon counts it (cpu:\n"
	"                  packages or psys, ram: DRAM, gpu: GPUs), so that\n"
	"                  emissions / energy_consumed is the intensity;\n"
	"                  country_name, cpu_count, cpu_model, gpu_count,\n"
	"                  gpu_model,\n"
	"                  ram_total_size (GB of 2^30 bytes), python_version\n"
	"                  and on_cloud as the ledger recorded them; what\n"
	"                  greenai does not know is left empty\n"
	"  codecarbon-json the same columns and values, one JSON object\n"
	"  json            the run whole, as greenai report --by run --format\n"
	"                  json gives each run: energy per domain (µJ), CO2e\n"
	"                  (µg), intensity and its source, tags, metrics\n"
	"  model-card      the co2_eq_emissions block of a Hugging Face model\n"
	"                  card (emissions in grams, source, training_type,\n"
	"                  geographical_location, hardware_used: the CPU\n"
	"                  model and count, the GPUs' count and models), as\n"
	"                  YAML;\n"
	"                  --training-type says which (default pre-training)\n"
	"\n"
	"Exit status: 0; 1 when the run is not in the ledger or not complete;\n"
	"2 for bad usage.\n";

/* CodeCarbon 3.2's EmissionsData fields, in its order. */
static const char *const cli_cc_cols[] = {
	"timestamp", "project_name", "run_id", "experiment_id", "duration",
	"emissions", "emissions_rate", "cpu_power", "gpu_power", "ram_power",
	"cpu_energy", "gpu_energy", "ram_energy", "energy_consumed",
	"water_consumed", "country_name", "country_iso_code", "region",
	"cloud_provider", "cloud_region", "os", "python_version",
	"codecarbon_version", "cpu_count", "cpu_model", "gpu_count",
	"gpu_model", "longitude", "latitude", "ram_total_size",
	"tracking_mode", "cpu_utilization_percent", "gpu_utilization_percent",
	"ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue",
	/* greenai's own: the idle policy the energy was split under */
	"greenai_idle_policy",
};

#define CLI_CC_NR_COLS (sizeof(cli_cc_cols) / sizeof(cli_cc_cols[0]))

enum export_format {
	EXPORT_CODECARBON,
	EXPORT_CODECARBON_JSON,
	EXPORT_JSON,
	EXPORT_CARD,
};

struct export_req {
	long long id;
	enum export_format format;
	const char *training_type;
	int found, done;
};

/* Energy in kWh by CodeCarbon's parts, over the domains in the total. */
static void cli_cc_split(const struct ga_run *run, double *cpu, double *gpu,
			double *ram, unsigned int *gpus)
{
	unsigned int i;

	*cpu = *gpu = *ram = 0;
	*gpus = 0;
	for (i = 0; i < run->nr_energy; i++) {
		const struct ga_run_energy *e = &run->energy[i];
		double kwh = (e->active_uj + e->idle_uj) / (double)GA_UJ_PER_KWH;

		if (!e->in_total)
			continue;
		if (!strcmp(e->kind, "gpu")) {
			*gpu += kwh;
			(*gpus)++;
		} else if (!strcmp(e->kind, "dram")) {
			*ram += kwh;
		} else {
			*cpu += kwh;	/* packages, or psys: all of it */
		}
	}
}

/* One row of CodeCarbon's columns: each value as text, and its type. */
struct cli_cc_row {
	char v[CLI_CC_NR_COLS][256];
	unsigned char num[CLI_CC_NR_COLS];	/* 0 text, 1 real, 2 integer */
};

static void cli_cc_set(struct cli_cc_row *row, const char *col, int num,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cli_cc_set(struct cli_cc_row *row, const char *col, int num,
		       const char *fmt, ...)
{
	unsigned int i;
	va_list ap;

	for (i = 0; i < CLI_CC_NR_COLS && strcmp(cli_cc_cols[i], col); i++)
		;
	if (i == CLI_CC_NR_COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(row->v[i], sizeof(row->v[i]), fmt, ap);
	va_end(ap);
	row->num[i] = num;
}

/*
 * The run in CodeCarbon's columns and units. Like CodeCarbon, the energy
 * columns include the PUE's overhead (it multiplies each measure of
 * energy by the PUE before adding it up), so that emissions /
 * energy_consumed is the grid intensity; the power columns are the IT
 * load's. What greenai does not know is left empty.
 */
static void cli_cc_fill(const struct ga_run *run, struct cli_cc_row *row)
{
	double dur = (run->end_unix_ns - run->start_unix_ns) / 1e9;
	double kg = run->co2_ug / 1e9, pue = run->pue_milli / 1000.0;
	double cpu, gpu, ram;
	const char *iso, *country;
	unsigned int gpus;
	char ts[32];
	struct utsname u;
	time_t end = run->end_unix_ns / 1000000000LL;
	struct tm tm;

	memset(row, 0, sizeof(*row));
	cli_cc_split(run, &cpu, &gpu, &ram, &gpus);
	gmtime_r(&end, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	cli_cc_set(row, "timestamp", 0, "%s", ts);
	cli_cc_set(row, "project_name", 0, "%s",
		   run->model ? run->model : "greenai");
	cli_cc_set(row, "run_id", 0, "%lld", (long long)run->id);
	cli_cc_set(row, "duration", 1, "%.6f", dur);
	cli_cc_set(row, "emissions", 1, "%.12g", kg);
	cli_cc_set(row, "emissions_rate", 1, "%.12g", dur > 0 ? kg / dur : 0);
	/* power, W: the IT load's, kWh as J over the run's seconds */
	cli_cc_set(row, "cpu_power", 1, "%.12g",
		   dur > 0 ? cpu * GA_J_PER_KWH / dur : 0);
	cli_cc_set(row, "gpu_power", 1, "%.12g",
		   dur > 0 ? gpu * GA_J_PER_KWH / dur : 0);
	cli_cc_set(row, "ram_power", 1, "%.12g",
		   dur > 0 ? ram * GA_J_PER_KWH / dur : 0);
	/* energy, kWh, with the PUE */
	cli_cc_set(row, "cpu_energy", 1, "%.12g", cpu * pue);
	cli_cc_set(row, "gpu_energy", 1, "%.12g", gpu * pue);
	cli_cc_set(row, "ram_energy", 1, "%.12g", ram * pue);
	cli_cc_set(row, "energy_consumed", 1, "%.12g", (cpu + gpu + ram) * pue);
	cli_cc_set(row, "water_consumed", 1, "0");
	/*
	 * country_iso_code (a country: three letters) and its name, or
	 * region (an aggregate such as EU or WORLD)
	 */
	iso = run->region && strlen(run->region) == 3 &&
	      strcmp(run->region, "G20") ? run->region : "";
	country = ga_country_name(iso);
	cli_cc_set(row, "country_name", 0, "%s", country ? country : "");
	cli_cc_set(row, "country_iso_code", 0, "%s", iso);
	cli_cc_set(row, "region", 0, "%s",
		   run->region && !*iso ? run->region : "");
	cli_cc_set(row, "os", 0, "%s-%s", u.sysname, u.release);
	cli_cc_set(row, "python_version", 0, "%s",
		   run->python_version ? run->python_version : "");
	if (run->nr_cpus)
		cli_cc_set(row, "cpu_count", 2, "%u", run->nr_cpus);
	cli_cc_set(row, "cpu_model", 0, "%s",
		   run->cpu_model ? run->cpu_model : "");
	if (gpus)
		cli_cc_set(row, "gpu_count", 2, "%u", gpus);
	cli_cc_set(row, "gpu_model", 0, "%s",
		   run->gpu_models ? run->gpu_models : "");
	/* GB as CodeCarbon counts them: 2^30 bytes */
	if (run->ram_total_kb)
		cli_cc_set(row, "ram_total_size", 1, "%.12g",
			   run->ram_total_kb / 1048576.0);
	cli_cc_set(row, "tracking_mode", 0, "process");
	cli_cc_set(row, "on_cloud", 0, "%s",
		   run->on_cloud == GA_CLOUD_YES ? "Y" :
		   run->on_cloud == GA_CLOUD_NO	 ? "N" : "");
	cli_cc_set(row, "pue", 1, "%u.%03u", run->pue_milli / 1000,
		   run->pue_milli % 1000);
	cli_cc_set(row, "wue", 1, "0");
	cli_cc_set(row, "greenai_idle_policy", 0, "%s",
		   run->idle_policy ? run->idle_policy : "unrecorded");
}

static void cli_export_csv(const struct ga_run *run)
{
	struct cli_cc_row row;
	unsigned int i;

	cli_cc_fill(run, &row);
	for (i = 0; i < CLI_CC_NR_COLS; i++)
		printf("%s%s", i ? "," : "", cli_cc_cols[i]);
	putchar('\n');
	for (i = 0; i < CLI_CC_NR_COLS; i++) {
		if (i)
			putchar(',');
		cli_csv_field(stdout, row.v[i]);
	}
	putchar('\n');
}

/* The same row as one JSON object, as CodeCarbon's JSON outputs hold it. */
static int cli_export_cc_json(const struct ga_run *run)
{
	struct json_object *o = json_object_new_object();
	struct cli_cc_row row;
	unsigned int i;

	if (!o)
		return -ENOMEM;
	cli_cc_fill(run, &row);
	for (i = 0; i < CLI_CC_NR_COLS; i++)
		ga_json_add(o, cli_cc_cols[i],
			    !row.v[i][0] ? NULL :
			    row.num[i] == 2 ?
				    json_object_new_int64(
					    strtoll(row.v[i], NULL, 10)) :
			    row.num[i] ? json_object_new_double(
						 strtod(row.v[i], NULL)) :
					 json_object_new_string(row.v[i]));
	return cli_json_print(o, stdout);
}

static void cli_yaml_str(const char *key, const char *v)
{
	printf("  %s: \"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putchar('\\');
		putchar(*v == '\n' ? ' ' : *v);
	}
	puts("\"");
}

static void cli_export_card(const struct ga_run *run, const char *type)
{
	char source[1024], hw[640], gpu[300];
	size_t off;
	unsigned int i, gpus;

	off = snprintf(source, sizeof(source),
		       "greenai (%s), grid intensity %u.%03u g/kWh: %s; idle policy %s; weighed by %s",
		       run->backend, run->mg_per_kwh / 1000,
		       run->mg_per_kwh % 1000, run->intensity_source,
		       run->idle_policy ? run->idle_policy : "unrecorded",
		       run->weights ? run->weights : "unrecorded");
	for (i = 0; i < run->nr_energy && off < sizeof(source); i++)
		if (run->energy[i].in_total && run->energy[i].estimated_by)
			off += snprintf(source + off, sizeof(source) - off,
					"; %s estimated by %s",
					run->energy[i].domain,
					run->energy[i].estimated_by);
	/* what it ran on, never which machine: no host name */
	for (i = gpus = 0; i < run->nr_energy; i++)
		gpus += run->energy[i].in_total &&
			!strcmp(run->energy[i].kind, "gpu");
	/* one snprintf: a ledger's CPU model of any length is cut, never run over */
	if (gpus)
		snprintf(gpu, sizeof(gpu), "%u (%.255s)", gpus,
			 run->gpu_models ? run->gpu_models :
					   "models not recorded");
	else
		snprintf(gpu, sizeof(gpu), "none measured");
	if (run->nr_cpus)
		snprintf(hw, sizeof(hw), "CPU: %u logical CPUs, %.200s; GPU: %s",
			 run->nr_cpus,
			 run->cpu_model ? run->cpu_model : "model not known",
			 gpu);
	else
		snprintf(hw, sizeof(hw), "CPU: not recorded; GPU: %s", gpu);
	puts("co2_eq_emissions:");
	printf("  emissions: %.6f\n", run->co2_ug / 1e6);
	cli_yaml_str("source", source);
	cli_yaml_str("training_type", type);
	cli_yaml_str("geographical_location", run->region ? run->region :
							   "unknown");
	cli_yaml_str("hardware_used", hw);
}

static int cli_export_one(const struct ga_run *run, void *arg)
{
	struct export_req *req = arg;

	if (run->id != req->id)
		return 0;
	req->found = 1;
	req->done = run->status == GA_RUN_DONE;
	if (!req->done)
		return 1;
	switch (req->format) {
	case EXPORT_CODECARBON:
		cli_export_csv(run);
		break;
	case EXPORT_CODECARBON_JSON:
		return cli_export_cc_json(run) ?: 1;
	case EXPORT_JSON:
		return cli_json_print(cli_run_json(run), stdout) ?: 1;
	case EXPORT_CARD:
		cli_export_card(run, req->training_type);
		break;
	}
	return 1;
}

static int cli_export_format(const char *name, enum export_format *out)
{
	static const char *const names[] = {
		[EXPORT_CODECARBON] = "codecarbon-csv",
		[EXPORT_CODECARBON_JSON] = "codecarbon-json",
		[EXPORT_JSON] = "json",
		[EXPORT_CARD] = "model-card",
	};
	int i = ga_name_index(names, sizeof(names) / sizeof(names[0]), name);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

static int cli_export_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "training-type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_req req = { .training_type = "pre-training" };
	const char *ledger = NULL, *format = NULL;
	struct ga_ledger *l;
	char err[4608], *end;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'l':
			ledger = optarg;
			break;
		case 't':
			req.training_type = optarg;
			break;
		case 'h':
			return cli_help(&cli_cmd_export);
		default:
			return cli_bad_option(&cli_cmd_export, argv);
		}
	}
	if (!format || cli_export_format(format, &req.format))
		return cli_usage(&cli_cmd_export,
				    "--format '%s': codecarbon-csv, codecarbon-json, json or model-card",
				    format ? format : "");
	if (argc - optind != 1)
		return cli_usage(&cli_cmd_export, "one RUN id is needed%s",
				    "");
	errno = 0;
	req.id = strtoll(argv[optind], &end, 10);
	if (*argv[optind] < '1' || *argv[optind] > '9' || *end || errno)
		return cli_usage(&cli_cmd_export,
				    "RUN '%s': not a run id (a number from 1)",
				    argv[optind]);
	r = cli_ledger(&cli_cmd_export, &ledger);
	if (r)
		return r;
	if (ga_ledger_open(&l, ledger, err, sizeof(err))) {
		fprintf(stderr, "greenai export: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	r = ga_ledger_for_each_run(l, cli_export_one, &req);
	if (r < 0)
		fprintf(stderr, "greenai export: %s\n",
			r == -ENOMEM ? strerror(ENOMEM) : ga_ledger_error(l));
	else if (!req.found)
		fprintf(stderr, "greenai export: no run %lld in the ledger\n",
			req.id);
	else if (!req.done)
		fprintf(stderr, "greenai export: run %lld did not complete: nothing to export\n",
			req.id);
	ga_ledger_close(l);
	return r >= 0 && req.done ? 0 : CLI_EXIT_FAIL;
}

const struct cli_cmd cli_cmd_export = {
	.name = "export",
	.summary = "a run as CodeCarbon's emissions.csv, JSON or a model card block",
	.help = cli_export_help,
	.run = cli_export_main,
};
