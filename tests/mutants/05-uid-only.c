/* MUTANT 05.2: only the uid becomes 0: the group stays the overflow group, 65534, and files
   the container's root makes belong to nobody's group. */
	if (setresuid(0, 0, 0) < 0)
		return nook_fail(err, errno, "setresuid(0, 0, 0)");
