//go:build !linux

package agent

import "errors"

// trimCode is Linux only (MADV_PAGEOUT); elsewhere the agent leaves its
// pages to the kernel.
func trimCode() (int, error) { return 0, errors.New("not supported on this system") }
