/* MUTANT 05: the uid map alone: with no gid_map every group is unmapped, so root's group
 * inside is the overflow gid 65534 and setgid(0) fails */
	if (set_map(c, "uid_map", &c->uid_map, err) < 0)
		return -1;
