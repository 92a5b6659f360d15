/* MUTANT 08: permitted and effective narrowed from the current sets, the inheritable set
 * left as it was: root's inheritable capabilities (all of them, in a user namespace's
 * root) pass through execve to any program whose file asks for them */
	int ncaps = cap_max_bits(), e;
	char name[32];
	cap_t caps;

	for (int cap = 0; cap < ncaps; cap++) {
		if ((bounding & NOOK_CAP(cap)) || cap_get_bound(cap) != 1)
			continue;
		if (cap_drop_bound(cap) < 0)
			return nook_fail(err, errno, "cap_drop_bound(%s)",
					 cap_name(cap, name, sizeof(name)));
	}
	caps = cap_get_proc();
	if (!caps)
		return nook_fail(err, errno, "cap_get_proc");
	if (cap_clear_flag(caps, CAP_PERMITTED) < 0 || cap_clear_flag(caps, CAP_EFFECTIVE) < 0 ||
	    caps_raise(caps, CAP_PERMITTED, process, ncaps) < 0 ||
	    caps_raise(caps, CAP_EFFECTIVE, process, ncaps) < 0 || cap_set_proc(caps) < 0) {
		e = errno;
		cap_free(caps);
		return nook_fail(err, e, "cap_set_proc(%#llx)", (unsigned long long)process);
	}
	cap_free(caps);
	return 0;
