/* MUTANT 05.1: gid_map written before "deny" goes to setgroups: once a gid_map is set, the
 * kernel refuses any change to setgroups (EPERM), so an unprivileged map cannot be made */
	char text[MAP_TEXT];

	if (c->uid_map.helper) {
		if (run_helper(c, &c->uid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->uid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "uid_map", text, err) < 0)
			return -1;
	}
	if (c->gid_map.helper) {
		if (run_helper(c, &c->gid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->gid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "gid_map", text, err) < 0)
			return -1;
	}
	if (c->deny_setgroups && write_proc(c->run.pid, "setgroups", "deny", err) < 0)
		return -1;
