/* MUTANT 05.1: every map written by nook itself, the helpers never run: an unprivileged
 * caller may map only its own id, and its range from /etc/subuid is refused (EPERM) */
	char text[MAP_TEXT];

	user_format_map(&c->uid_map, text, sizeof(text));
	if (write_proc(c->run.pid, "uid_map", text, err) < 0)
		return -1;
	if (c->deny_setgroups && write_proc(c->run.pid, "setgroups", "deny", err) < 0)
		return -1;
	user_format_map(&c->gid_map, text, sizeof(text));
	if (write_proc(c->run.pid, "gid_map", text, err) < 0)
		return -1;
