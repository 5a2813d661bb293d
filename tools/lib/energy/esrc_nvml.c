// SPDX-License-Identifier: GPL-2.0
/*
 * NVIDIA GPUs through NVML, the library that comes with the driver,
 * loaded at run time with dlopen (esrc.h). Nothing of NVIDIA's is needed
 * to build: the few types, constants and prototypes used are declared
 * here from the NVML API reference, and a missing library only means the
 * source is absent.
 *
 * Zones. One per GPU that reports energy or power: "gpu-N", N its NVML
 * index, package N. Where the driver has a total energy counter
 * (nvmlDeviceGetTotalEnergyConsumption, mJ since the driver loaded,
 * Volta and later) it is used, mJ becoming µJ exactly. Otherwise
 * (NVML_ERROR_NOT_SUPPORTED) the board power (nvmlDeviceGetPowerUsage,
 * mW) is integrated by the trapezoid rule, mean of two readings times
 * the time between them, µW × ns / 10^9 = µJ with the remainder carried.
 * Both go through an energy meter (meter.h) bounded by NVML_MAX_POWER_UW
 * and are read once at open, stamped with CLOCK_MONOTONIC, so energy
 * counts from open; reads give @now_ns on the same clock, and one whose
 * time is not after the previous reading's integrates nothing.
 *
 * Errors. Open fails with -ENOENT without the library ("no NVIDIA
 * driver"), -EOPNOTSUPP when it lacks the _v2 entry points (a very old
 * driver), and with nvmlInit_v2's error; a GPU that cannot be reached at
 * open, or reports neither energy nor power, is left out.
 * An NVML call that fails after init leaves the zone's energy as
 * it was and sets its error: a counter is differenced against its last
 * good reading, a power reading integrates over the whole gap. A counter
 * lower than before (the driver was reloaded), or higher by more than
 * 100 kW over the time since the last reading (at least a second), is an
 * error for that read (-ERANGE), flagged suspect, and the new reading is
 * the next reference: never a negative delta. A GPU whose energy support
 * cannot be told at open (any error but "not supported") is asked again
 * at each read.
 *
 * Shares. A process's weight is the sum of the SM utilisation of its
 * samples newer than the last one seen (nvmlDeviceGetProcessUtilization,
 * timestamps in µs; the first call counts from open). Where that is not
 * supported, has no sample, or sums to nothing, each process with a
 * compute context (nvmlDeviceGetComputeRunningProcesses) gets weight 1
 * and GA_SHARE_EQUAL says so. The processes with the lowest PIDs are
 * returned when there are more than the caller has room for, with
 * GA_SHARE_TRUNCATED.
 *
 * Units: energy µJ, power µW, time ns. Not thread-safe (esrc.h); NVML
 * itself is, and counts nvmlInit_v2/nvmlShutdown pairs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <greenai/clock.h>

#include "energy/esrc.h"
#include "energy/meter.h"
#include "energy/shares.h"

#define NVML_DEFAULT_LIB "libnvidia-ml.so.1"
/* A reading above this is not a GPU's power: 100 kW, in µW. */
#define NVML_MAX_POWER_UW 100000000000ULL
#define NVML_NAME_LEN 96 /* NVML_DEVICE_NAME_V2_BUFFER_SIZE */
#define NVML_RETRIES 3 /* list calls racing new processes */
#define NVML_SLACK 8 /* room for processes appearing */

/* --- the NVML ABI (nvml.h), as much as is used ------------------------ */

typedef int nvml_return_t; /* nvmlReturn_t, an int-sized enum */
typedef struct nvml_device *nvml_device_t; /* nvmlDevice_t, opaque */

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NO_PERMISSION 4
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_TIMEOUT 10
#define NVML_ERROR_LIBRARY_NOT_FOUND 12
#define NVML_ERROR_FUNCTION_NOT_FOUND 13
#define NVML_ERROR_GPU_IS_LOST 15
#define NVML_ERROR_MEMORY 20

/* nvmlProcessInfo_t as of the _v2 and _v3 list calls */
struct nvml_process_info {
	unsigned int pid;
	unsigned long long usedGpuMemory; /* bytes */
	unsigned int gpuInstanceId; /* MIG, else 0xFFFFFFFF */
	unsigned int computeInstanceId;
};

