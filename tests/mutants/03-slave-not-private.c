/* MUTANT 03.2: MS_SLAVE, runc's default, instead of MS_PRIVATE: nothing leaks out, but a
 * mount the host makes after the container started still appears inside */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_SLAVE)");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"proc\", \"/proc\")");
	for (int i = 0; i < c->ntmpfs; i++)
		if (mount("tmpfs", c->tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", c->tmpfs[i]);
