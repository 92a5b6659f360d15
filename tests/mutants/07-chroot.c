/* MUTANT 07: chroot(2) instead of pivot_root: the host's mounts stay in the container's
 * mount table, and root inside can leave a chroot (chroot to a subdirectory, then "..") */
	if (chdir(root) < 0)
		return nook_fail(err, errno, "chdir(\"%s\")", root);
	if (chroot(".") < 0)
		return nook_fail(err, errno, "chroot(\"%s\")", root);
	if (chdir("/") < 0)
		return nook_fail(err, errno, "chdir(\"/\")");
