/* MUTANT 03.1: the control-character check forgotten: a path with a newline is refused
   further on, for another reason, or mounted. */
	size_t len = strlen(path);

	if (len >= PATH_MAX)
		return nook_fail(err, 0, "invalid --tmpfs: %zu bytes, at most %d", len,
				 PATH_MAX - 1);
	if (path[0] != '/')
		return nook_fail(err, 0, "invalid --tmpfs \"%s\": not an absolute path", path);
	if (len == 1)
		return nook_fail(err, 0, "invalid --tmpfs \"/\": would hide the whole filesystem");
	if (has_dot_component(path))
		return nook_fail(err, 0, "invalid --tmpfs \"%s\": '.' or '..' in it", path);
