/* MUTANT 05: gid_map written before "deny" goes to setgroups: once a gid_map is set, the
 * kernel refuses any change to setgroups (EPERM), so an unprivileged map cannot be made */
	if (set_map(c, "uid_map", &c->uid_map, err) < 0)
		return -1;
	if (set_map(c, "gid_map", &c->gid_map, err) < 0)
		return -1;
	if (c->deny_setgroups && write_proc(c->run.pid, "setgroups", "deny", err) < 0)
		return -1;
