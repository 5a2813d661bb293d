/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The greenai command: one binary, a table of subcommands (main.c), each
 * in a file of its own (cmd_*.c). A subcommand gets its own argv (argv[0]
 * is its name) and returns the process's exit status: 0, GA_EXIT_USAGE
 * for bad usage or input (nothing done), GA_EXIT_FAIL when it failed.
 */
#ifndef _GREENAI_CLI_H
#define _GREENAI_CLI_H

#include <stdint.h>

#define GA_EXIT_FAIL	1
#define GA_EXIT_USAGE	2

struct ga_cmd {
	const char *name;
	const char *summary;	/* one line, for `greenai --help` */
	const char *help;	/* the whole text of `greenai NAME --help` */
	int (*run)(int argc, char **argv);
};

extern const struct ga_cmd ga_cmd_compare;
extern const struct ga_cmd ga_cmd_export;
extern const struct ga_cmd ga_cmd_intensity;
extern const struct ga_cmd ga_cmd_report;
extern const struct ga_cmd ga_cmd_run;
extern const struct ga_cmd ga_cmd_schedule;
extern const struct ga_cmd ga_cmd_score;
extern const struct ga_cmd ga_cmd_stat;

int ga_cli_usage(const struct ga_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ga_cli_help(const struct ga_cmd *cmd);
int ga_cli_bad_option(const struct ga_cmd *cmd, char **argv);

/* settings.c: what flags leave unsaid, from the environment or config */
struct ga_intensity;
int ga_cli_intensity(const struct ga_cmd *cmd, const char *given,
		     const char *region, struct ga_intensity *in,
		     const char **why);
int ga_cli_pue(const struct ga_cmd *cmd, const char *given,
	       uint32_t *pue_milli);
int ga_cli_ledger(const struct ga_cmd *cmd, const char **ledger);
struct ga_live_conf;
int ga_cli_live(const struct ga_cmd *cmd, const char *region,
		struct ga_live_conf *c, int *live);

#endif /* _GREENAI_CLI_H */
