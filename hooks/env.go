package hooks

import (
	"errors"
	"strconv"
	"strings"
)

// maxArgStrlen is MAX_ARG_STRLEN (include/uapi/linux/binfmts.h,
// 32 pages of 4 KiB): the longest argument or environment string execve
// accepts, counting its terminating NUL. Longer strings fail with E2BIG.
const maxArgStrlen = 32 * 4096

// checkEnv verifies that env can be passed to execve as it is: every
// entry KEY=value with a non-empty KEY, no NUL byte, shorter than
// MAX_ARG_STRLEN, and no KEY twice (shells disagree on which copy wins).
func checkEnv(env []string) error {
	seen := make(map[string]bool, len(env))
	for i, kv := range env {
		key, _, ok := strings.Cut(kv, "=")
		prefix := "hooks: env[" + strconv.Itoa(i) + "] "
		switch {
		case !ok || key == "":
			return errors.New(prefix + strconv.Quote(firstRunes(kv, 40)) + ": want KEY=value")
		case strings.IndexByte(kv, 0) >= 0:
			return errors.New(prefix + strconv.Quote(key) + ": contains a NUL byte")
		case len(kv)+1 > maxArgStrlen:
			return errors.New(prefix + strconv.Quote(key) + ": " + strconv.Itoa(len(kv)) +
				" bytes, the kernel takes at most " + strconv.Itoa(maxArgStrlen-1) + " (MAX_ARG_STRLEN)")
		case seen[key]:
			return errors.New(prefix + strconv.Quote(key) + ": set twice")
		}
		seen[key] = true
	}
	return nil
}

// firstRunes returns the first n runes of s, an invalid byte counting as
// one, as the precision of %.40q counts them.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
