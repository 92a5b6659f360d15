/* MUTANT 02.2: the command stays in init's process group: a Ctrl-C reaches both, and init
   passes its copy on — the command gets SIGINT twice. */
	(void)0;
