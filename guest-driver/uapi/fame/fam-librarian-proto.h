/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The Librarian protocol: requests a node sends to the Librarian and the
 * replies it gets, carried in the fam-fabric mailbox (FAM_REG_MBOX_DATA) or
 * on the standalone daemon's unix socket.
 *
 * This is the one definition of the protocol. The Librarian (librarian/),
 * the QEMU device (hw-fam/), the guest driver and the LFS client all
 * include it; docs/librarian-protocol.md explains every message.
 *
 * Framing: every message is one struct fam_lib_hdr followed by
 * hdr.length - sizeof(hdr) bytes of body. All fields are little-endian and
 * fixed-size; no field is ever a pointer. A message is at most
 * FAM_LIB_MSG_MAX bytes (the size of the mailbox), replies included.
 *
 * Request body: one struct fam_lib_args, then three variable parts, in
 * order and without padding: str1 (args.len1 bytes), str2 (args.len2
 * bytes), blob (args.len3 bytes). A string's length counts its
 * terminating NUL, which must be its last byte and its only NUL; an
 * absent string has length 0. Which parts an opcode uses is listed with
 * the opcode below; a part an opcode does not use must be absent.
 *
 * Reply body: the opcode's reply struct, if any, then its variable data.
 * A reply with hdr.status != 0 (a positive errno value) has no body.
 */
#ifndef FAM_LIBRARIAN_PROTO_H
#define FAM_LIBRARIAN_PROTO_H

#include <linux/types.h>

#define FAM_LIB_MAGIC           0x42494c46u /* "FLIB" */
#define FAM_LIB_VERSION         5           /* bumped on any change below */
#define FAM_LIB_MSG_MAX         4096u       /* = FAM_MBOX_DATA_SIZE */

/* Name limits (longer gets ENAMETOOLONG). Paths are absolute: "/a/b". */
#define FAM_LIB_NAME_MAX        255u        /* one path component */
#define FAM_LIB_PATH_MAX        1024u       /* with the NUL */
#define FAM_LIB_XATTR_NAME_MAX  256u        /* with the NUL: XATTR_NAME_MAX + 1 */
#define FAM_LIB_XATTR_VALUE_MAX 2048u

/* hdr.flags */
#define FAM_LIB_F_REPLY         (1u << 0)   /* set in every reply */

struct fam_lib_hdr {
	__u32 magic;        /* FAM_LIB_MAGIC */
	__u16 version;      /* FAM_LIB_VERSION */
	__u16 opcode;       /* FAM_LIB_OP_*; echoed in the reply */
	__u32 length;       /* whole message, this header included */
	__u32 seq;          /* chosen by the sender, echoed in the reply */
	__u32 flags;        /* FAM_LIB_F_* */
	__s32 status;       /* reply: 0 or a positive errno; request: 0 */
	/*
	 * The caller. Over the mailbox the device overwrites `node` with the
	 * node the request came from, so a node cannot speak for another;
	 * uid/gid/pid are the guest process's, vouched for by its kernel.
	 */
	__u32 node;
	__u32 uid;
	__u32 gid;
	__u32 pid;
	__u64 reserved;     /* 0 */
};                          /* 48 bytes */

struct fam_lib_args {
	__u64 handle;       /* an open handle (FAM_LIB_OP_OPEN's reply) */
	__u64 size;         /* bytes: RESIZE; the cursor of list opcodes */
	__s64 atime_ns;     /* SETTIMES; FAM_LIB_TIME_* */
	__s64 mtime_ns;
	__u32 mode;         /* permission bits (07777) of CREATE/MKDIR/CHMOD */
	__u32 flags;        /* per opcode: FAM_LIB_OPEN_*, FAM_LIB_XATTR_* */
	__u32 uid;          /* CHOWN (FAM_LIB_ID_KEEP leaves it as is) */
	__u32 gid;
	__u32 len1;         /* bytes of str1, NUL included, or 0 */
	__u32 len2;         /* bytes of str2, NUL included, or 0 */
	__u32 len3;         /* bytes of blob */
	__u32 reserved;     /* 0 */
};                          /* 64 bytes */

/*
 * SETTIMES markers, at the bottom of the range so that every other value,
 * times before 1970 included, is a time
 */
#define FAM_LIB_TIME_NOW        (-0x7fffffffffffffffLL - 1) /* the current time */
#define FAM_LIB_TIME_OMIT       (-0x7fffffffffffffffLL)     /* leave unchanged */
#define FAM_LIB_ID_KEEP         0xffffffffu

/* FAM_LIB_OP_OPEN flags */
#define FAM_LIB_OPEN_READ       (1u << 0)
#define FAM_LIB_OPEN_WRITE      (1u << 1)

