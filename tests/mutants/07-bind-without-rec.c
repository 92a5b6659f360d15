/* MUTANT 07.2: the new root bound onto itself without MS_REC: a bind copies one mount, not
 * the ones under it, so the container's root has empty /proc, /sys and /dev */
	if (mount(root, root, NULL, MS_BIND, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_BIND)", root);
	if (chdir(root) < 0)
		return nook_fail(err, errno, "chdir(\"%s\")", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return nook_fail(err, errno, "pivot_root(\"%s\")", root);
	if (umount2(".", MNT_DETACH) < 0)
		return nook_fail(err, errno, "umount2(old root, MNT_DETACH)");
	if (chdir("/") < 0)
		return nook_fail(err, errno, "chdir(\"/\")");
