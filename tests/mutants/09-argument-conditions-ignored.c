/* MUTANT 09: the argument conditions left out: a rule that allows clone(2) only without
 * namespace flags then allows every clone, new user namespaces included */
	int nr, rc;

	for (const char *const *name = r->names; *name; name++) {
		nr = seccomp_syscall_resolve_name(*name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add_array(ctx, r->action, nr, 0, NULL);
		if (rc < 0)
			return nook_fail(err, -rc, "seccomp_rule_add(\"%s\")", *name);
	}
	return 0;
