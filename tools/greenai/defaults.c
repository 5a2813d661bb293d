// SPDX-License-Identifier: GPL-2.0
/*
 * What a command's flags leave unsaid: the grid intensity, the PUE, the
 * idle policy, the ledger and the power model's coefficients come from
 * the flag, else the environment (GREENAI_REGION),
 * else the configuration files (config.h), else the default. A bad
 * configuration file is bad usage: the command stops before doing
 * anything and says which file and line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/libgreenai.h>

#include "cli.h"

static struct ga_config cli_cfg;

/* The configuration files, read once. Return: 0 or the exit status. */
static int cli_config(const struct cli_cmd *cmd)
{
	static int loaded, status;
	char err[GA_CONFIG_FROM_MAX + 256];

	if (loaded)
		return status;
	loaded = 1;
	if (ga_config_load(&cli_cfg, err, sizeof(err)))
		status = cli_usage(cmd, "%s", err);
	else if (cli_cfg.warning[0])
		fprintf(stderr, "greenai %s: warning: %s\n", cmd->name,
			cli_cfg.warning);
	return status;
}

/**
 * cli_intensity() - the grid intensity a command uses
 * @cmd: the command
 * @given: --intensity, or NULL
 * @region: --region, or NULL
 * @in: the figure
 * @why: where it came from, for people
 *
 * In the library's order (ga_settings_intensity()).
 *
 * Return: 0, or the exit status of bad usage (said on stderr).
 */
int cli_intensity(const struct cli_cmd *cmd, const char *given,
		     const char *region, struct ga_intensity *in,
		     const char **why)
{
	static char from[GA_SETTINGS_FROM_MAX];
	char err[GA_SETTINGS_FROM_MAX + 256];
	int r;

	/* the files are read only when neither flags nor the environment say */
	if (!given && !region && !ga_settings_region(NULL)) {
		r = cli_config(cmd);
		if (r)
			return r;
	}
	if (ga_settings_intensity(&cli_cfg, given, region, in, from,
				  sizeof(from), err, sizeof(err)))
		return cli_usage(cmd, "%s", err);
	/* a figure from a file says which */
	if (in->origin == GA_INT_GIVEN && strcmp(from, "--intensity"))
		in->source = from;
	*why = from;
	return 0;
}

/**
 * cli_pue() - the PUE a command uses: --pue, else the configuration's,
 * else 1.0
 * @cmd: the command
 * @given: --pue, or NULL
 * @pue_milli: the PUE in thousandths
 *
 * Return: 0, or the exit status of bad usage.
 */
int cli_pue(const struct cli_cmd *cmd, const char *given,
	       uint32_t *pue_milli)
{
	char err[GA_SETTINGS_FROM_MAX + 64];
	int r = given ? 0 : cli_config(cmd);

	if (r)
		return r;
	if (ga_settings_pue(&cli_cfg, given, pue_milli, err, sizeof(err)))
		return cli_usage(cmd, "%s", err);
	return 0;
}

/**
 * cli_idle() - the idle policy a command splits energy under: --idle and
 * --idle-power, else GREENAI_IDLE and GREENAI_IDLE_POWER, else the
 * configuration's, else capacity with the idle power from what is known
 * @cmd: the command
 * @share: --idle, or NULL
 * @power: --idle-power, or NULL
 * @out: the policy
 *
 * Return: 0, or the exit status of bad usage.
 */
int cli_idle(const struct cli_cmd *cmd, const char *share, const char *power,
	     struct ga_idle_conf *out)
{
	char err[GA_SETTINGS_FROM_MAX + 256];
	int r = cli_config(cmd);

	if (r)
		return r;
	if (ga_settings_idle(&cli_cfg, share, power, out, err, sizeof(err)))
		return cli_usage(cmd, "%s", err);
	return 0;
}

