/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a program's flags leave unsaid, in one order for every program:
 * the flag, else the environment (GREENAI_REGION), else the configuration
 * files (config.h), else the default. The grid intensity, the PUE, the
 * ledger, the live providers and the power model's coefficients are
 * settled here; ga_grid follows the
 * intensity in force over time, for the programs that run long.
 *
 * Nothing here prints: errors come back as text, "... (from WHERE)".
 */
#ifndef _GREENAI_SETTINGS_H
#define _GREENAI_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <greenai/config.h>
#include <greenai/idle.h>
#include <greenai/intensity.h>
#include <greenai/intensity_live.h>
#include <greenai/machine.h>

#define GA_SETTINGS_FROM_MAX	(GA_CONFIG_FROM_MAX + 64)

const char *ga_settings_region(const char *flag);
int ga_settings_intensity(const struct ga_config *cfg, const char *given,
			  const char *region, struct ga_intensity *in,
			  char *from, size_t from_size, char *err,
			  size_t err_size);
int ga_settings_pue(const struct ga_config *cfg, const char *given,
		    uint32_t *pue_milli, char *err, size_t err_size);
const char *ga_settings_ledger(const struct ga_config *cfg,
			       const char *given);
/*
 * The idle policy: --idle and --idle-power, else GREENAI_IDLE and
 * GREENAI_IDLE_POWER, else idle and idle_power in greenai.conf, else the
 * default (capacity; the idle power from what is known of each domain).
 */
int ga_settings_idle(const struct ga_config *cfg, const char *share,
		     const char *power, struct ga_idle_conf *out, char *err,
		     size_t err_size);
/*
 * Where a VM's host hands over the energy it measured for it (ga_opts
 * host_energy_dir): GREENAI_HOST_ENERGY_DIR when set and not empty, else
 * host_energy_dir in greenai.conf, else NULL (the default place).
 */
const char *ga_settings_host_energy_dir(const struct ga_config *cfg);
/*
 * The entries of the BPF backend's run map (ga_opts bpf.max_runs):
 * GREENAI_BPF_RUNS when set and not empty, else bpf_runs in greenai.conf,
 * else 0 (the default: 16 384 entries each, and the run map 512 per CPU
 * when that is more).
 */
int ga_settings_bpf_runs(const struct ga_config *cfg, uint32_t *runs,
			 char *err, size_t err_size);
int ga_settings_model(const struct ga_config *cfg, uint32_t *idle_mw,
		      uint32_t *max_mw, char *from, size_t from_size,
		      char *err, size_t err_size);
/*
 * The SCI's embodied emissions: the machine's (TE) and its expected
 * lifetime (EL), greenai.conf's embodied_kg and embodied_years, else the
 * defaults below; @source says where each is from.
 */
#define GA_EMBODIED_DEFAULT_G		1230300	/* 1230.3 kg CO2e */
#define GA_EMBODIED_DEFAULT_MYEARS	4000	/* 4 years */
#define GA_EMBODIED_DEFAULT_SOURCE \
	"the SCI Guide's (Green Software Foundation) server: 1230.3 kg CO2e over 4 years"
struct ga_embodied {
	uint64_t total_g;		/* TE, g CO2e */
	uint64_t lifetime_myears;	/* EL, thousandths of a year */
	char source[2 * GA_CONFIG_FROM_MAX + 128];
};

int ga_settings_embodied(const struct ga_config *cfg, struct ga_embodied *out,
			 char *err, size_t err_size);
/*
 * Whether the machine is a cloud provider's: greenai.conf's on_cloud
 * (yes, no), else (auto, or not set) @detected, what its DMI strings say.
 */
enum ga_cloud ga_settings_on_cloud(const struct ga_config *cfg,
				   enum ga_cloud detected);
int ga_live_conf_load(struct ga_live_conf *c, const struct ga_config *cfg,
		      const char *region);
int ga_settings_live(const struct ga_config *cfg, const char *region,
		     struct ga_live_conf *c, char *err, size_t err_size);

/*
 * The grid intensity in force, followed over time: a figure given (a
 * flag, or intensity in greenai.conf) holds for good; else the live
 * providers when any is set up, asked again every refresh_ms, the figure
 * in force looked up at each tick; else the embedded table's for the
 * region.
 */
struct ga_grid {
	bool live;
	uint32_t mg_per_kwh;			/* in force */
	char source[GA_SERIES_NAME_MAX];	/* where it is from */
	char region[GA_REGION_MAX];		/* the table's; "" otherwise */
	struct ga_live_conf conf;
	struct ga_iseries series;		/* the providers' last answer */
	int64_t next_refresh_ms;
	bool failing;				/* the last asking failed */
};

int ga_grid_init(struct ga_grid *gr, const struct ga_config *cfg,
		 const char *given, const char *region, int64_t now_ms,
		 struct ga_live_result *res, char *err, size_t err_size);
/* ga_grid_tick() results */
#define GA_GRID_CHANGED		(1u << 0)	/* a new figure or source */
#define GA_GRID_FAILED		(1u << 1)	/* asking failed, first time */
unsigned int ga_grid_tick(struct ga_grid *gr, int64_t now_ms,
			  struct ga_live_result *res);
void ga_grid_free(struct ga_grid *gr);

#endif /* _GREENAI_SETTINGS_H */