/*
 * FAM_LIB_OP_CREATE, _MKDIR and _SYMLINK flags. FAM_LIB_MAKE_OWNER: the
 * new shelf belongs to args.uid and args.gid instead of the caller (uid 0
 * only: a file system daemon that has already checked the permissions of
 * the process it serves, as the LFS does with default_permissions). The
 * set-group-ID directory rule still decides the group.
 */
#define FAM_LIB_MAKE_OWNER      (1u << 0)

/* FAM_LIB_OP_RENAME flags (as renameat2(2)) */
#define FAM_LIB_RENAME_NOREPLACE (1u << 0)  /* EEXIST if the target exists */
#define FAM_LIB_RENAME_EXCHANGE (1u << 1)   /* swap two existing names */

/* FAM_LIB_OP_SETXATTR flags (as setxattr(2)) */
#define FAM_LIB_XATTR_CREATE    (1u << 0)   /* EEXIST if present */
#define FAM_LIB_XATTR_REPLACE   (1u << 1)   /* ENODATA if absent */

/*
 * Opcodes. "p" = str1 is a path, "q" = str2 is a second path or a name,
 * "b" = blob. Reply struct after "->". tm-librarian's command each one
 * replaces is in [brackets].
 */
enum fam_lib_op {
	/* the Librarian and the pool */
	FAM_LIB_OP_VERSION = 1,     /* -> fam_lib_version [version] */
	FAM_LIB_OP_STATFS,          /* -> fam_lib_statfs [get_fs_stats] */
	/* args.size = book -> fam_lib_book [get_book] */
	FAM_LIB_OP_BOOK_INFO,
	/*
	 * args.size = first book, args.flags = module + 1 or 0 for all ->
	 * fam_lib_list + fam_lib_book[] [get_book_all, get_book_ig,
	 * get_book_info_all]
	 */
	FAM_LIB_OP_LIST_BOOKS,
	/* shelves and directories */
	FAM_LIB_OP_GETATTR,         /* p -> fam_lib_attr [get_shelf] */
	/* p, mode[, flags, uid, gid] -> fam_lib_attr [create_shelf] */
	FAM_LIB_OP_CREATE,
	/* p, mode[, flags, uid, gid] -> fam_lib_attr [mkdir] */
	FAM_LIB_OP_MKDIR,
	/* p, q = target[, flags, uid, gid] -> fam_lib_attr [symlink] */
	FAM_LIB_OP_SYMLINK,
	/* p -> target bytes, NUL included [readlink] */
	FAM_LIB_OP_READLINK,
	/* p, flags = FAM_LIB_OPEN_* -> fam_lib_open [open_shelf] */
	FAM_LIB_OP_OPEN,
	FAM_LIB_OP_CLOSE,           /* handle [close_shelf] */
	/* p or handle, size -> fam_lib_attr [resize_shelf] */
	FAM_LIB_OP_RESIZE,
	FAM_LIB_OP_RENAME,          /* p, q = new path[, flags] [rename_shelf] */
	FAM_LIB_OP_UNLINK,          /* p [destroy_shelf] */
	FAM_LIB_OP_RMDIR,           /* p [rmdir] */
	/*
	 * p, size = cursor -> fam_lib_list + fam_lib_dirent[] [list_shelves,
	 * get_shelf_path]
	 */
	FAM_LIB_OP_READDIR,
	/*
	 * p or handle, size = cursor -> fam_lib_list + fam_lib_book[]
	 * [list_shelf_books]
	 */
	FAM_LIB_OP_SHELF_BOOKS,
	/*
	 * size = cursor -> fam_lib_list + fam_lib_opened[] [list_open_shelves]
	 */
	FAM_LIB_OP_LIST_OPENS,
	/* attributes */
	/* p, q = name -> value bytes [get_xattr] */
	FAM_LIB_OP_GETXATTR,
	/* p, q = name, b = value, flags [set_xattr] */
	FAM_LIB_OP_SETXATTR,
	/*
	 * p, size = cursor -> fam_lib_list + NUL-terminated names [list_xattrs]
	 */
	FAM_LIB_OP_LISTXATTR,
	FAM_LIB_OP_REMOVEXATTR,     /* p, q = name [remove_xattr] */
	FAM_LIB_OP_SETTIMES,        /* p, atime_ns, mtime_ns [set_am_time] */
	FAM_LIB_OP_CHMOD,           /* p, mode (tm-librarian: ENOSYS) */
	FAM_LIB_OP_CHOWN,           /* p, uid, gid (tm-librarian: ENOSYS) */
	/* nodes, modules, maintenance */
	/* b = fam_lib_node_status [update_node_soc_status] */
	FAM_LIB_OP_HEARTBEAT,
	/*
	 * size = module, flags = FAM_LIB_MODULE_* (uid 0 only)
	 * [update_node_mc_status]
	 */
	FAM_LIB_OP_MODULE_STATUS,
	/* -> fam_lib_count (books zeroed) [kill_zombie_books] */
	FAM_LIB_OP_ZERO_ZOMBIES,
	FAM_LIB_OP_OOB_SEND,        /* b = message (<= 256 bytes) [send_OOB] */
	/*
	 * size = cursor -> fam_lib_list + fam_lib_oob[] (messages after cursor)
	 */
	FAM_LIB_OP_OOB_RECV,
	/*
	 * handle -> fam_lib_fstat: what a handle of the caller's node is
	 * open for and its shelf's attributes (fstat(2) by handle; for the
	 * guest driver's shelf files, which must not trust a program's word)
	 */
	FAM_LIB_OP_FSTAT,
	/*
	 * p = a file or symlink, q = its new name -> fam_lib_attr (a hard
	 * link) [no tm-librarian command: its shelves had one name]
	 */
	FAM_LIB_OP_LINK,
	/* size = shelf id -> its first name's path, NUL included */
	FAM_LIB_OP_GETPATH,
	FAM_LIB_OP_MAX
};

