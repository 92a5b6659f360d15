/* MUTANT 09: a system call name this libseccomp does not know is an error, not skipped:
 * profiles name calls of newer kernels and other architectures, and the container cannot
 * start */
	struct scmp_arg_cmp cmp[NOOK_SECCOMP_MAX_ARGS];
	int nr, rc;

	for (int i = 0; i < r->nargs; i++)
		cmp[i] = (struct scmp_arg_cmp){r->args[i].index, (enum scmp_compare)r->args[i].op,
					       r->args[i].value, r->args[i].value_two};
	for (const char *const *name = r->names; *name; name++) {
		nr = seccomp_syscall_resolve_name(*name);
		rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->nargs, cmp);
		if (rc < 0)
			return nook_fail(err, -rc, "seccomp_rule_add(\"%s\")", *name);
	}
	return 0;
