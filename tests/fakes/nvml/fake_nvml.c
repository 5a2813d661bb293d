// SPDX-License-Identifier: GPL-2.0
/*
 * A FAKE libnvidia-ml.so.1, built by the tests: a test double for NVIDIA
 * GPUs, which the development machines do not have. It exports the NVML
 * entry points tools/lib/energy/esrc_nvml.c uses, with the signatures, return
 * codes and struct layouts of the NVML API reference, and answers from
 * a state file the test writes, read again on every call, so a test can
 * move counters and inject failures between two reads of the real code.
 *
 * GA_FAKE_NVML_STATE names the state file: "key=value" lines, the last
 * of a key winning; I is a GPU index.
 *   gpus=N			GPUs (default 2)
 *   name.I=TEXT		nvmlDeviceGetName (default "Fake GPU I")
 *   energy_mj.I=U64		nvmlDeviceGetTotalEnergyConsumption, mJ;
 *				absent: NVML_ERROR_NOT_SUPPORTED
 *   power_mw.I=U32		nvmlDeviceGetPowerUsage, mW; absent: not
 *				supported
 *   procs.I=PID,...		processes with a compute context
 *   samples.I=PID:SM:TS,...	utilisation samples (SM %, TS µs); those
 *				newer than lastSeenTimeStamp are returned,
 *				none: NVML_ERROR_NOT_FOUND
 *   util.I=unsupported		nvmlDeviceGetProcessUtilization is not
 *				supported
 *   race.I=N			a count query (no buffer) answers N fewer
 *				entries than there are, as when processes
 *				start between the two calls
 *   fail=CALL[@I][:CODE],...	CALL (for GPU I, or all) returns CODE,
 *				default 999 (NVML_ERROR_UNKNOWN)
 * Without a state file nvmlInit_v2 fails with NVML_ERROR_DRIVER_NOT_LOADED.
 *
 * Like NVML, every call but nvmlInit_v2 and nvmlErrorString needs an
 * init not yet matched by a shutdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
	NVML_SUCCESS = 0,
	NVML_ERROR_UNINITIALIZED = 1,
	NVML_ERROR_INVALID_ARGUMENT = 2,
	NVML_ERROR_NOT_SUPPORTED = 3,
	NVML_ERROR_NO_PERMISSION = 4,
	NVML_ERROR_NOT_FOUND = 6,
	NVML_ERROR_INSUFFICIENT_SIZE = 7,
	NVML_ERROR_DRIVER_NOT_LOADED = 9,
	NVML_ERROR_GPU_IS_LOST = 15,
	NVML_ERROR_UNKNOWN = 999,
} nvmlReturn_t;

struct nvmlDevice_st {
	unsigned int index;
};

typedef struct nvmlDevice_st *nvmlDevice_t;

typedef struct {
	unsigned int pid;
	unsigned long long usedGpuMemory;
	unsigned int gpuInstanceId;
	unsigned int computeInstanceId;
} nvmlProcessInfo_t;

typedef struct {
	unsigned int pid;
	unsigned long long timeStamp;
	unsigned int smUtil;
	unsigned int memUtil;
	unsigned int encUtil;
	unsigned int decUtil;
} nvmlProcessUtilizationSample_t;

#define FAKE_MAX_GPUS 16
#define FAKE_MAX_ITEMS 256
#define FAKE_STATE_MAX 65536

static struct nvmlDevice_st fake_devs[FAKE_MAX_GPUS];
static int fake_inits;
static char fake_state[FAKE_STATE_MAX];

/* Read the state file. Return: 0, or -1 when there is none. */
static int fake_load(void)
{
	const char *path = getenv("GA_FAKE_NVML_STATE");
	size_t n;
	FILE *f;

	if (!path)
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(fake_state, 1, sizeof(fake_state) - 1, f);
	fake_state[n] = '\0';
	fclose(f);
	return 0;
}

