package fim

import "testing"

func TestMatchPath(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/etc/shadow", "/etc/shadow", true},
		{"/etc/shadow", "/etc/shadow-", false},
		{"/usr/bin/*", "/usr/bin/ls", true},
		{"/usr/bin/*", "/usr/bin/sub/ls", false}, // * does not cross /
		{"/var/log/*.log", "/var/log/syslog.log", true},
		{"/var/log/**", "/var/log/a/b/c", true},
		{"/var/log/**", "/var/log/x", true},
		{"/var/log/**", "/var/log", false}, // below, not the directory itself
		{"/var/log/**", "/var/logs/x", false},
		{"/home/*/.ssh/**", "/home/ann/.ssh/authorized_keys", true},
		{"/home/*/.ssh/**", "/home/ann/x/.ssh/k", false},
		{"/**", "/anything/at/all", true},
		{"/**", "/", false},
		{"/etc/[ab]*", "/etc/apt", true},
		{"/etc/[", "/etc/[", false}, // malformed: matches nothing
	}
	for _, tc := range cases {
		t.Run(tc.pattern+" "+tc.path, func(t *testing.T) {
			if got := MatchPath(tc.pattern, tc.path); got != tc.want {
				t.Errorf("MatchPath(%q, %q) = %v", tc.pattern, tc.path, got)
			}
		})
	}
}

func TestCheckPattern(t *testing.T) {
	for pattern, ok := range map[string]bool{"/etc/*": true, "/var/log/**": true, "etc/*": false, "/etc/[": false, "": false} {
		if err := CheckPattern(pattern); (err == nil) != ok {
			t.Errorf("CheckPattern(%q) = %v", pattern, err)
		}
	}
}

func TestCoversSubtree(t *testing.T) {
	cases := []struct {
		pattern, dir string
		want         bool
	}{
		{"/var/log/**", "/var/log", true},
		{"/var/log/**", "/var/log/apt", true},
		{"/var/log/**", "/var", false},
		{"/var/log/*", "/var/log", false}, // children only, not their subtrees
		{"/**", "/", true},
	}
	for _, tc := range cases {
		if got := coversSubtree(tc.pattern, tc.dir); got != tc.want {
			t.Errorf("coversSubtree(%q, %q) = %v", tc.pattern, tc.dir, got)
		}
	}
}
