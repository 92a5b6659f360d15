/* MUTANT 12: no ct status dnat accept: a published port's connections, led by DNAT into the
   bridge from outside, are dropped as any new connection in. */
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
	}
	rule_start(&ru); /* oifname B drop: nothing else comes in */
	ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
	verdict(&ru, NF_DROP);
	batch_rule(b, table, "forward", &ru);
	return 0;
