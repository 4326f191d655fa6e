package store

import (
	"bytes"
	"testing"
)

func TestMeta(t *testing.T) {
	db := openTestDB(t)
	_, err := db.Meta("setup_code")
	wantErr(t, err, ErrNotFound)
	wantErr(t, db.PutMeta("setup_code", []byte("ABCD")), nil)
	wantErr(t, db.PutMeta("empty", nil), nil)
	tests := []struct {
		key  string
		want []byte
		err  error
	}{
		{"setup_code", []byte("ABCD"), nil},
		{"empty", []byte{}, nil},
		{"schema_version", nil, ErrNotFound}, // the migration's key is elsewhere
		{"", nil, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got, err := db.Meta(tc.key)
			wantErr(t, err, tc.err)
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("Meta = %q, want %q", got, tc.want)
			}
		})
	}
	wantErr(t, db.DeleteMeta("setup_code"), nil)
	wantErr(t, db.DeleteMeta("setup_code"), nil)
	_, err = db.Meta("setup_code")
	wantErr(t, err, ErrNotFound)
	if err := db.PutMeta("", []byte("x")); err == nil {
		t.Fatal("stored an empty key")
	}
}

func TestMetaSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	wantErr(t, err, nil)
	wantErr(t, db.PutMeta("k", []byte("v")), nil)
	wantErr(t, db.Close(), nil)
	db, err = Open(dir, Options{})
	wantErr(t, err, nil)
	defer db.Close()
	got, err := db.Meta("k")
	wantErr(t, err, nil)
	if string(got) != "v" {
		t.Fatalf("Meta after reopen = %q", got)
	}
}
