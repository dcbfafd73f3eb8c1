package lab

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// labUser is a system user that exists inside the lab only.
type labUser struct {
	name     string
	uid, gid int
}

// writeUsers writes private copies of /etc/passwd and /etc/group with
// Options.Users appended (a system user and group each, uid = gid, taken
// from the free IDs below 1000), for the holder to mount inside the lab:
// the broker can drop to its own user there, and polkitd names it in
// rules, while the host's files stay untouched.
func (l *Lab) writeUsers() ([]bind, error) {
	if len(l.opts.Users) == 0 {
		return nil, nil
	}
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		return nil, err
	}
	usedNames, used := idsOf(string(passwd))
	groupNames, usedG := idsOf(string(group))
	p, g := string(passwd), string(group)
	if p != "" && !strings.HasSuffix(p, "\n") {
		p += "\n"
	}
	if g != "" && !strings.HasSuffix(g, "\n") {
		g += "\n"
	}
	next := 989
	for _, name := range l.opts.Users {
		if name == "" || strings.ContainsAny(name, ":\n \t/") || usedNames[name] || groupNames[name] {
			return nil, fmt.Errorf("lab user %q: want a new plain name, not one of the host's", name)
		}
		for used[next] || usedG[next] {
			next--
		}
		if next < 100 {
			return nil, fmt.Errorf("lab user %q: no free system id", name)
		}
		u := labUser{name: name, uid: next, gid: next}
		used[next], usedG[next], usedNames[name] = true, true, true
		l.users = append(l.users, u)
		p += fmt.Sprintf("%s:x:%d:%d:internal/lab user:/nonexistent:/usr/sbin/nologin\n", name, u.uid, u.gid)
		g += fmt.Sprintf("%s:x:%d:\n", name, u.gid)
	}
	files := map[string]string{"ns/passwd": p, "ns/group": g}
	if err := writeFiles(l.Dir, files, 0o644); err != nil {
		return nil, err
	}
	return []bind{{l.Dir + "/ns/passwd", "/etc/passwd"}, {l.Dir + "/ns/group", "/etc/group"}}, nil
}

// idsOf returns the names and numeric IDs (third field) of a passwd or
// group file.
func idsOf(text string) (map[string]bool, map[int]bool) {
	names, ids := map[string]bool{}, map[int]bool{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 {
			continue
		}
		names[f[0]] = true
		if id, err := strconv.Atoi(f[2]); err == nil {
			ids[id] = true
		}
	}
	return names, ids
}

// User returns the uid and gid of a user of Options.Users, e.g. for
// setpriv --reuid=UID or SysProcAttr.Credential; inside the lab the name
// works too.
func (l *Lab) User(t testing.TB, name string) (uid, gid int) {
	t.Helper()
	for _, u := range l.users {
		if u.name == name {
			return u.uid, u.gid
		}
	}
	t.Fatalf("lab: no lab user %q (Options.Users: %v)", name, l.opts.Users)
	return 0, 0
}
