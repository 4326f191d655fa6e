//go:build !linux

package fim

import bolt "go.etcd.io/bbolt"

func releaseMapping(*bolt.Tx) {}
