/* SPDX-License-Identifier: GPL-2.0 */
/*
 * greenai.ko internals: what the files of the module export to each other.
 * One file per concept: main.c (init and exit), procfs.c (/proc/greenai).
 */
#ifndef _GREENAI_KMOD_H
#define _GREENAI_KMOD_H

int greenai_procfs_init(void);
void greenai_procfs_exit(void);

#endif /* _GREENAI_KMOD_H */
