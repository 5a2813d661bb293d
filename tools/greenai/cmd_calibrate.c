// SPDX-License-Identifier: GPL-2.0
/*
 * greenai calibrate: learn each measured domain's idle power over a window
 * of this host's quiet, and save it, so that every later run splits under
 * the same figure from its first interval.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <greenai/libgreenai.h>

#include "cli.h"

static const char cli_calibrate_help[] =
	"usage: greenai calibrate [-I MS] [--save] [--root DIR] [SECONDS]\n"
	"\n"
	"Learn each measured domain's idle power: the least power it draws\n"
	"in blocks of 16 intervals at most 10 % busy, over SECONDS (default\n"
	"10, 1 to 3600). Run it while the machine is as quiet as it gets.\n"
	"  -I MS       interval length (10 to 1000 ms, default 100)\n"
	"  --save      save the figures where every greenai program starts\n"
	"              its calibration from: $GREENAI_CALIBRATION, else\n"
	"              /etc/greenai/idle-power for root (the host's, which\n"
	"              users without their own read too), else\n"
	"              ~/.local/state/greenai/idle-power\n"
	"  --root DIR  read /proc and /sys under DIR (energy sources)\n"
	"An estimated domain's idle power is its power model's: nothing to\n"
	"learn. A figure given (--idle-power, greenai.conf) still comes first.\n"
	"\n"
	"Exit status: 0; 1 when a measured domain could not be calibrated (the\n"
	"machine was too busy) or libgreenai cannot measure; 2 for bad usage.\n";

/* "HOST, YYYY-MM-DD HH:MM UTC" */
static void calibrate_when(char *out, size_t size)
{
	char host[256] = "?", date[32] = "?";
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	if (gmtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	snprintf(out, size, "%s, %s", host, date);
}

/*
 * Each domain's outcome, printed; the calibrated ones into @saved.
 * Return: how many measured domains were not calibrated.
 */
static unsigned int calibrate_report(struct ga_ctx *g,
				     struct ga_idle_power *saved,
				     unsigned int *nr_saved)
{
	unsigned int i, failed = 0, n = ga_nr_domains(g);

	*nr_saved = 0;
	for (i = 0; i < n; i++) {
		const struct greenai_domain *d = ga_domain(g, i);
		const struct ga_acct_domain_totals *t = ga_domain_totals(g, i);
		__u64 uw;

		if (!t)
			continue;
		uw = t->idle.idle_power_uw;
		switch (t->idle.basis) {
		case GREENAI_BASIS_CALIBRATED:
			printf("  %-14s calibrated %llu.%03llu W\n", d->name,
			       (unsigned long long)(uw / 1000000),
			       (unsigned long long)(uw / 1000 % 1000));
			snprintf(saved[*nr_saved].domain,
				 sizeof(saved[*nr_saved].domain), "%s",
				 d->name);
			saved[(*nr_saved)++].uw = uw;
			break;
		case GREENAI_BASIS_MODEL:
			printf("  %-14s estimated: its power model's idle power, %llu.%03llu W, is used\n",
			       d->name, (unsigned long long)(uw / 1000000),
			       (unsigned long long)(uw / 1000 % 1000));
			break;
		case GREENAI_BASIS_FIXED:
			printf("  %-14s fixed %llu.%03llu W by the module (idle_mw=, idle_power): not calibrated\n",
			       d->name, (unsigned long long)(uw / 1000000),
			       (unsigned long long)(uw / 1000 % 1000));
			break;
		default:
			printf("  %-14s not calibrated: fewer than 16 quiet intervals in a row\n",
			       d->name);
			failed++;
			break;
		}
	}
	return failed;
}

static int cli_calibrate_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "save", no_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ga_idle_power saved[GA_IDLE_POWERS_MAX];
	double secs = 10, every = 0.1, t0, next;
	struct ga_opts gopts = { 0 };
	unsigned int nr_saved, failed;
	char err[512], path[GA_PATH_MAX], when[320], comment[400], *end;
	int c, save = 0;
	struct ga_ctx *g;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hI:", opts, NULL)) != -1) {
		switch (c) {
		case 'I':
			every = strtod(optarg, &end) / 1000;
			if (*optarg < '0' || *optarg > '9' || *end ||
			    every < 0.01 || every > 1)
				return cli_usage(&cli_cmd_calibrate,
						    "-I '%s': not 10 to 1000 ms",
						    optarg);
			break;
		case 's':
			save = 1;
			break;
		case 'R':
			if (access(optarg, R_OK | X_OK))
				return cli_usage(&cli_cmd_calibrate,
						    "--root '%s': not a readable directory",
						    optarg);
			gopts.sysfs_root = optarg;
			break;
		case 'h':
			return cli_help(&cli_cmd_calibrate);
		default:
			return cli_bad_option(&cli_cmd_calibrate, argv);
		}
	}
	if (argc - optind > 1)
		return cli_usage(&cli_cmd_calibrate, "unexpected '%s'",
				    argv[optind + 1]);
	if (optind < argc) {
		secs = strtod(argv[optind], &end);
		if (*argv[optind] < '0' || *argv[optind] > '9' || *end ||
		    secs < 1 || secs > 3600)
			return cli_usage(&cli_cmd_calibrate,
					    "SECONDS '%s': not 1 to 3600",
					    argv[optind]);
	}
	if (save && ga_idle_saved_path(path, sizeof(path), true))
		return cli_usage(&cli_cmd_calibrate,
				    "--save: no place to save to (no HOME)%s", "");
	/* learned afresh: no figure given, none saved before */
	c = cli_model(&cli_cmd_calibrate, &gopts);
	if (c)
		return c;
	if (ga_open(&g, &gopts, err, sizeof(err))) {
		fprintf(stderr, "greenai calibrate: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	t0 = ga_mono_s();
	for (next = t0 + every; next <= t0 + secs; next += every) {
		double now = ga_mono_s();

		if (next > now)
			usleep((useconds_t)((next - now) * 1e6));
		ga_sample(g);
	}
	calibrate_when(when, sizeof(when));
	printf("greenai calibrate: %s, %.1f s in intervals of %.0f ms\n", when,
	       ga_mono_s() - t0, every * 1000);
	failed = calibrate_report(g, saved, &nr_saved);
	ga_close(g);
	if (failed)
		fprintf(stderr, "greenai calibrate: the machine was too busy for %u domain(s): run it again when it is quieter, or for longer\n",
			failed);
	if (save && nr_saved) {
		snprintf(comment, sizeof(comment),
			 "greenai calibrate on %s, %.0f s in %.0f ms intervals: idle power, W",
			 when, secs, every * 1000);
		c = ga_idle_save(path, saved, nr_saved, comment);
		if (c) {
			fprintf(stderr, "greenai calibrate: %s: %s\n", path,
				strerror(-c));
			return CLI_EXIT_FAIL;
		}
		printf("saved to %s\n", path);
	} else if (save) {
		printf("nothing to save: no domain was calibrated\n");
	}
	return failed ? CLI_EXIT_FAIL : 0;
}

const struct cli_cmd cli_cmd_calibrate = {
	.name = "calibrate",
	.summary = "learn each measured domain's idle power, and save it",
	.help = cli_calibrate_help,
	.run = cli_calibrate_main,
};
