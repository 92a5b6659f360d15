/* MUTANT 06.3: the child joins the first directory only: on v1 each controller is a
   hierarchy of its own, so the container escapes every limit but the first one's. */
	if (cg->njoins > 0 && cg->joins[0].fd >= 0 && write(cg->joins[0].fd, "0", 1) != 1)
		return nook_fail(err, errno, "write(\"%s/%s\", \"0\")", cg->dirs[0].path,
				 cg->joins[0].file);