/* nvmlProcessUtilizationSample_t */
struct nvml_util_sample {
	unsigned int pid;
	unsigned long long timeStamp; /* CPU time, µs */
	unsigned int smUtil; /* SM (3D/compute), % */
	unsigned int memUtil;
	unsigned int encUtil;
	unsigned int decUtil;
};

_Static_assert(sizeof(struct nvml_process_info) == 24 &&
		       offsetof(struct nvml_process_info, gpuInstanceId) == 16,
	       "nvmlProcessInfo_t layout");
_Static_assert(sizeof(struct nvml_util_sample) == 32 &&
		       offsetof(struct nvml_util_sample, smUtil) == 16,
	       "nvmlProcessUtilizationSample_t layout");

/* The library's entry points; those marked optional may be NULL. */
struct nvml_api {
	void *dl;
	nvml_return_t (*init)(void);
	nvml_return_t (*shutdown)(void);
	nvml_return_t (*get_count)(unsigned int *count);
	nvml_return_t (*get_handle)(unsigned int index, nvml_device_t *dev);
	const char *(*error_string)(nvml_return_t r); /* optional */
	nvml_return_t (*get_name)(nvml_device_t dev, char *name,
				  unsigned int len); /* optional */
	nvml_return_t (*get_energy)(nvml_device_t dev,
				    unsigned long long *mj); /* optional */
	nvml_return_t (*get_power)(nvml_device_t dev,
				   unsigned int *mw); /* optional */
	nvml_return_t (*get_procs)(nvml_device_t dev, unsigned int *count,
				   struct nvml_process_info *infos); /* opt. */
	nvml_return_t (*get_util)(nvml_device_t dev,
				  struct nvml_util_sample *samples,
				  unsigned int *count,
				  unsigned long long last_seen_us); /* opt. */
};

/* --- state ------------------------------------------------------------ */

enum nvml_mode {
	NVML_MODE_PROBE, /* energy support not known yet */
	NVML_MODE_ENERGY, /* total energy counter, mJ */
	NVML_MODE_POWER, /* power readings, mW, integrated */
};

struct nvml_gpu {
	nvml_device_t dev;
	unsigned int index;
	enum nvml_mode mode;
	struct ga_meter meter; /* a counter, but in NVML_MODE_POWER */
	unsigned long long last_seen_us; /* newest utilisation sample */
};

struct nvml_priv {
	struct nvml_api api;
	struct nvml_gpu *gpus;
	unsigned int nr_gpus;
};

/* --- helpers ---------------------------------------------------------- */

static const char *nvml_strerror(const struct nvml_api *api, nvml_return_t r)
{
	const char *s = api->error_string ? api->error_string(r) : NULL;

	return s ? s : "unknown NVML error";
}