/* The value of @key in the loaded state, into @val. Return: 0 or -1. */
static int fake_get(const char *key, char *val, size_t size)
{
	size_t kl = strlen(key), vl;
	const char *p = fake_state, *end, *found = NULL;

	while (*p) {
		end = p + strcspn(p, "\n");
		if ((size_t)(end - p) > kl && !strncmp(p, key, kl) &&
		    p[kl] == '=')
			found = p + kl + 1;
		p = *end ? end + 1 : end;
	}
	if (!found)
		return -1;
	vl = strcspn(found, "\n");
	if (vl >= size)
		vl = size - 1;
	memcpy(val, found, vl);
	val[vl] = '\0';
	return 0;
}

static int fake_get_idx(const char *key, unsigned int idx, char *val,
			size_t size)
{
	char k[64];

	snprintf(k, sizeof(k), "%s.%u", key, idx);
	return fake_get(k, val, size);
}

/* Whether @call (on GPU @idx; -1: any) is to fail, and with what. */
static nvmlReturn_t fake_fail(const char *call, int idx)
{
	char list[1024], *item, *save = NULL, *at, *colon;
	nvmlReturn_t code;

	if (fake_get("fail", list, sizeof(list)))
		return NVML_SUCCESS;
	for (item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		code = NVML_ERROR_UNKNOWN;
		colon = strchr(item, ':');
		if (colon) {
			*colon = '\0';
			code = (nvmlReturn_t)atoi(colon + 1);
		}
		at = strchr(item, '@');
		if (at) {
			*at = '\0';
			if (idx < 0 || atoi(at + 1) != idx)
				continue;
		}
		if (!strcmp(item, call))
			return code;
	}
	return NVML_SUCCESS;
}

static unsigned int fake_gpus(void)
{
	char v[32];
	unsigned int n;

	if (fake_get("gpus", v, sizeof(v)))
		return 2;
	n = strtoul(v, NULL, 10);
	return n < FAKE_MAX_GPUS ? n : FAKE_MAX_GPUS;
}

/* Common entry checks: state, init, failure injection, device. */
static nvmlReturn_t fake_enter(const char *call, nvmlDevice_t dev)
{
	nvmlReturn_t r;

	if (fake_load() || !fake_inits)
		return NVML_ERROR_UNINITIALIZED;
	if (dev && (dev < fake_devs || dev >= fake_devs + fake_gpus()))
		return NVML_ERROR_INVALID_ARGUMENT;
	r = fake_fail(call, -1);
	if (r == NVML_SUCCESS && dev)
		r = fake_fail(call, dev->index);
	return r;
}

static unsigned int fake_race(unsigned int idx)
{
	char v[32];

	return fake_get_idx("race", idx, v, sizeof(v)) ? 0 :
							 strtoul(v, NULL, 10);
}

/**
 * nvmlInit_v2() - start NVML: fails as the state's fail= says, and without
 * a state file as NVIDIA's does without a driver
 *
 * Return: NVML_SUCCESS or an NVML error code.
 */
nvmlReturn_t nvmlInit_v2(void)
{
	nvmlReturn_t r;

	if (fake_load())
		return NVML_ERROR_DRIVER_NOT_LOADED;
	r = fake_fail("nvmlInit_v2", -1);
	if (r == NVML_SUCCESS)
		fake_inits++;
	return r;
}

/**
 * nvmlShutdown() - match one nvmlInit_v2()
 *
 * Return: NVML_SUCCESS, or NVML_ERROR_UNINITIALIZED with none to match.
 */
nvmlReturn_t nvmlShutdown(void)
{
	if (!fake_inits)
		return NVML_ERROR_UNINITIALIZED;
	fake_inits--;
	return NVML_SUCCESS;
}

/**
 * nvmlErrorString() - NVIDIA's text for the return codes the fake gives
 * @r: the code
 *
 * Return: a static string.
 */
