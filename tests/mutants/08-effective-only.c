/* MUTANT 08: narrowing only the effective set: the bounding and permitted sets keep every
 * capability, and root gets them all back at its next execve(2) */
	int ncaps = cap_max_bits(), e;
	cap_t caps;

	(void)bounding;
	caps = cap_get_proc();
	if (!caps)
		return nook_fail(err, errno, "cap_get_proc");
	if (cap_clear_flag(caps, CAP_EFFECTIVE) < 0 ||
	    caps_raise(caps, CAP_EFFECTIVE, process, ncaps) < 0 || cap_set_proc(caps) < 0) {
		e = errno;
		cap_free(caps);
		return nook_fail(err, e, "cap_set_proc(%#llx)", (unsigned long long)process);
	}
	cap_free(caps);
	return 0;
