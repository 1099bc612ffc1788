/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The FAME release: the one place its version is written. The Librarian
 * names it in VERSION replies, the daemon and the CLI in --version, and
 * the guest driver in its module information.
 */
#ifndef FAME_VERSION_H
#define FAME_VERSION_H

#define FAME_VERSION            "0.1"

#endif /* FAME_VERSION_H */
