package agent

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"runtime"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{name: "defaults", want: Config{StateDir: "./vigil-agent", Name: hostname(), LogDirs: defaultLogDirs(runtime.GOOS)}},
		{
			name: "environment",
			env: map[string]string{"VIGIL_SERVER": "https://m.example:8443", "VIGIL_TOKEN": "t", "VIGIL_STATE": "/s", "VIGIL_AGENT_NAME": "web1",
				"VIGIL_ALLOW_DIR": "/etc/vigil/allow.d", "VIGIL_LOG_DIRS": "/var/log, /srv/app/logs/"},
			want: Config{Server: "https://m.example:8443", Token: "t", StateDir: "/s", Name: "web1", AllowDir: "/etc/vigil/allow.d",
				LogDirs: []string{"/var/log", "/srv/app/logs"}},
		},
		{
			name: "flags win",
			args: []string{"--server", "https://b:1", "--name", "n", "--spool-max-bytes", "1048576", "--spool-max-age", "1h", "--allow-dir", "/b", "--log-dirs", "/b/logs"},
			env:  map[string]string{"VIGIL_SERVER": "https://a:1", "VIGIL_ALLOW_DIR": "/a", "VIGIL_LOG_DIRS": "/a/logs"},
			want: Config{Server: "https://b:1", StateDir: "./vigil-agent", Name: "n", SpoolMaxBytes: 1 << 20, SpoolMaxAge: time.Hour, AllowDir: "/b", LogDirs: []string{"/b/logs"}},
		},
		{name: "no log directories", args: []string{"--log-dirs", ""}, want: Config{StateDir: "./vigil-agent", Name: hostname()}},
		{name: "relative log directory", args: []string{"--log-dirs", "/var/log,logs"}, wantErr: true},
		{name: "empty log directory entry", args: []string{"--log-dirs", "/var/log,,/srv/logs"}, wantErr: true},
		{name: "http refused", args: []string{"--server", "http://a:1"}, wantErr: true},
		{name: "path refused", args: []string{"--server", "https://a:1/x"}, wantErr: true},
		{name: "negative bytes", args: []string{"--spool-max-bytes", "-1"}, wantErr: true},
		{name: "extra argument", args: []string{"x"}, wantErr: true},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := ParseFlags([]string{"-h"}, func(string) string { return "" }, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
