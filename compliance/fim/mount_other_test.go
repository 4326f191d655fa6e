//go:build !linux

package fim

import "errors"

func mountProc(string) error { return errors.New("only on Linux") }
func unmount(string)         {}
