/* MUTANT 05.1: setgroups denied always, as if every writer were unprivileged: root's
 * container can then not drop the host's supplementary groups (setgroups(2): EPERM) */
	char text[MAP_TEXT];

	if (c->uid_map.helper) {
		if (run_helper(c, &c->uid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->uid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "uid_map", text, err) < 0)
			return -1;
	}
	if (write_proc(c->run.pid, "setgroups", "deny", err) < 0)
		return -1;
	if (c->gid_map.helper) {
		if (run_helper(c, &c->gid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->gid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "gid_map", text, err) < 0)
			return -1;
	}
