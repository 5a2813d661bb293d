// SPDX-License-Identifier: GPL-2.0
/*
 * What a command's flags leave unsaid: the grid intensity, the PUE and
 * the ledger come from the flag, else the environment (GREENAI_REGION),
 * else the configuration files (config.h), else the default. A bad
 * configuration file is bad usage: the command stops before doing
 * anything and says which file and line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/carbon.h"
#include "settings/config.h"
#include "greenai.h"
#include "carbon/intensity.h"
#include "carbon/intensity_live.h"

static struct ga_config ga_cli_cfg;

/* The configuration files, read once. Return: 0 or the exit status. */
static int ga_cli_config(const struct ga_cmd *cmd)
{
	static int loaded, status;
	char err[GA_CONFIG_FROM_MAX + 256];

	if (loaded)
		return status;
	loaded = 1;
	if (ga_config_load(&ga_cli_cfg, err, sizeof(err)))
		status = ga_cli_usage(cmd, "%s", err);
	return status;
}

/**
 * ga_cli_intensity() - the grid intensity a command uses
 * @cmd: the command
 * @given: --intensity, or NULL
 * @region: --region, or NULL
 * @in: the figure
 * @why: where it came from, for people
 *
 * Flags first (a figure over a region), then GREENAI_REGION, then the
 * configuration's intensity or region, else the world average.
 *
 * Return: 0, or the exit status of bad usage (said on stderr).
 */
int ga_cli_intensity(const struct ga_cmd *cmd, const char *given,
		     const char *region, struct ga_intensity *in,
		     const char **why)
{
	static char from[GA_CONFIG_FROM_MAX + 64];
	const char *env = getenv("GREENAI_REGION"), *where = NULL;
	char err[256];
	int r;

	if (given) {
		snprintf(from, sizeof(from), "--intensity");
	} else if (region) {
		snprintf(from, sizeof(from), "--region");
	} else if (env && *env) {
		region = env;
		snprintf(from, sizeof(from), "GREENAI_REGION");
	} else {
		r = ga_cli_config(cmd);
		if (r)
			return r;
		given = ga_config_get(&ga_cli_cfg, GA_CFG_INTENSITY, &where);
		if (given) {
			snprintf(from, sizeof(from), "intensity in %s", where);
		} else {
			region = ga_config_get(&ga_cli_cfg, GA_CFG_REGION,
					       &where);
			snprintf(from, sizeof(from), "%s%s",
				 region ? "region in " : "",
				 region ? where : "");
		}
	}
	if (ga_intensity_choose(given, region, in, err, sizeof(err)))
		return ga_cli_usage(cmd, "%s (from %s)", err, from);
	if (in->origin == GA_INT_WORLD)
		snprintf(from, sizeof(from),
			 "no region given (--region, GREENAI_REGION, config): the world average");
	else if (in->origin == GA_INT_GIVEN && where)
		in->source = from;
	*why = from;
	return 0;
}

/**
 * ga_cli_pue() - the PUE a command uses: --pue, else the configuration's,
 * else 1.0
 * @cmd: the command
 * @given: --pue, or NULL
 * @pue_milli: the PUE in thousandths
 *
 * Return: 0, or the exit status of bad usage.
 */
int ga_cli_pue(const struct ga_cmd *cmd, const char *given,
	       uint32_t *pue_milli)
{
	const char *from = "--pue";
	uint32_t v = GA_PUE_MIN_MILLI;
	int r;

	if (!given) {
		r = ga_cli_config(cmd);
		if (r)
			return r;
		given = ga_config_get(&ga_cli_cfg, GA_CFG_PUE, &from);
	}
	if (given && ga_pue_parse(given, &v))
		return ga_cli_usage(cmd, "pue '%s': not 1.0 to 10.0 (from %s)",
				    given, from);
	*pue_milli = v;
	return 0;
}

/**
 * ga_cli_ledger() - the ledger a command uses: --ledger, else the
 * configuration's, else NULL (ga_ledger_default_path())
 * @cmd: the command
 * @ledger: --ledger or NULL; set
 *
 * Return: 0, or the exit status of bad usage.
 */
int ga_cli_ledger(const struct ga_cmd *cmd, const char **ledger)
{
	int r;

	if (*ledger)
		return 0;
	r = ga_cli_config(cmd);
	if (r)
		return r;
	*ledger = ga_config_get(&ga_cli_cfg, GA_CFG_LEDGER, NULL);
	return 0;
}

/* A region for a provider: printable, no blanks, not too long. */
static int ga_cli_region_ok(const char *r)
{
	size_t n = strlen(r);

	if (!n || n >= GA_REGION_MAX)
		return 0;
	for (; *r; r++)
		if ((unsigned char)*r <= 0x20 || (unsigned char)*r >= 0x7f)
			return 0;
	return 1;
}

/**
 * ga_cli_live() - the intensity providers a command asks, and how
 * @cmd: the command
 * @region: --region, or NULL (then GREENAI_REGION, then the configuration)
 * @c: filled (ga_live_conf_load()); it lives as long as the program
 * @live: whether any provider other than the embedded table is set up
 *
 * Return: 0, or the exit status of bad usage.
 */
int ga_cli_live(const struct ga_cmd *cmd, const char *region,
		struct ga_live_conf *c, int *live)
{
	int r = ga_cli_config(cmd);

	if (r)
		return r;
	if (!region) {
		region = getenv("GREENAI_REGION");
		if (region && !*region)
			region = NULL;
	}
	if (region && !ga_cli_region_ok(region))
		return ga_cli_usage(cmd, "region '%s': not a region name", region);
	*live = ga_live_conf_load(c, &ga_cli_cfg, region);
	return 0;
}
