package fim

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var sampleRecords = []record{
	{Object: Object{Type: TypeFile, SHA256: "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed", Size: 3, Mode: 0o4755, UID: 1000, GID: 4294967295, MTime: time.Unix(1700000000, 123456789).UTC(), Inode: 1 << 60}, CTime: time.Unix(1700000001, 5).UTC()},
	{Object: Object{Type: TypeDir, Mode: 0o755, MTime: time.Unix(-5, 0).UTC()}, CTime: time.Unix(0, 0).UTC()},
	{Object: Object{Type: TypeSymlink, Size: 9, Target: "a/one.txt", MTime: time.Unix(1, 1).UTC()}},
	{Object: Object{Type: TypeOther, Mode: 0o600}},
	{Object: Object{Type: TypeSymlink, Target: "bad\xffbytes"}},
}

func TestRecordRoundTrip(t *testing.T) {
	for _, r := range sampleRecords {
		if r.MTime.IsZero() {
			r.MTime = time.Unix(0, 0).UTC()
		}
		if r.CTime.IsZero() {
			r.CTime = time.Unix(0, 0).UTC()
		}
		got, err := decodeRecord(encodeRecord(r))
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("round trip of %+v: %+v, %v", r, got, err)
		}
	}
}

func TestDecodeRecordRejectsGarbage(t *testing.T) {
	good := encodeRecord(sampleRecords[0])
	for name, b := range map[string][]byte{
		"empty":         nil,
		"version":       append([]byte{9}, good[1:]...),
		"type":          append([]byte{recordVersion, 7}, good[2:]...),
		"flags":         append([]byte{recordVersion, 0, 0x80}, good[3:]...),
		"truncated":     good[:10],
		"sha truncated": good[:len(good)-5],
		"too big":       make([]byte, maxRecord+1),
	} {
		if _, err := decodeRecord(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// FuzzRecord checks that no input crashes the decoder and that whatever
// it accepts encodes back to a record that decodes the same. The seeds
// run in every `go test`.
func FuzzRecord(f *testing.F) {
	for _, r := range sampleRecords {
		f.Add(encodeRecord(r))
	}
	f.Add([]byte{recordVersion, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err != nil {
			return
		}
		again, err := decodeRecord(encodeRecord(r))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("re-encoded %+v decodes as %+v, %v", r, again, err)
		}
	})
}

func FuzzPathKey(f *testing.F) {
	for _, s := range []string{"/", "/etc", "/etc/ssh/sshd_config", "/a\x01b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if len(p) == 0 || p[0] != '/' || strings.Contains(p, "\x00") { // names hold no NUL
			return
		}
		if got := keyPath(pathKey(p)); got != p {
			t.Fatalf("keyPath(pathKey(%q)) = %q", p, got)
		}
	})
}
