//go:build !linux

package fim

// lowerThreadPriority does nothing here: only Linux sets CPU and I/O
// priority per thread, and lowering the whole agent's would slow its checks.
func lowerThreadPriority() {}
