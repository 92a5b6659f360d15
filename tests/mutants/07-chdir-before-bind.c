/* MUTANT 07.2: into root before binding it: the working directory is the mount under the
 * bind, and pivot_root(".", ".") pivots onto that one, not the bind */
	if (chdir(root) < 0)
		return nook_fail(err, errno, "chdir(\"%s\")", root);
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_BIND|MS_REC)", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return nook_fail(err, errno, "pivot_root(\"%s\")", root);
	if (umount2(".", MNT_DETACH) < 0)
		return nook_fail(err, errno, "umount2(old root, MNT_DETACH)");
	if (chdir("/") < 0)
		return nook_fail(err, errno, "chdir(\"/\")");
