/* MUTANT 03: /proc mounted before the mounts are made private: that mount propagates to the
 * host, whose /proc becomes the container's */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"proc\", \"/proc\")");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
