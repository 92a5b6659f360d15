/* MUTANT 05.2: the host's supplementary groups are kept: a privileged caller's groups still
   open host files their members may read. */
	if (setresgid(0, 0, 0) < 0)
		return nook_fail(err, errno, "setresgid(0, 0, 0)");
	if (setresuid(0, 0, 0) < 0)
		return nook_fail(err, errno, "setresuid(0, 0, 0)");
