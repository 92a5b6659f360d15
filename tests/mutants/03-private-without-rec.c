/* MUTANT 03.2: MS_PRIVATE without MS_REC: only the "/" mount itself stops propagating; every
 * mount below it (/proc, /tmp, ...) still shares events with the host, both ways */
	if (mount(NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_PRIVATE)");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"proc\", \"/proc\")");
	for (int i = 0; i < c->ntmpfs; i++)
		if (mount("tmpfs", c->tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", c->tmpfs[i]);