/**
 * cli_model() - the power model's coefficients a command opens with:
 * greenai.conf's model_idle_w and model_max_w, else none (libgreenai
 * takes Cloud Carbon Footprint's for the CPU's family); and, in a VM,
 * where its host hands over its figures (ga_settings_host_energy_dir());
 * and the size of the BPF backend's run map (ga_settings_bpf_runs())
 * @cmd: the command
 * @gopts: their model_cpu_* and model_from set when the file gives them,
 *	   host_energy_dir and bpf.max_runs when the settings give them
 *
 * Return: 0, or the exit status of bad usage.
 */
int cli_model(const struct cli_cmd *cmd, struct ga_opts *gopts)
{
	static char from[GA_SETTINGS_FROM_MAX];
	char err[2 * GA_SETTINGS_FROM_MAX];
	int r = cli_config(cmd);

	if (r)
		return r;
	r = ga_settings_model(&cli_cfg, &gopts->model_cpu_idle_mw,
			      &gopts->model_cpu_max_mw, from, sizeof(from),
			      err, sizeof(err));
	if (r < 0)
		return cli_usage(cmd, "%s", err);
	if (r)
		gopts->model_from = from;
	gopts->host_energy_dir = ga_settings_host_energy_dir(&cli_cfg);
	if (ga_settings_bpf_runs(&cli_cfg, &gopts->bpf.max_runs, err,
				 sizeof(err)))
		return cli_usage(cmd, "%s", err);
	return 0;
}

/**
 * cli_ledger() - the ledger a command uses: --ledger, else the
 * configuration's, else NULL (ga_ledger_default_path())
 * @cmd: the command
 * @ledger: --ledger or NULL; set
 *
 * Return: 0, or the exit status of bad usage.
 */
int cli_ledger(const struct cli_cmd *cmd, const char **ledger)
{
	int r = *ledger ? 0 : cli_config(cmd);

	if (r)
		return r;
	*ledger = ga_settings_ledger(&cli_cfg, *ledger);
	return 0;
}

/**
 * cli_on_cloud() - whether the machine is a cloud provider's: the
 * configuration's on_cloud (yes, no), else (auto) its DMI strings'
 * @cmd: the command
 * @m: the machine (ga_machine_read()): its on_cloud settled
 *
 * Return: 0, or the exit status of bad usage.
 */
int cli_on_cloud(const struct cli_cmd *cmd, struct ga_machine *m)
{
	int r = cli_config(cmd);

	if (r)
		return r;
	m->on_cloud = ga_settings_on_cloud(&cli_cfg, m->on_cloud);
	return 0;
}

/**
 * cli_embodied() - the SCI's embodied emissions and lifetime: the
 * configuration's embodied_kg and embodied_years, else the defaults
 * @cmd: the command
 * @out: the figures and their source
 *
 * Return: 0, or the exit status of bad usage (said on stderr).
 */
int cli_embodied(const struct cli_cmd *cmd, struct ga_embodied *out)
{
	char err[GA_CONFIG_FROM_MAX + 128];
	int r = cli_config(cmd);

	if (r)
		return r;
	if (ga_settings_embodied(&cli_cfg, out, err, sizeof(err)))
		return cli_usage(cmd, "%s", err);
	return 0;
}

/**
 * cli_live() - the intensity providers a command asks, and how
 * @cmd: the command
 * @region: --region, or NULL (then GREENAI_REGION, then the configuration)
 * @c: filled (ga_settings_live()); it lives as long as the program
 * @live: whether any provider other than the embedded table is set up
 *
 * Return: 0, or the exit status of bad usage.
 */
int cli_live(const struct cli_cmd *cmd, const char *region,
		struct ga_live_conf *c, int *live)
{
	char err[GA_REGION_MAX + 64];
	int r = cli_config(cmd);

	if (r)
		return r;
	r = ga_settings_live(&cli_cfg, region, c, err, sizeof(err));
	if (r < 0)
		return cli_usage(cmd, "%s", err);
	*live = r;
	return 0;
}
