/* MUTANT 08: the process's sets narrowed but not the bounding set: for root, execve(2)
 * fills the permitted set from the bounding set, so the dropped capabilities come back */
	int ncaps = cap_max_bits(), e;
	cap_t caps;

	caps = cap_init();
	if (!caps)
		return nook_fail(err, errno, "cap_init");
	if (caps_raise(caps, CAP_PERMITTED, process, ncaps) < 0 ||
	    caps_raise(caps, CAP_EFFECTIVE, process, ncaps) < 0 ||
	    caps_raise(caps, CAP_INHERITABLE, process & bounding, ncaps) < 0 ||
	    cap_set_proc(caps) < 0) {
		e = errno;
		cap_free(caps);
		return nook_fail(err, e, "cap_set_proc(%#llx)", (unsigned long long)process);
	}
	cap_free(caps);
	return 0;
