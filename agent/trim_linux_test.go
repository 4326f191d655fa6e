package agent

import "testing"

func TestFileMapping(t *testing.T) {
	const exe = "/usr/local/bin/vigil"
	tests := []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-00b59000 r-xp 00000000 08:01 1234 /usr/local/bin/vigil", 0x400000, 0xb59000, true},
		{"00b59000-012e0000 r--p 00759000 08:01 1234 /usr/local/bin/vigil", 0xb59000, 0x12e0000, true},
		{"012e0000-01371000 rw-p 00ee0000 08:01 1234 /usr/local/bin/vigil", 0, 0, false}, // data: written
		{"7f0000000000-7f0000001000 r-xp 00000000 08:01 99 /usr/lib/libc.so.6", 0, 0, false},
		{"7ffd0000-7ffd1000 rw-p 00000000 00:00 0 [stack]", 0, 0, false},
		{"00400000-00b59000 r-xp 00000000 08:01 1234", 0, 0, false},
		{"00400000-00b59000 r-xp 00000000 08:01 1234                       /usr/local/bin/vigil (deleted)", 0x400000, 0xb59000, true},
		{"00400000-00b59000 r-xp 00000000 08:01 1234 /usr/local/bin/vigil2", 0, 0, false},
		{"zz-00b59000 r-xp 00000000 08:01 1234 /usr/local/bin/vigil", 0, 0, false},
		{"00b59000-00400000 r-xp 00000000 08:01 1234 /usr/local/bin/vigil", 0, 0, false},
	}
	for _, tt := range tests {
		s, e, ok := fileMapping(tt.line, exe)
		if s != tt.start || e != tt.end || ok != tt.ok {
			t.Errorf("fileMapping(%q) = %#x, %#x, %v; want %#x, %#x, %v", tt.line, s, e, ok, tt.start, tt.end, tt.ok)
		}
	}
}

// TestTrimCode runs the real madvise over the test binary's own code: it
// must find the mappings and the kernel must accept the advice.
func TestTrimCode(t *testing.T) {
	n, err := trimCode()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no mapping of the executable found in /proc/self/maps")
	}
}

func TestFileMappingPathWithSpaces(t *testing.T) {
	line := "00400000-00b59000 r-xp 00000000 08:01 1234                       /opt/my tools/vigil"
	if _, _, ok := fileMapping(line, "/opt/my tools/vigil"); !ok {
		t.Error("a path with a space was not matched")
	}
}
