/*
 * What the server (daemon-server.c) and its connection threads
 * (daemon-client.c) share.
 */
#ifndef FAME_DAEMON_SERVER_INT_H
#define FAME_DAEMON_SERVER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon-server.h"

typedef enum DaemonClientState {
    CLIENT_FREE,        /* slot unused */
    CLIENT_RUNNING,     /* its thread serves the connection */
    CLIENT_DONE,        /* its thread has returned: join it, close the fd */
} DaemonClientState;

typedef struct DaemonClient {
    DaemonServer *server;
    DaemonClientState state;    /* under server->lock */
    pthread_t thread;
    int fd;                     /* closed by the server when it joins */
    uint64_t id;                /* connection number, for the log */
    struct ucred cred;          /* the peer, from SO_PEERCRED */
    bool trusted;               /* root or the daemon's uid */
    /* Nodes this connection has spoken for (trusted peers only), so that
     * their opens go when the last connection speaking for them closes. */
    uint64_t nodes;
} DaemonClient;

struct DaemonServer {
    FamLib *lib;
    uint32_t lib_nodes;         /* the model's node count */
    char *socket_path;
    dev_t socket_dev;           /* our socket file, so that we only ever */
    ino_t socket_ino;           /* remove the one we created */
    int listen_fd;
    int signal_fd;
    int reap_fd;                /* eventfd: a connection thread finished */
    uid_t uid;                  /* the daemon's own */
    bool verbose;

    pthread_mutex_t lock;       /* guards what follows */
    bool stopping;              /* no node opens are dropped any more */
    unsigned max_clients;
    DaemonClient *clients;      /* max_clients slots */
    uint64_t next_id;
    unsigned node_refs[FAM_MAX_NODES]; /* live connections per node */
};

/* The thread of one connection. */
void *daemon_client_main(void *opaque);

/* DaemonClient.nodes has a bit per node. */
_Static_assert(FAM_MAX_NODES <= 64, "one uint64_t bit per node");

#endif /* FAME_DAEMON_SERVER_INT_H */
