/* MUTANT 12: no final drop into the bridge: the chain's policy accepts, so a container on
   another network, or the outside, opens connections into this one: no segmentation. */
	struct rule ru;

	(void)err;
	rule_start(&ru); /* iifname B oifname B accept */
	ifname(&ru, NFT_META_IIFNAME, NFT_CMP_EQ, n->bridge);
	ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
	verdict(&ru, NF_ACCEPT);
	batch_rule(b, table, "forward", &ru);
	if (n->internal) {
		rule_start(&ru); /* iifname B drop: no way out */
		ifname(&ru, NFT_META_IIFNAME, NFT_CMP_EQ, n->bridge);
		verdict(&ru, NF_DROP);
		batch_rule(b, table, "forward", &ru);
	} else {
		rule_start(&ru); /* oifname B ct state established,related accept */
		ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
		ct_has(&ru, NFT_CT_STATE,
		       NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
		verdict(&ru, NF_ACCEPT);
		batch_rule(b, table, "forward", &ru);
		rule_start(&ru); /* oifname B ct status dnat accept: a published port */
		ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
		ct_has(&ru, NFT_CT_STATUS, IPS_DST_NAT);
		verdict(&ru, NF_ACCEPT);
		batch_rule(b, table, "forward", &ru);
	}
	return 0;
