package hooks

import (
	"fmt"
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
		switch {
		case !ok || key == "":
			return fmt.Errorf("hooks: env[%d] %.40q: want KEY=value", i, kv)
		case strings.IndexByte(kv, 0) >= 0:
			return fmt.Errorf("hooks: env[%d] %q: contains a NUL byte", i, key)
		case len(kv)+1 > maxArgStrlen:
			return fmt.Errorf("hooks: env[%d] %q: %d bytes, the kernel takes at most %d (MAX_ARG_STRLEN)",
				i, key, len(kv), maxArgStrlen-1)
		case seen[key]:
			return fmt.Errorf("hooks: env[%d] %q: set twice", i, key)
		}
		seen[key] = true
	}
	return nil
}
