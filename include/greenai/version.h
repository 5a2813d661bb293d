/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * greenai release version, shared by the module and the tools. The ABI
 * has its own number, GREENAI_ABI_VERSION in uapi/greenai.h.
 */
#ifndef _GREENAI_VERSION_H
#define _GREENAI_VERSION_H

#define GREENAI_VERSION "0.1.0"

#endif /* _GREENAI_VERSION_H */
