/*
 * Byte order of the protocol's structs. The wire is little-endian; these
 * convert one struct in place between wire and host order. Converting is
 * its own inverse (a byte swap on a big-endian host, nothing on a
 * little-endian one), so the same call serves both directions: copy the
 * bytes into an aligned struct with memcpy, then convert.
 *
 * Dependency-free (libc and the protocol header only).
 */
#ifndef FAM_LIB_WIRE_H
#define FAM_LIB_WIRE_H

#include "fame/fam-librarian-proto.h"

void fam_lib_wire_hdr(struct fam_lib_hdr *h);
void fam_lib_wire_args(struct fam_lib_args *a);
void fam_lib_wire_version(struct fam_lib_version *v);
void fam_lib_wire_statfs(struct fam_lib_statfs *s);
void fam_lib_wire_book(struct fam_lib_book *b);
void fam_lib_wire_attr(struct fam_lib_attr *a);
void fam_lib_wire_open(struct fam_lib_open *o);
void fam_lib_wire_fstat(struct fam_lib_fstat *f);
void fam_lib_wire_list(struct fam_lib_list *l);
void fam_lib_wire_dirent(struct fam_lib_dirent *d);
void fam_lib_wire_opened(struct fam_lib_opened *o);
void fam_lib_wire_node_status(struct fam_lib_node_status *s);
void fam_lib_wire_oob(struct fam_lib_oob *o);
void fam_lib_wire_count(struct fam_lib_count *c);

#endif /* FAM_LIB_WIRE_H */
