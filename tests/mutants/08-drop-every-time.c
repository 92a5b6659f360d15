/* MUTANT 08: every capability outside bounding dropped from the bounding set, whether it is
 * still there or not: the second call, after --user, has no CAP_SETPCAP left, and
 * dropping even an absent capability takes it — EPERM, the command never runs */
	int ncaps = cap_max_bits(), e;
	char name[32];
	cap_t caps;

	for (int cap = 0; cap < ncaps; cap++) {
		if (bounding & NOOK_CAP(cap))
			continue;
		if (cap_drop_bound(cap) < 0)
			return nook_fail(err, errno, "cap_drop_bound(%s)",
					 cap_name(cap, name, sizeof(name)));
	}
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
