/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgreenai, the library every greenai tool is built on: the one header
 * a program includes. What it declares is the library's public API; the
 * rest of tools/lib is private to it.
 *
 *   engine.h           ga_open(): the backends (greenai.ko or BPF), the
 *                      energy sources, the figures of processes, cgroups
 *                      and domains, identities, ga_wait()
 *   agent.h            the greenai agent: its socket, protocol, run cgroups
 *   cgroup.h           cgroup v2 mounts, ids, paths and greenai's labels
 *   container.h        what a cgroup path says: container, pod, unit
 *   identity.h         who a process is: exe, cgroup, model, frameworks
 *   vm.h               which virtual machine a process is part of
 *   carbon.h           energy to CO2e, the Green Score
 *   intensity.h        the embedded table of grid intensities
 *   intensity_series.h an intensity over time, best windows
 *   intensity_live.h   the live intensity providers
 *   config.h           greenai.conf
 *   settings.h         flag > environment > greenai.conf, and ga_grid
 *   ledger.h           the ledger of runs (SQLite)
 *   run_metrics.h      a run's own metrics ($GREENAI_METRICS)
 *   machine.h          the machine a run ran on: CPUs, memory, cloud
 *   workloads.h        the exporter's counters per container, pod, model
 *   vms.h              the VMs on the host and their figures
 *   exposition.h       Prometheus and OpenMetrics text
 *   clock.h            the clocks figures are stamped with, energy units
 *   files.h            strict readers of small files
 *   json.h             JSON as greenai writes it
 *   names.h            names of an enum's values
 *   walk_order.h       finding entries fast in a walk repeated each sample
 *
 * Build against it with pkg-config: `cc $(pkg-config --cflags --libs
 * greenai) prog.c`. Functions return 0 or a negative errno and never
 * print or exit, unless they say otherwise.
 */
#ifndef _GREENAI_LIBGREENAI_H
#define _GREENAI_LIBGREENAI_H

#include <greenai/agent.h>
#include <greenai/carbon.h>
#include <greenai/cgroup.h>
#include <greenai/clock.h>
#include <greenai/config.h>
#include <greenai/container.h>
#include <greenai/engine.h>
#include <greenai/exposition.h>
#include <greenai/files.h>
#include <greenai/json.h>
#include <greenai/identity.h>
#include <greenai/idle.h>
#include <greenai/intensity.h>
#include <greenai/intensity_live.h>
#include <greenai/intensity_series.h>
#include <greenai/ledger.h>
#include <greenai/machine.h>
#include <greenai/names.h>
#include <greenai/run_metrics.h>
#include <greenai/settings.h>
#include <greenai/version.h>
#include <greenai/vm.h>
#include <greenai/vms.h>
#include <greenai/walk_order.h>
#include <greenai/workloads.h>

#endif /* _GREENAI_LIBGREENAI_H */