/* The errno closest to an NVML return code. */
static int nvml_errno(nvml_return_t r)
{
	switch (r) {
	case NVML_SUCCESS:
		return 0;
	case NVML_ERROR_NOT_SUPPORTED:
	case NVML_ERROR_FUNCTION_NOT_FOUND:
		return -EOPNOTSUPP;
	case NVML_ERROR_NO_PERMISSION:
		return -EACCES;
	case NVML_ERROR_NOT_FOUND:
		return -ENOENT;
	case NVML_ERROR_INVALID_ARGUMENT:
		return -EINVAL;
	case NVML_ERROR_DRIVER_NOT_LOADED:
	case NVML_ERROR_LIBRARY_NOT_FOUND:
	case NVML_ERROR_GPU_IS_LOST:
		return -ENODEV;
	case NVML_ERROR_TIMEOUT:
		return -ETIMEDOUT;
	case NVML_ERROR_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* Record a failed call in the zone. Return: the errno. */
static int nvml_zone_fail(const struct nvml_api *api, struct ga_zone *z,
			  const char *call, nvml_return_t r)
{
	ga_zone_error(z, "%s: %s", call, nvml_strerror(api, r));
	return nvml_errno(r);
}

/* --- reading ---------------------------------------------------------- */

/* The energy counter, mJ; NVML's return code. */
static nvml_return_t nvml_energy_mj(const struct nvml_api *api,
				    const struct nvml_gpu *g, __u64 *mj)
{
	unsigned long long v;
	nvml_return_t r;

	if (!api->get_energy)
		return NVML_ERROR_FUNCTION_NOT_FOUND;
	r = api->get_energy(g->dev, &v);
	if (r == NVML_SUCCESS)
		*mj = v;
	return r;
}

/* Past 2^64 µJ: 585 years at 1 kW, only a broken counter reads that. */
static bool nvml_mj_plausible(__u64 mj)
{
	return mj <= UINT64_MAX / 1000;
}

static bool nvml_unsupported(nvml_return_t r)
{
	return r == NVML_ERROR_NOT_SUPPORTED ||
	       r == NVML_ERROR_FUNCTION_NOT_FOUND;
}

/* No energy counter: power readings, integrated, from now on. */
static void nvml_power_mode(struct nvml_gpu *g)
{
	g->mode = NVML_MODE_POWER;
	ga_meter_init(&g->meter, GA_METER_POWER, NVML_MAX_POWER_UW);
}

static int nvml_read_power(const struct nvml_api *api, struct nvml_gpu *g,
			   struct ga_zone *z, __u64 now_ns)
{
	unsigned int mw;
	nvml_return_t r;

	if (!api->get_power)
		return nvml_zone_fail(api, z, "nvmlDeviceGetPowerUsage",
				      NVML_ERROR_FUNCTION_NOT_FOUND);
	r = api->get_power(g->dev, &mw);
	if (r != NVML_SUCCESS)
		return nvml_zone_fail(api, z, "nvmlDeviceGetPowerUsage", r);
	return ga_meter_read(&g->meter, z, (__u64)mw * 1000, now_ns);
}

static int nvml_read_gpu(const struct nvml_api *api, struct nvml_gpu *g,
			 struct ga_zone *z, __u64 now_ns)
{
	nvml_return_t r;
	__u64 mj;

	if (g->mode == NVML_MODE_POWER)
		return nvml_read_power(api, g, z, now_ns);
	r = nvml_energy_mj(api, g, &mj);
	if (r == NVML_SUCCESS && !nvml_mj_plausible(mj)) {
		ga_zone_error(z, "implausible energy counter %llu mJ",
			      (unsigned long long)mj);
		return -ERANGE;
	}
	if (r == NVML_SUCCESS) {
		g->mode = NVML_MODE_ENERGY;
		return ga_meter_read(&g->meter, z, mj * 1000, now_ns);
	}
	if (g->mode == NVML_MODE_PROBE && nvml_unsupported(r)) {
		nvml_power_mode(g);
		z->integrated = true;
		return nvml_read_power(api, g, z, now_ns);
	}
	return nvml_zone_fail(api, z, "nvmlDeviceGetTotalEnergyConsumption", r);
}

/* --- shares ----------------------------------------------------------- */

/*
 * The list calls below ask with no buffer for the count, then with a
 * buffer a little larger, and again if processes appeared in between.
 * What the answer to one call means. Return: 1 to call again with a
 * buffer of *count + NVML_SLACK, 0 when done (*ret set).
 */
static int nvml_list_step(nvml_return_t r, bool have_buf, unsigned int count,
			  unsigned int try, int *ret)
{
	if (r == NVML_ERROR_NOT_FOUND || (r == NVML_SUCCESS && !count)) {
		*ret = 0;
		return 0;
	}
	if (r == NVML_SUCCESS && have_buf) {
		*ret = count;
		return 0;
	}
	if (r != NVML_SUCCESS && r != NVML_ERROR_INSUFFICIENT_SIZE) {
		*ret = nvml_errno(r);
		return 0;
	}
	if (try == NVML_RETRIES) {
		*ret = -EAGAIN;
		return 0;
	}
	return 1;
}

/*
 * One of the list calls for GPU @g: at most *@count entries into @buf, or
 * only the count when @buf is NULL; *@count is set to how many there are.
 */
typedef nvml_return_t (*nvml_list_fn)(const struct nvml_api *api,
				      const struct nvml_gpu *g, void *buf,
				      unsigned int *count);

/*
 * The entries of list call @call, of @size bytes each. Return: them (to
 * free), with *@nr how many; NULL with *@nr 0 when there are none, or
 * -errno.
 */
static void *nvml_list(const struct nvml_api *api, const struct nvml_gpu *g,
		       nvml_list_fn call, size_t size, int *nr)
{
	unsigned int count = 0, cap = 0, try;
	void *buf = NULL;
	nvml_return_t r;
	int ret = 0;

	r = call(api, g, NULL, &count);
	for (try = 0; nvml_list_step(r, buf, count, try, &ret); try++) {
		free(buf);
		cap = count + NVML_SLACK;
		buf = calloc(cap, size);
		if (!buf) {
			*nr = -ENOMEM;
			return NULL;
		}
		count = cap;
		r = call(api, g, buf, &count);
	}
	if (ret > 0) {
		*nr = count < cap ? count : cap;
		return buf;
	}
	free(buf);
	*nr = ret;
	return NULL;
}

static nvml_return_t nvml_call_util(const struct nvml_api *api,
				    const struct nvml_gpu *g, void *buf,
				    unsigned int *count)
{
	return api->get_util(g->dev, buf, count, g->last_seen_us);
}

static nvml_return_t nvml_call_procs(const struct nvml_api *api,
				     const struct nvml_gpu *g, void *buf,
				     unsigned int *count)
{
	return api->get_procs(g->dev, count, buf);
}

/*
 * Utilisation samples newer than the last seen, into *samples (to free).
 * Return: how many, 0 when there are none, or -errno.
 */
static int nvml_util_samples(const struct nvml_api *api,
			     const struct nvml_gpu *g,
			     struct nvml_util_sample **samples)
{
	int nr = -EOPNOTSUPP;

	*samples = NULL;
	if (api->get_util)
		*samples = nvml_list(api, g, nvml_call_util, sizeof(**samples),
				     &nr);
	return nr;
}

/*
 * Processes with a compute context, into *infos (to free).
 * Return: how many, 0 when there are none, or -errno.
 */
static int nvml_procs(const struct nvml_api *api, const struct nvml_gpu *g,
		      struct nvml_process_info **infos)
{
	int nr = -EOPNOTSUPP;

	*infos = NULL;
	if (api->get_procs)
		*infos = nvml_list(api, g, nvml_call_procs, sizeof(**infos),
				   &nr);
	return nr;
}

/*
 * Weights from utilisation samples, *total their sum. Return: entries, or
 * -errno.
 */
static int nvml_util_shares(const struct nvml_api *api, struct nvml_gpu *g,
			    struct ga_share *out, unsigned int max,
			    __u64 *total, __u32 *flags)
{
	struct nvml_util_sample *smp;
	struct ga_share *v;
	int nr, i, n;

	*total = 0;
	nr = nvml_util_samples(api, g, &smp);
	if (nr <= 0)
		return nr;
	v = calloc(nr, sizeof(*v));
	if (!v) {
		free(smp);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		v[i].pid = smp[i].pid;
		v[i].weight = smp[i].smUtil;
		*total += smp[i].smUtil;
		if (smp[i].timeStamp > g->last_seen_us)
			g->last_seen_us = smp[i].timeStamp;
	}
	n = ga_shares_merge(v, nr, out, max, flags);
	free(v);
	free(smp);
	return n;
}

/* Weight 1 for each process with a compute context. */
static int nvml_equal_shares(const struct nvml_api *api,
			     const struct nvml_gpu *g, struct ga_share *out,
			     unsigned int max, __u32 *flags)
{
	struct nvml_process_info *infos;
	struct ga_share *v;
	int nr, i, n;

	nr = nvml_procs(api, g, &infos);
	if (nr <= 0)
		return nr;
	v = calloc(nr, sizeof(*v));
	if (!v) {
		free(infos);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++)
		v[i].pid = infos[i].pid;
	n = ga_shares_merge(v, nr, out, max, flags);
	/* a PID listed twice (MIG instances) is still one process */
	for (i = 0; i < n; i++)
		out[i].weight = 1;
	free(v);
	free(infos);
	return n;
}

/* --- open and close --------------------------------------------------- */

#define NVML_SYM(api, field, name) \
	((api)->field = (__typeof__((api)->field))dlsym((api)->dl, name))

/* Resolve the entry points. Return: the first required one missing. */
static const char *nvml_bind(struct nvml_api *api)
{
	if (!NVML_SYM(api, init, "nvmlInit_v2"))
		return "nvmlInit_v2";
	if (!NVML_SYM(api, shutdown, "nvmlShutdown"))
		return "nvmlShutdown";
	if (!NVML_SYM(api, get_count, "nvmlDeviceGetCount_v2"))
		return "nvmlDeviceGetCount_v2";
	if (!NVML_SYM(api, get_handle, "nvmlDeviceGetHandleByIndex_v2"))
		return "nvmlDeviceGetHandleByIndex_v2";
	NVML_SYM(api, error_string, "nvmlErrorString");
	NVML_SYM(api, get_name, "nvmlDeviceGetName");
	NVML_SYM(api, get_energy, "nvmlDeviceGetTotalEnergyConsumption");
	NVML_SYM(api, get_power, "nvmlDeviceGetPowerUsage");
	/* _v3 and _v2 take the same 4-field struct; plain (v1) does not */
	if (!NVML_SYM(api, get_procs,
		      "nvmlDeviceGetComputeRunningProcesses_v3"))
		NVML_SYM(api, get_procs,
			 "nvmlDeviceGetComputeRunningProcesses_v2");
	NVML_SYM(api, get_util, "nvmlDeviceGetProcessUtilization");
	return NULL;
}

/* Load and start NVML. Return: 0, or -errno with the reason set. */
static int nvml_load(struct ga_esrc *s, struct nvml_api *api, const char *lib)
{
	const char *missing, *why;
	nvml_return_t r;

	api->dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!api->dl) {
		why = dlerror();
		if (why && !strstr(why, "No such file"))
			ga_esrc_reason(s,
				       "no NVIDIA driver: cannot load %s: %s",
				       lib, why);
		else
			ga_esrc_reason(s, "no NVIDIA driver: %s not found",
				       lib);
		return -ENOENT;
	}
	missing = nvml_bind(api);
	if (missing) {
		ga_esrc_reason(
			s, "nvml: %s has no %s; the NVIDIA driver is too old",
			lib, missing);
		dlclose(api->dl);
		return -EOPNOTSUPP;
	}
	r = api->init();
	if (r != NVML_SUCCESS) {
		ga_esrc_reason(s, "nvml: nvmlInit_v2: %s",
			       nvml_strerror(api, r));
		dlclose(api->dl);
		return nvml_errno(r) == -EIO ? -ENODEV : nvml_errno(r);
	}
	return 0;
}

static void nvml_unload(struct nvml_api *api)
{
	api->shutdown();
	dlclose(api->dl);
}

/*
 * Set GPU @index up. Return: 0, or -ENODEV when it reports neither
 * energy nor power or cannot be reached (it is then left out).
 */
static int nvml_probe_gpu(const struct nvml_api *api, unsigned int index,
			  struct nvml_gpu *g)
{
	struct nvml_util_sample *smp;
	unsigned int mw, i;
	nvml_return_t r;
	int nr;
	__u64 mj;

	memset(g, 0, sizeof(*g));
	g->index = index;
	ga_meter_init(&g->meter, GA_METER_COUNTER, NVML_MAX_POWER_UW);
	if (api->get_handle(index, &g->dev) != NVML_SUCCESS)
		return -ENODEV;
	/* energy counts from open: this is the first reading */
	r = nvml_energy_mj(api, g, &mj);
	if (r == NVML_SUCCESS && nvml_mj_plausible(mj)) {
		g->mode = NVML_MODE_ENERGY;
		ga_meter_start(&g->meter, mj * 1000, ga_mono_ns());
	} else if (nvml_unsupported(r)) {
		r = api->get_power ? api->get_power(g->dev, &mw) :
				     NVML_ERROR_FUNCTION_NOT_FOUND;
		if (nvml_unsupported(r))
			return -ENODEV;
		nvml_power_mode(g);
		if (r == NVML_SUCCESS)
			ga_meter_start(&g->meter, mw * 1000ULL, ga_mono_ns());
	}
	/* shares count from open: skip the samples taken before */
	nr = nvml_util_samples(api, g, &smp);
	for (i = 0; nr > 0 && i < (unsigned int)nr; i++)
		if (smp[i].timeStamp > g->last_seen_us)
			g->last_seen_us = smp[i].timeStamp;
	free(smp);
	return 0;
}

static void nvml_fill_zone(const struct nvml_api *api, const struct nvml_gpu *g,
			   struct ga_zone *z)
{
	char name[NVML_NAME_LEN] = "";

	if (!api->get_name ||
	    api->get_name(g->dev, name, sizeof(name)) != NVML_SUCCESS)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	snprintf(z->name, sizeof(z->name), "gpu-%u", g->index);
	snprintf(z->label, sizeof(z->label), "nvml:%u%s%.44s", g->index,
		 name[0] ? " " : "", name);
	z->kind = GREENAI_DOM_GPU;
	z->source = GREENAI_SRC_NVML;
	z->package = g->index;
	z->parent = -1;
	z->integrated = g->mode == NVML_MODE_POWER;
	if (z->integrated && g->meter.have_ref)
		z->power_uw = g->meter.ref;
	z->has_shares = true;
}

static void nvml_free(struct nvml_priv *p)
{
	free(p->gpus);
	free(p);
}

/* Find the GPUs. Return: 0 with at least one, or -errno, reason set. */
static int nvml_probe_all(struct ga_esrc *s, struct nvml_priv *p)
{
	unsigned int count, i;
	nvml_return_t r;
	int err;

	r = p->api.get_count(&count);
	if (r != NVML_SUCCESS) {
		ga_esrc_reason(s, "nvml: nvmlDeviceGetCount_v2: %s",
			       nvml_strerror(&p->api, r));
		return nvml_errno(r) ? nvml_errno(r) : -EIO;
	}
	p->gpus = calloc(count ? count : 1, sizeof(*p->gpus));
	if (!p->gpus)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		err = nvml_probe_gpu(&p->api, i, &p->gpus[p->nr_gpus]);
		if (!err)
			p->nr_gpus++;
	}
	if (p->nr_gpus)
		return 0;
	ga_esrc_reason(s,
		       count ? "nvml: no NVIDIA GPU reports energy or power" :
			       "nvml: the NVIDIA driver sees no GPU");
	return -ENODEV;
}

