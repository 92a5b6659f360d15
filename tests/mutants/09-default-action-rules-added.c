/* MUTANT 09: every rule added, also one whose action is the default's: libseccomp refuses
 * such a rule (it would change nothing), so a profile allowing by default that also lists
 * calls to allow cannot be loaded */
	struct scmp_arg_cmp cmp[NOOK_SECCOMP_MAX_ARGS];
	int nr, rc;

	for (int i = 0; i < p->nrules; i++) {
		const struct nook_seccomp_rule *r = &p->rules[i];

		for (int a = 0; a < r->nargs; a++)
			cmp[a] = (struct scmp_arg_cmp){r->args[a].index,
						       (enum scmp_compare)r->args[a].op,
						       r->args[a].value, r->args[a].value_two};
		for (const char *const *name = r->names; *name; name++) {
			nr = seccomp_syscall_resolve_name(*name);
			if (nr == __NR_SCMP_ERROR)
				continue;
			rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->nargs, cmp);
			if (rc < 0)
				return nook_fail(err, -rc, "seccomp_rule_add(\"%s\")", *name);
		}
	}
	return 0;
