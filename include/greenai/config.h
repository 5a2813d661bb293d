/* SPDX-License-Identifier: GPL-2.0 */
/*
 * greenai's configuration files. Lines "key = value"; '#' starts a
 * comment line; blank lines are skipped. The keys:
 *
 *   region     where the energy comes from, as --region (FR, FRA, EU)
 *   intensity  a grid intensity in g CO2e/kWh, as --intensity
 *   pue        the data centre's PUE, 1.0 to 10.0, as --pue
 *   ledger     the ledger's file, an absolute path, as --ledger
 *
 * and for the live intensity (intensity_live.h):
 *
 *   intensity_providers    the providers to try, in order, comma-separated:
 *                          electricitymaps, carbonaware, file, static
 *   electricitymaps_token  the Electricity Maps API token (never a flag)
 *   electricitymaps_url    its base URL (https://api.electricitymap.org/v3)
 *   electricitymaps_zone   the zone to ask for (else the region)
 *   carbonaware_url        a Carbon Aware SDK WebAPI's base URL
 *   carbonaware_location   the location to ask for (else the region)
 *   intensity_file         a forecast or history file, CSV or JSON
 *   intensity_file_offset  a length added to every time of that file
 *                          ("61229s", "-1d2h", a century at most;
 *                          default 0): a recorded forecast replayed at
 *                          another time
 *   http_timeout           seconds for an answer, 0.1 to 60 (default 10)
 *   intensity_cache        seconds an answer is kept on disk, 0 to 86400
 *                          (default 300; 0: no cache)
 *   intensity_refresh      seconds between asking again during a run,
 *                          1 to 86400 (default 300)
 *
 * and for the power model, where no sensor is (both or neither):
 *
 *   model_idle_w   watts of one CPU (hardware thread) at rest, 0 to 1000,
 *                  up to 3 decimals
 *   model_max_w    watts of one CPU at full load, 0.001 to 1000, at least
 *                  model_idle_w (default: Cloud Carbon Footprint's figures
 *                  for the CPU's processor family)
 *
 * and for the SCI's embodied emissions (greenai report --sci):
 *
 *   embodied_kg     the machine's embodied emissions (TE), kg CO2e, 0 to
 *                   1000000, up to 3 decimals (default 1230.3)
 *   embodied_years  its expected lifetime (EL), years of 365.25 days,
 *                   0.1 to 50, up to 3 decimals (default 4)
 *
 * and for the machine a run records (machine.h):
 *
 *   on_cloud   yes, no or auto: whether the machine is a cloud provider's;
 *              auto (the default) is what its DMI strings say
 *
 * Each value is checked as its flag would be. A file with an unknown key,
 * a key twice, a line that is not "key = value" or a bad value is refused
 * whole, with its name and line: nothing of it is used.
 *
 * Where they are: $GREENAI_CONFIG alone when it is set (it must exist);
 * else /etc/greenai/greenai.conf, then the user's
 * $XDG_CONFIG_HOME/greenai/greenai.conf (~/.config by default), whose
 * values win. Files that do not exist are skipped. Flags and the
 * environment win over both (the commands see to that).
 */
#ifndef _GREENAI_CONFIG_H
#define _GREENAI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define GA_CONFIG_SYSTEM	"/etc/greenai/greenai.conf"
#define GA_CONFIG_VALUE_MAX	4096
#define GA_CONFIG_FROM_MAX	(4096 + 32)	/* "<file>:<line>" */
#define GA_CONFIG_FILE_MAX	(64 * 1024)
#define GA_MODEL_MAX_MW		1000000	/* model_*_w: 1 kW per CPU, in mW */
#define GA_EMBODIED_MAX_G	1000000000ULL	/* embodied_kg: 1000 t, in g */
#define GA_EMBODIED_MIN_MYEARS	100		/* embodied_years: 0.1 */
#define GA_EMBODIED_MAX_MYEARS	50000		/* 50 */

enum ga_config_key {
	GA_CFG_REGION,
	GA_CFG_INTENSITY,
	GA_CFG_PUE,
	GA_CFG_LEDGER,
	GA_CFG_PROVIDERS,
	GA_CFG_EM_TOKEN,
	GA_CFG_EM_URL,
	GA_CFG_EM_ZONE,
	GA_CFG_CA_URL,
	GA_CFG_CA_LOCATION,
	GA_CFG_INTENSITY_FILE,
	GA_CFG_FILE_OFFSET,
	GA_CFG_HTTP_TIMEOUT,
	GA_CFG_CACHE,
	GA_CFG_REFRESH,
	GA_CFG_IDLE,
	GA_CFG_IDLE_POWER,
	GA_CFG_MODEL_IDLE,
	GA_CFG_MODEL_MAX,
	GA_CFG_EMBODIED_KG,
	GA_CFG_EMBODIED_YEARS,
	GA_CFG_HOST_ENERGY_DIR,
	GA_CFG_ON_CLOUD,
	GA_CFG_BPF_RUNS,
	GA_CFG_NR,
};

struct ga_config {
	char value[GA_CFG_NR][GA_CONFIG_VALUE_MAX];	/* "": not set */
	char from[GA_CFG_NR][GA_CONFIG_FROM_MAX];
	/* what a program should say on stderr ("" for nothing): a file */
	/* that holds a secret others can read */
	char warning[GA_CONFIG_FROM_MAX + 128];
};

int ga_config_parse(struct ga_config *c, const char *text, size_t len,
		    const char *name, char *err, size_t err_size);
int ga_config_read(struct ga_config *c, const char *path, int must_exist,
		   char *err, size_t err_size);
int ga_config_load(struct ga_config *c, char *err, size_t err_size);
const char *ga_config_get(const struct ga_config *c, enum ga_config_key k,
			  const char **from);
int ga_config_bpf_runs(const char *v, uint32_t *runs);

#endif /* _GREENAI_CONFIG_H */
