/* MUTANT 03.2: /proc mounted before the table is made private: that mount propagates to the
 * host, whose /proc then shows the container's processes (and none once it is gone) */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"proc\", \"/proc\")");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
	for (int i = 0; i < c->ntmpfs; i++)
		if (mount("tmpfs", c->tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", c->tmpfs[i]);
