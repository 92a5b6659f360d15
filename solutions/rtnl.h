/**
 * @file rtnl.h
 * @brief rtnetlink requests (rtnl.c; netrate.c for the qdisc): each sends one message and
 *        returns 0, or -1 with the error named in @p err.
 */
#ifndef NOOK_RTNL_H
#define NOOK_RTNL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nook.h"

struct mnl_socket;
struct nlmsghdr;

struct mnl_socket *rtnl_open(struct nook_error *err);
struct nlmsghdr *rtnl_request(char *buf, uint16_t type, uint16_t flags);
int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh);
int link_add_veth(struct mnl_socket *nl, const char *name, const char *peer, pid_t pid,
		  struct nook_error *err);
int link_move(struct mnl_socket *nl, unsigned index, pid_t pid, const char *newname,
	      struct nook_error *err);
int link_up(struct mnl_socket *nl, const char *name, struct nook_error *err);
int link_del(struct mnl_socket *nl, const char *name);
int addr_add(struct mnl_socket *nl, const char *name, struct in_addr addr, unsigned prefix,
	     struct nook_error *err);
int link_add_bridge(struct mnl_socket *nl, const char *name, struct nook_error *err);
int link_set_master(struct mnl_socket *nl, const char *name, const char *bridge,
		    struct nook_error *err);
int route_overlap(struct mnl_socket *nl, struct in_addr net, unsigned prefix, const char *skip,
		  char *found, size_t size, struct nook_error *err);
int route_add_default(struct mnl_socket *nl, const char *name, struct in_addr gateway,
		      struct nook_error *err);
int qdisc_add_tbf(struct mnl_socket *nl, const char *name, unsigned long long rate,
		  struct nook_error *err);

#endif
