/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The greenai command: one binary, a table of subcommands (main.c), each
 * in a file of its own (cmd_*.c). A subcommand gets its own argv (argv[0]
 * is its name) and returns the process's exit status: 0, CLI_EXIT_USAGE
 * for bad usage or input (nothing done), CLI_EXIT_FAIL when it failed.
 */
#ifndef _GREENAI_CLI_H
#define _GREENAI_CLI_H

#include <stdint.h>

struct ga_opts;

#define CLI_EXIT_FAIL	1
#define CLI_EXIT_USAGE	2

struct cli_cmd {
	const char *name;
	const char *summary;	/* one line, for `greenai --help` */
	const char *help;	/* the whole text of `greenai NAME --help` */
	int (*run)(int argc, char **argv);
};

extern const struct cli_cmd cli_cmd_calibrate;
extern const struct cli_cmd cli_cmd_compare;
extern const struct cli_cmd cli_cmd_export;
extern const struct cli_cmd cli_cmd_intensity;
extern const struct cli_cmd cli_cmd_report;
extern const struct cli_cmd cli_cmd_run;
extern const struct cli_cmd cli_cmd_schedule;
extern const struct cli_cmd cli_cmd_score;
extern const struct cli_cmd cli_cmd_stat;

/* usage.c: bad usage said one way, help shown */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_help(const struct cli_cmd *cmd);
int cli_bad_option(const struct cli_cmd *cmd, char **argv);

/* defaults.c: what flags leave unsaid, from the environment or config */
struct ga_intensity;
struct ga_idle_conf;
int cli_intensity(const struct cli_cmd *cmd, const char *given,
		     const char *region, struct ga_intensity *in,
		     const char **why);
int cli_idle(const struct cli_cmd *cmd, const char *share, const char *power,
	     struct ga_idle_conf *out);
int cli_pue(const struct cli_cmd *cmd, const char *given,
	       uint32_t *pue_milli);
int cli_ledger(const struct cli_cmd *cmd, const char **ledger);
int cli_model(const struct cli_cmd *cmd, struct ga_opts *gopts);
struct ga_embodied;
struct ga_machine;
int cli_on_cloud(const struct cli_cmd *cmd, struct ga_machine *m);
int cli_embodied(const struct cli_cmd *cmd, struct ga_embodied *out);
struct ga_live_conf;
int cli_live(const struct cli_cmd *cmd, const char *region,
		struct ga_live_conf *c, int *live);

#endif /* _GREENAI_CLI_H */
