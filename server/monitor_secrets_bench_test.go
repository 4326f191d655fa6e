package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vigil-monitor/vigil/internal/seal"
	"github.com/vigil-monitor/vigil/store"
)

// BenchmarkOpenMonitorSettings is what opening one monitor's secrets
// costs: paid once per change of the monitor (the scheduler's checker
// and the agents' index keep the result), never per run.
func BenchmarkOpenMonitorSettings(b *testing.B) {
	box, err := seal.New(bytes.Repeat([]byte{1}, seal.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	sealed, _ := box.Seal("a-password-of-some-length", sealMonitorSetting("password"))
	m := store.Monitor{ID: "1", Type: secretTestType,
		Settings: json.RawMessage(`{"user":"vigil","url":"https://db.example/","password":"` + sealed + `"}`)}
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			if _, err := openMonitorSettings(box, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		var o openedSettings
		for b.Loop() {
			o.begin()
			if _, err := o.open(box, m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
