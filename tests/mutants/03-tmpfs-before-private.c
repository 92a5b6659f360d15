/* MUTANT 03.2: the --tmpfs mounts made first, while the table still shares events with the
 * host: each tmpfs appears on the host too, and stays there after the container ends */
	for (int i = 0; i < c->ntmpfs; i++)
		if (mount("tmpfs", c->tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", c->tmpfs[i]);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"proc\", \"/proc\")");
