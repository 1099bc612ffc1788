/*
 * fam-librarian's socket server: a listening unix socket, one thread per
 * connection, and a clean stop on SIGTERM/SIGINT.
 */
#ifndef FAME_DAEMON_SERVER_H
#define FAME_DAEMON_SERVER_H

#include <stdbool.h>

#include "librarian.h"

typedef struct DaemonServer DaemonServer;

typedef struct DaemonServerConfig {
    FamLib *lib;                /* serves every request; outlives the server */
    const char *socket_path;
    unsigned max_clients;
    bool verbose;               /* log every connection */
} DaemonServerConfig;

/*
 * Bind and listen (replacing a stale socket file, refusing a live one).
 * SIGTERM and SIGINT must already be blocked in every thread (the server
 * takes them through a signalfd). NULL and a malloc()ed *err on failure.
 */
DaemonServer *daemon_server_new(const DaemonServerConfig *cfg, char **err);

/* Serve until SIGTERM or SIGINT. Returns 0, or -errno if the server
 * itself failed (poll, accept, signalfd). */
int daemon_server_run(DaemonServer *server);

/* Disconnect every client, wait for their threads, remove the socket. */
void daemon_server_free(DaemonServer *server);

#endif /* FAME_DAEMON_SERVER_H */