const char *nvmlErrorString(nvmlReturn_t r)
{
	switch (r) {
	case NVML_SUCCESS:
		return "Success";
	case NVML_ERROR_UNINITIALIZED:
		return "Uninitialized";
	case NVML_ERROR_INVALID_ARGUMENT:
		return "Invalid Argument";
	case NVML_ERROR_NOT_SUPPORTED:
		return "Not Supported";
	case NVML_ERROR_NO_PERMISSION:
		return "Insufficient Permissions";
	case NVML_ERROR_NOT_FOUND:
		return "Not Found";
	case NVML_ERROR_INSUFFICIENT_SIZE:
		return "Insufficient Size";
	case NVML_ERROR_DRIVER_NOT_LOADED:
		return "Driver Not Loaded";
	case NVML_ERROR_GPU_IS_LOST:
		return "GPU is lost";
	default:
		return "Unknown Error";
	}
}

/**
 * nvmlDeviceGetCount_v2() - how many GPUs: the state's gpus=
 * @count: the result
 *
 * Return: NVML_SUCCESS or an NVML error code.
 */
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
	nvmlReturn_t r = fake_enter("nvmlDeviceGetCount_v2", NULL);

	if (r == NVML_SUCCESS)
		*count = fake_gpus();
	return r;
}

/**
 * nvmlDeviceGetHandleByIndex_v2() - the handle of GPU @index
 * @index: 0 to the count - 1
 * @dev: the handle
 *
 * Return: NVML_SUCCESS or an NVML error code.
 */
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index,
					   nvmlDevice_t *dev)
{
	nvmlReturn_t r = fake_enter("nvmlDeviceGetHandleByIndex_v2", NULL);

	if (r == NVML_SUCCESS && index >= fake_gpus())
		return NVML_ERROR_INVALID_ARGUMENT;
	if (r == NVML_SUCCESS)
		r = fake_fail("nvmlDeviceGetHandleByIndex_v2", index);
	if (r == NVML_SUCCESS) {
		fake_devs[index].index = index;
		*dev = &fake_devs[index];
	}
	return r;
}

/**
 * nvmlDeviceGetName() - the state's name.I=
 * @dev: the GPU
 * @name: the result
 * @length: its size
 *
 * Return: NVML_SUCCESS, NVML_ERROR_INSUFFICIENT_SIZE or another error.
 */
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t dev, char *name,
			       unsigned int length)
{
	nvmlReturn_t r = fake_enter("nvmlDeviceGetName", dev);
	char v[128];

	if (r != NVML_SUCCESS)
		return r;
	if (fake_get_idx("name", dev->index, v, sizeof(v)))
		snprintf(v, sizeof(v), "Fake GPU %u", dev->index);
	if (strlen(v) + 1 > length)
		return NVML_ERROR_INSUFFICIENT_SIZE;
	strcpy(name, v);
	return NVML_SUCCESS;
}

/**
 * nvmlDeviceGetTotalEnergyConsumption() - the state's energy_mj.I=
 * @dev: the GPU
 * @energy: the result, mJ
 *
 * Return: NVML_SUCCESS, NVML_ERROR_NOT_SUPPORTED without one, or an error.
 */
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t dev,
						 unsigned long long *energy)
{
	nvmlReturn_t r = fake_enter("nvmlDeviceGetTotalEnergyConsumption", dev);
	char v[32];

	if (r != NVML_SUCCESS)
		return r;
	if (fake_get_idx("energy_mj", dev->index, v, sizeof(v)))
		return NVML_ERROR_NOT_SUPPORTED;
	*energy = strtoull(v, NULL, 10);
	return NVML_SUCCESS;
}

/**
 * nvmlDeviceGetPowerUsage() - the state's power_mw.I=
 * @dev: the GPU
 * @power: the result, mW
 *
 * Return: NVML_SUCCESS, NVML_ERROR_NOT_SUPPORTED without one, or an error.
 */
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t dev, unsigned int *power)
{
	nvmlReturn_t r = fake_enter("nvmlDeviceGetPowerUsage", dev);
	char v[32];

	if (r != NVML_SUCCESS)
		return r;
	if (fake_get_idx("power_mw", dev->index, v, sizeof(v)))
		return NVML_ERROR_NOT_SUPPORTED;
	*power = strtoul(v, NULL, 10);
	return NVML_SUCCESS;
}

