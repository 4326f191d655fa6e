// Command fimscan measures the file-integrity scanner (compliance/fim) on
// real files: it builds test trees, runs baseline and incremental scans
// in this process while sampling its memory, and compares full-baseline
// hashing throughput with `openssl dgst -sha256` over the same files in
// the same run. Figures go to docs/performance.md ("File integrity").
//
//	go run ./bench/fimscan tree -dir /tmp/fimbench/small -files 20000 -size 16384
//	go run ./bench/fimscan throughput -dir /tmp/fimbench/small -rounds 3
//	go run ./bench/fimscan scan -dir /tmp/fimbench/1m -state /tmp/fimbench/1m.db
//
// Each `scan` is one process, so its VmHWM is the peak of that scan alone.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fimscan tree|scan|throughput [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "tree":
		err = runTree(args)
	case "scan":
		err = runScan(args)
	case "throughput":
		err = runThroughput(args)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fimscan:", err)
		os.Exit(1)
	}
}

func newFlags(name string) *flag.FlagSet { return flag.NewFlagSet(name, flag.ExitOnError) }
