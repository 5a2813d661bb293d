// SPDX-License-Identifier: GPL-2.0
/*
 * greenai schedule: the best time to start a job of a given length, from
 * the forecast of the grid's intensity.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <greenai/libgreenai.h>

#include "cli.h"
#include "run_carbon.h"

static const char cli_schedule_help[] =
	"usage: greenai schedule --duration D [--within W] [--region Z] [--json]\n"
	"\n"
	"Find, in the forecast of the grid's carbon intensity, the start that\n"
	"gives a job of length D the lowest mean intensity, starting no later\n"
	"than W from now; print it, the mean intensity it expects, and what it\n"
	"saves against starting now.\n"
	"\n"
	"  --duration D   the job's length: 2h, 90m, 1h30m, 45s, 1d\n"
	"  --within W     the latest start is now + W - D (default 24h)\n"
	"  --region Z     the zone or location to ask the providers about (else\n"
	"                 GREENAI_REGION, else greenai.conf)\n"
	"  --json         one JSON object instead of text\n"
	"\n"
	"The forecast comes from the providers set up in greenai.conf (see\n"
	"greenai intensity --help), the first that answers; the output says\n"
	"which, and why those before it failed. Windows are searched exactly:\n"
	"every start where the mean can turn (a forecast point's start or end\n"
	"meeting the window's start or end), not on a grid. Only windows the\n"
	"forecast covers whole count. The embedded table has no forecast: any\n"
	"start is then the same, and it says so.\n"
	"\n"
	"Exit status: 0; 1 when no provider has a forecast that fits; 2 for\n"
	"bad usage.\n";

static int schedule_usage(const char *fmt, const char *arg)
{
	return cli_usage(&cli_cmd_schedule, fmt, arg);
}

struct schedule {
	int64_t now, start, dur;
	double mean, now_mean;
	int has_now;
};

static void schedule_text(const struct schedule *s,
			  const struct ga_live_result *res)
{
	char when[32];

	ga_time_format(s->start, when, sizeof(when));
	printf("best start:     %s (in %lld min)\n", when,
	       (long long)((s->start - s->now) / 60000));
	printf("mean intensity: %.3f g CO2e/kWh over %lld min\n",
	       s->mean / 1000, (long long)(s->dur / 60000));
	if (s->has_now) {
		printf("starting now:   %.3f g CO2e/kWh\n", s->now_mean / 1000);
		printf("saving:         %.1f %% of the CO2e (%.3f g per kWh)\n",
		       s->now_mean > 0 ?
			       100 * (s->now_mean - s->mean) / s->now_mean :
			       0.0,
		       (s->now_mean - s->mean) / 1000);
	} else {
		printf("starting now:   not in the forecast\n");
	}
	if (res->has_optimal) {
		ga_time_format(res->optimal_ms, when, sizeof(when));
		printf("SDK's window:   %s, %.3f g CO2e/kWh (the Carbon Aware SDK's own pick)\n",
		       when, res->optimal_mg / 1000.0);
	}
	printf("forecast:       %s%s\n", res->series.source,
	       res->cached ? " (cached)" : "");
	if (res->used == GA_PROV_STATIC)
		printf("note:           the embedded table is a yearly average, not a forecast: any start is the same\n");
}

static void schedule_json(const struct schedule *s,
			  const struct ga_live_result *res)
{
	json_object *o = json_object_new_object();
	char when[32];

	ga_time_format(s->start, when, sizeof(when));
	json_object_object_add(o, "start", json_object_new_string(when));
	json_object_object_add(o, "start_unix", json_object_new_int64(
							s->start / 1000));
	json_object_object_add(o, "duration_s", json_object_new_int64(
							 s->dur / 1000));
	json_object_object_add(o, "mean_g_per_kwh",
			       json_object_new_double(s->mean / 1000));
	json_object_object_add(o, "now_g_per_kwh",
			       s->has_now ? json_object_new_double(
						    s->now_mean / 1000) :
					    NULL);
	json_object_object_add(o, "provider", json_object_new_string(
						      ga_provider_name(res->used)));
	json_object_object_add(o, "source",
			       json_object_new_string(res->series.source));
	json_object_object_add(o, "cached", json_object_new_boolean(
						    res->cached));
	if (res->has_optimal) {
		ga_time_format(res->optimal_ms, when, sizeof(when));
		json_object_object_add(o, "sdk_optimal_start",
				       json_object_new_string(when));
		json_object_object_add(o, "sdk_optimal_g_per_kwh",
				       json_object_new_double(
					       res->optimal_mg / 1000.0));
	}
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int cli_schedule_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "within", required_argument, NULL, 'w' },
		{ "region", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dur = NULL, *within = "24h", *region = NULL;
	struct ga_live_result res;
	struct ga_live_conf conf;
	struct schedule s = { 0 };
	int c, json = 0, live;
	int64_t w, lo, hi, end;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dur = optarg;
			break;
		case 'w':
			within = optarg;
			break;
		case 'r':
			region = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return cli_help(&cli_cmd_schedule);
		default:
			return cli_bad_option(&cli_cmd_schedule, argv);
		}
	}
	if (optind < argc)
		return schedule_usage("unexpected '%s'", argv[optind]);
	if (!dur)
		return schedule_usage("--duration is needed%s", "");
	if (ga_duration_parse(dur, &s.dur) || !s.dur)
		return schedule_usage("--duration '%s': not a length (2h, 90m, 1h30m)",
				      dur);
	if (ga_duration_parse(within, &w) || w < s.dur)
		return schedule_usage("--within '%s': not a length at least the duration",
				      within);
	c = cli_live(&cli_cmd_schedule, region, &conf, &live);
	if (c)
		return c;
	s.now = ga_unix_ms();
	c = ga_live_get(&conf, GA_WANT_FORECAST, s.now, &res);
	ga_live_print_failures(stderr, "greenai schedule", &res);
	if (c) {
		fprintf(stderr, "greenai schedule: no forecast from any provider\n");
		return CLI_EXIT_FAIL;
	}
	/* the forecast may start a little later than now */
	lo = res.series.p[0].t_ms > s.now ? res.series.p[0].t_ms : s.now;
	end = ga_series_end(&res.series);
	hi = s.now + w - s.dur;
	if (end != INT64_MAX && end - s.dur < hi)
		hi = end - s.dur;
	if (hi < lo ||
	    ga_series_best_window(&res.series, lo, hi, s.dur, &s.start,
				  &s.mean)) {
		char a[32], b[32];

		ga_time_format(lo, a, sizeof(a));
		ga_time_format(end, b, sizeof(b));
		fprintf(stderr, "greenai schedule: the forecast (%s) covers %s to %s: no whole window of %s in it\n",
			res.series.source, a, b, dur);
		ga_live_result_free(&res);
		return CLI_EXIT_FAIL;
	}
	s.has_now = !ga_series_mean(&res.series, s.now, s.now + s.dur,
				    &s.now_mean);
	if (json)
		schedule_json(&s, &res);
	else
		schedule_text(&s, &res);
	ga_live_result_free(&res);
	return 0;
}

const struct cli_cmd cli_cmd_schedule = {
	.name = "schedule",
	.summary = "the best time to start a job, from the intensity forecast",
	.help = cli_schedule_help,
	.run = cli_schedule_run,
};