/**
 * nvmlDeviceGetComputeRunningProcesses_v3() - the state's procs.I=
 * @dev: the GPU
 * @count: entries @infos has room for; set to how many there are
 * @infos: the result, or NULL to ask the count
 *
 * Return: NVML_SUCCESS, NVML_ERROR_INSUFFICIENT_SIZE, or an error.
 */
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t dev,
						     unsigned int *count,
						     nvmlProcessInfo_t *infos)
{
	nvmlReturn_t r =
		fake_enter("nvmlDeviceGetComputeRunningProcesses_v3", dev);
	unsigned int pids[FAKE_MAX_ITEMS], n = 0, i, race;
	char v[4096], *item, *save = NULL;

	if (r != NVML_SUCCESS)
		return r;
	if (!fake_get_idx("procs", dev->index, v, sizeof(v)))
		for (item = strtok_r(v, ",", &save); item && n < FAKE_MAX_ITEMS;
		     item = strtok_r(NULL, ",", &save))
			pids[n++] = strtoul(item, NULL, 10);
	if (!infos || *count < n) {
		race = infos ? 0 : fake_race(dev->index);
		*count = n > race ? n - race : 0;
		return n ? NVML_ERROR_INSUFFICIENT_SIZE : NVML_SUCCESS;
	}
	for (i = 0; i < n; i++) {
		memset(&infos[i], 0, sizeof(infos[i]));
		infos[i].pid = pids[i];
		infos[i].usedGpuMemory = 1ULL << 30;
		infos[i].gpuInstanceId = 0xffffffff;
		infos[i].computeInstanceId = 0xffffffff;
	}
	*count = n;
	return NVML_SUCCESS;
}

/**
 * nvmlDeviceGetProcessUtilization() - the state's samples.I= newer than
 * @last_seen
 * @dev: the GPU
 * @util: the result, or NULL to ask the count
 * @count: entries @util has room for; set to how many there are
 * @last_seen: CPU time of the newest sample seen before, µs
 *
 * Return: NVML_SUCCESS, NVML_ERROR_INSUFFICIENT_SIZE, NVML_ERROR_NOT_FOUND
 * without a newer sample, NVML_ERROR_NOT_SUPPORTED, or an error.
 */
nvmlReturn_t nvmlDeviceGetProcessUtilization(
	nvmlDevice_t dev, nvmlProcessUtilizationSample_t *util,
	unsigned int *count, unsigned long long last_seen)
{
	nvmlReturn_t r = fake_enter("nvmlDeviceGetProcessUtilization", dev);
	nvmlProcessUtilizationSample_t smp[FAKE_MAX_ITEMS];
	char v[4096], *item, *save = NULL;
	unsigned int n = 0, i, race;
	unsigned long long ts;

	if (r != NVML_SUCCESS)
		return r;
	if (!fake_get_idx("util", dev->index, v, sizeof(v)) &&
	    !strcmp(v, "unsupported"))
		return NVML_ERROR_NOT_SUPPORTED;
	if (!fake_get_idx("samples", dev->index, v, sizeof(v)))
		for (item = strtok_r(v, ",", &save); item && n < FAKE_MAX_ITEMS;
		     item = strtok_r(NULL, ",", &save)) {
			memset(&smp[n], 0, sizeof(smp[n]));
			if (sscanf(item, "%u:%u:%llu", &smp[n].pid,
				   &smp[n].smUtil, &ts) != 3)
				return NVML_ERROR_UNKNOWN;
			smp[n].timeStamp = ts;
			if (ts > last_seen)
				n++;
		}
	if (!n)
		return NVML_ERROR_NOT_FOUND;
	if (!util || *count < n) {
		race = util ? 0 : fake_race(dev->index);
		*count = n > race ? n - race : 0;
		return NVML_ERROR_INSUFFICIENT_SIZE;
	}
	for (i = 0; i < n; i++)
		util[i] = smp[i];
	*count = n;
	return NVML_SUCCESS;
}
