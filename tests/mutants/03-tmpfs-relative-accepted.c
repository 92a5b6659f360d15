/* MUTANT 03.1: only "/" itself is refused: a relative path would be resolved against
   nook's working directory, and "/tmp/../etc" hides the container's /etc. */
	(void)err;
	if (strcmp(path, "/") == 0)
		return nook_fail(err, 0, "invalid --tmpfs \"/\": would hide the whole filesystem");