static int nvml_open(struct ga_esrc *s, const struct ga_esrc_conf *conf)
{
	struct nvml_priv *p;
	unsigned int i;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = nvml_load(s, &p->api,
			conf->nvml_lib ? conf->nvml_lib : NVML_DEFAULT_LIB);
	if (err) {
		free(p);
		return err;
	}
	err = nvml_probe_all(s, p);
	if (err)
		goto out_unload;
	s->zones = calloc(p->nr_gpus, sizeof(*s->zones));
	if (!s->zones) {
		err = -ENOMEM;
		goto out_unload;
	}
	for (i = 0; i < p->nr_gpus; i++)
		nvml_fill_zone(&p->api, &p->gpus[i], &s->zones[i]);
	s->nr_zones = p->nr_gpus;
	s->priv = p;
	return 0;

out_unload:
	nvml_unload(&p->api);
	nvml_free(p);
	return err;
}

static int nvml_read(struct ga_esrc *s, unsigned int i, __u64 now_ns)
{
	struct nvml_priv *p = s->priv;

	return nvml_read_gpu(&p->api, &p->gpus[i], &s->zones[i], now_ns);
}

static int nvml_shares(struct ga_esrc *s, unsigned int zone,
		       struct ga_share *out, unsigned int max, __u32 *flags)
{
	struct nvml_priv *p = s->priv;
	struct nvml_gpu *g = &p->gpus[zone];
	__u32 util_flags = 0, equal_flags = GA_SHARE_EQUAL;
	__u64 total;
	int n, eq;

	n = nvml_util_shares(&p->api, g, out, max, &total, &util_flags);
	if (n > 0 && total) {
		*flags = util_flags;
		return n;
	}
	eq = nvml_equal_shares(&p->api, g, out, max, &equal_flags);
	if (eq > 0) {
		*flags = equal_flags;
		return eq;
	}
	/* nothing busy, by utilisation (zero weights), or nobody there */
	if (n >= 0) {
		*flags = util_flags;
		return n;
	}
	return eq;
}

static void nvml_close(struct ga_esrc *s)
{
	struct nvml_priv *p = s->priv;

	if (p) {
		nvml_unload(&p->api);
		nvml_free(p);
	}
	free(s->zones);
	s->priv = NULL;
	s->zones = NULL;
	s->nr_zones = 0;
}

/* The source of NVIDIA GPUs through NVML (esrc.h). */
const struct ga_esrc_ops ga_esrc_nvml = {
	.name = "nvml",
	.open = nvml_open,
	.read_zone = nvml_read,
	.shares = nvml_shares,
	.close = nvml_close,
};