/* FAM_LIB_OP_MODULE_STATUS flags */
#define FAM_LIB_MODULE_ONLINE   0
#define FAM_LIB_MODULE_OFFLINE  1

/* Book states */
#define FAM_LIB_BOOK_FREE       0
#define FAM_LIB_BOOK_INUSE      1
#define FAM_LIB_BOOK_ZOMBIE     2   /* freed, not yet zeroed */
#define FAM_LIB_BOOK_OFFLINE    3   /* on a failed module */

/* Shelf types, in fam_lib_attr.mode (as S_IFMT of Linux) */
#define FAM_LIB_S_IFMT          0170000u
#define FAM_LIB_S_IFDIR         0040000u
#define FAM_LIB_S_IFREG         0100000u
#define FAM_LIB_S_IFLNK         0120000u

/* --- reply structs ------------------------------------------------------ */

struct fam_lib_version {
	__u32 version;      /* FAM_LIB_VERSION of the Librarian */
	__u32 schema;       /* its database schema version */
	char name[32];      /* "fam-librarian x.y", NUL-padded */
};

struct fam_lib_statfs {
	__u64 pool_size;
	__u64 book_size;
	__u64 books_total;
	__u64 books_free;
	__u64 books_inuse;
	__u64 books_zombie;
	__u64 books_offline;
	__u64 shelves;
	__u32 nodes;
	__u32 modules;
	char model[32];     /* the fabric model's name, NUL-padded */
};

struct fam_lib_book {
	__u64 book;         /* book number; pool offset = book * book_size */
	__u64 shelf;        /* owning shelf id, 0 if none */
	__u32 module;       /* media module of its first byte */
	__u32 state;        /* FAM_LIB_BOOK_* */
};

struct fam_lib_attr {
	__u64 id;           /* shelf id (inode number) */
	__u64 parent;
	__u64 size;         /* bytes */
	__u64 books;        /* books on the shelf */
	__s64 atime_ns;
	__s64 mtime_ns;
	__s64 ctime_ns;
	__u32 mode;         /* FAM_LIB_S_IF* | permission bits */
	__u32 nlink;
	__u32 uid;
	__u32 gid;
	__u32 opens;        /* open handles, all nodes */
	__u32 reserved;
};

struct fam_lib_open {
	__u64 handle;
	struct fam_lib_attr attr;
};

struct fam_lib_fstat {
	__u64 handle;
	__u32 flags;        /* FAM_LIB_OPEN_* the handle was opened with */
	__u32 node;         /* the node that holds it (the caller's) */
	struct fam_lib_attr attr;
};

/* The header of every list reply; `count` items follow it. */
struct fam_lib_list {
	__u64 next;         /* cursor for the next request */
	__u32 count;        /* items in this reply */
	__u32 done;         /* 1: nothing after these */
};

struct fam_lib_dirent {
	__u64 id;           /* the shelf (inode number) */
	__u64 next;         /* the READDIR cursor that resumes after it */
	__u32 mode;
	__u16 namelen;      /* bytes of name, NUL included */
	__u16 reclen;       /* this entry, name and padding to 8 included */
	/* char name[namelen] follows */
};

struct fam_lib_opened {
	__u64 handle;
	__u64 shelf;
	__u32 node;
	__u32 pid;
	__u32 flags;        /* FAM_LIB_OPEN_* */
	__u32 reserved;
};

struct fam_lib_node_status {
	__u32 cpu_percent;
	__u32 mem_percent;
	__u32 rootfs_percent;
	__u32 reserved;
	__u64 network_in;
	__u64 network_out;
};

struct fam_lib_oob {
	__u64 id;
	__u32 node;         /* sender */
	__u16 len;          /* bytes of message */
	__u16 reclen;       /* this entry, message and padding to 8 included */
	/* message bytes follow */
};

struct fam_lib_count {
	__u64 count;
};

#endif /* FAM_LIBRARIAN_PROTO_H */
