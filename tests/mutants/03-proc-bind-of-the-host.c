/* MUTANT 03.2: the host's /proc bound onto /proc instead of a new procfs: a procfs shows the
 * PID namespace of whoever mounted it, and this one was mounted by the host's boot */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
	if (mount("/proc", "/proc", NULL, MS_BIND | MS_REC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/proc\", MS_BIND)");
	for (int i = 0; i < c->ntmpfs; i++)
		if (mount("tmpfs", c->tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", c->tmpfs[i]);
