/**
 * @file network.h
 * @brief Step 12's pieces: networks' definitions (network.c), their address allocations
 *        (ipam.c), published ports' holds (ports.c), their nftables rules (nft.c).
 */
#ifndef NOOK_NETWORK_H
#define NOOK_NETWORK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "nook.h"

/** The default network: always there, never written down. */
#define NETWORK_DEFAULT "nook"
/** Its bridge. */
#define NETWORK_DEFAULT_BRIDGE "nook0"
/** Its subnet: not docker's 172.17/16 nor podman's 10.88/16, nor a home router's. */
#define NETWORK_DEFAULT_SUBNET "10.213.0.0/16"
/** Where `nook network create` writes a network's definition, NAME.json. */
#define NETWORK_LIB "/var/lib/nook/networks"
/** Where the networks' allocations are kept, NAME/ADDRESS: gone with a reboot, as bridges. */
#define NETWORK_RUN "/run/nook/.networks"

/* network.c */
int network_check_name(const char *name, struct nook_error *err);
int network_parse_subnet(const char *arg, struct nook_network *n, struct nook_error *err);
int network_lookup(const char *name, struct nook_network *n, struct nook_error *err);
int network_create(const char *name, const char *subnet, bool internal, struct nook_network *n,
		   struct nook_error *err);
int network_remove(const char *name, struct nook_error *err);
int network_names(char names[][NOOK_NETNAME_MAX + 1], int max, struct nook_error *err);
int network_up(const struct nook_network *n, bool *forwarding, struct nook_error *err);
void network_down(const struct nook_network *n);

/* ipam.c */

/** One address held on a network: by which container, from which host namespace. */
struct ipam_entry {
	struct in_addr addr;		 /**< the address */
	char id[NOOK_ID_MAX + 1];	 /**< the container's ID */
	char netns[48];			 /**< the host's network namespace, "DEV:INODE" */
	char name[NOOK_ID_MAX + 1];	 /**< its hostname, or "" */
	char hosts[PATH_MAX_STATE + 16]; /**< its /etc/hosts on the host, or "" */
	char state[PATH_MAX_STATE];	 /**< its state directory */
	bool stale; /**< its state directory is gone: its runtime died and its state was swept */
};

/** A network's allocations, locked: what ipam_open() returns and ipam_close() releases. */
struct ipam {
	int dirfd;	/**< NETWORK_RUN/NAME */
	int lockfd;	/**< its lock, held */
	char netns[48]; /**< the caller's network namespace: netns_of_self() */
};

int ipam_open(struct ipam *p, const char *network, struct nook_error *err);
void ipam_close(struct ipam *p);
int ipam_claim(struct ipam *p, const struct nook_network *n, struct ipam_entry *e,
	       struct nook_error *err);
int ipam_release(struct ipam *p, struct in_addr addr);
struct ipam_entry *ipam_list(struct ipam *p, int *n);
bool ipam_find(struct ipam *p, const char *id, struct ipam_entry *e);
int ipam_count_here(struct ipam *p);

/* ports.c */
int ports_hold(const char *id, const char *state, const struct nook_port *p, int n,
	       const char *netns, struct nook_error *err);
void ports_forget(const char *id);

/* nft.c */
int nft_network_add(const struct nook_network *n, struct nook_error *err);
int nft_network_del(const char *name, struct nook_error *err);
int nft_ports_add(const char *id, struct in_addr addr, const struct nook_port *p, int n,
		  struct nook_error *err);
int nft_ports_del(const char *id, struct nook_error *err);

#endif
