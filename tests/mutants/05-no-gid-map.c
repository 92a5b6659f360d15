/* MUTANT 05.1: the uid map alone: with no gid_map every group is unmapped, so root's group
 * inside is the overflow gid 65534 and setresgid(0) cannot work */
	char text[MAP_TEXT];

	if (c->uid_map.helper) {
		if (run_helper(c, &c->uid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->uid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "uid_map", text, err) < 0)
			return -1;
	}
