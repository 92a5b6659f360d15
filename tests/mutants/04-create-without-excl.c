/* MUTANT 04: NLM_F_CREATE without NLM_F_EXCL: a device of that name already there is not
   refused as such — the kernel answers something else, and the error misleads. */
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWLINK, NLM_F_CREATE);
	struct nlattr *linkinfo, *data, *peerinfo;
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peerinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi)); /* zeroed: the peer's ifinfomsg */
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)pid);
	mnl_attr_nest_end(nlh, peerinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	if (rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(veth \"%s\" peer \"%s\" netns %d)", name,
				 peer, (int)pid);
	return 0;
