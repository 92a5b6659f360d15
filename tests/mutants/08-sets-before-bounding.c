/* MUTANT 08: the process's sets narrowed first, the bounding set after: dropping from the
 * bounding set takes CAP_SETPCAP in the effective set, and --cap-drop SETPCAP (or ALL) has
 * just removed it, so the drop fails with EPERM */
	int ncaps = cap_max_bits(), e;
	char name[32];
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
	for (int cap = 0; cap < ncaps; cap++) {
		if ((bounding & NOOK_CAP(cap)) || cap_get_bound(cap) != 1)
			continue;
		if (cap_drop_bound(cap) < 0)
			return nook_fail(err, errno, "cap_drop_bound(%s)",
					 cap_name(cap, name, sizeof(name)));
	}
	return 0;
