/* gradcap ui-password: the Argon2id hash for [ui] password_hash. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "node/cli.h"

int
gc_cmd_ui_password(int argc, char **argv)
{
	char pw[512], hash[crypto_pwhash_STRBYTES];
	size_t n;

	if (argc != 1) {
		fputs("usage: gradcap ui-password < passphrase\n"
		      "Reads the UI's passphrase (one line) on standard input and "
		      "prints its\nArgon2id hash for gradcap.ini:  [ui] "
		      "password_hash = <hash>\n", argc > 1 &&
		      strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc > 1 && strcmp(argv[1], "--help") == 0 ?
		    GC_EXIT_OK : GC_EXIT_USAGE;
	}
	if (sodium_init() < 0) {
		gc_cli_err("libsodium does not start");
		return GC_EXIT_FAIL;
	}
	{
		struct termios t, quiet;
		bool           tty = isatty(0) && tcgetattr(0, &t) == 0;

		if (tty) { /* typed at a terminal: not echoed */
			fputs("UI passphrase: ", stderr);
			quiet = t;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(0, TCSAFLUSH, &quiet);
		}
		if (fgets(pw, sizeof(pw), stdin) == NULL) {
			if (tty) {
				tcsetattr(0, TCSAFLUSH, &t);
			}
			gc_cli_err("no passphrase on standard input");
			return GC_EXIT_USAGE;
		}
		if (tty) {
			tcsetattr(0, TCSAFLUSH, &t);
			fputc('\n', stderr);
		}
	}
	if (strchr(pw, '\n') == NULL && !feof(stdin)) {
		sodium_memzero(pw, sizeof(pw));
		gc_cli_err("the passphrase is longer than 510 bytes");
		return GC_EXIT_USAGE;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n < 8) {
		sodium_memzero(pw, sizeof(pw));
		gc_cli_err("the passphrase is too short: at least 8 characters");
		return GC_EXIT_USAGE;
	}
	if (crypto_pwhash_str(hash, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		sodium_memzero(pw, sizeof(pw));
		gc_cli_err("out of memory hashing the passphrase");
		return GC_EXIT_FAIL;
	}
	sodium_memzero(pw, sizeof(pw));
	printf("%s\n", hash);
	return GC_EXIT_OK;
}
