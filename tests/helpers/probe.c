/**
 * @file probe.c
 * @brief A small static program the tests run *inside* containers, to look at a kernel
 *        object that no ordinary command shows reliably.
 *
 * Static, so that it runs in any root filesystem. Each subcommand prints one word and
 * exits 0 when the answer is yes, 1 when it is no, 2 on misuse.
 *
 *   probe msgq-create KEY   create a System V message queue with KEY ("created")
 *   probe msgq-exists KEY   is there a queue with KEY in this IPC namespace? (present/absent)
 *   probe msgq-remove KEY   remove the queue with KEY ("removed")
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>

static int
msgq(const char *what, key_t key)
{
	int id;

	if (strcmp(what, "msgq-create") == 0) {
		if (msgget(key, IPC_CREAT | IPC_EXCL | 0600) < 0)
			return perror("msgget"), 2;
		return puts("created"), 0;
	}
	id = msgget(key, 0);
	if (strcmp(what, "msgq-exists") == 0)
		return puts(id < 0 ? "absent" : "present"), id < 0;
	if (id < 0 || msgctl(id, IPC_RMID, NULL) < 0)
		return perror("msgctl"), 1;
	return puts("removed"), 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strncmp(argv[1], "msgq-", 5) == 0)
		return msgq(argv[1], (key_t)strtol(argv[2], NULL, 0));
	fprintf(stderr, "usage: probe msgq-create|msgq-exists|msgq-remove KEY\n");
	return 2;
}
