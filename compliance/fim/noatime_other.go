//go:build !linux

package fim

const noatime = 0
