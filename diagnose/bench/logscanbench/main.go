// Command logscanbench measures diagnose's log scanner against
// `grep -c -F -f` on the same generated log set in the same run: wall time,
// throughput and peak memory of each, each run in its own child process so
// both are measured the same way (getrusage of the child).
//
//	go run ./diagnose/bench/logscanbench              # 1 GiB in a temp dir
//	go run ./diagnose/bench/logscanbench -size 256MiB -dir /var/tmp/logs -keep
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubectl-mig/kubectl-mig/diagnose/logscan"
)

// patterns are the MTC error strings diagnose looks for in logs.
var patterns = []string{
	"timed out waiting for all PodVolumeBackups to complete",
	"timed out waiting for all PodVolumeRestores to complete",
	"fork/exec /usr/bin/restic: permission denied",
	"certificate signed by unknown authority",
	"the server could not find the requested resource",
	"BackupStorageLocation.velero.io",
	"backupstoragelocations.velero.io",
	"Unable to attach or mount volumes",
	"No route to host",
	"error restoring",
	"transfer pods are not running for more than 10 mins",
	"are stuck in Pending state for more than 10 mins",
	"Error checking repository for stale locks",
	"The migration has failed",
	"Reconcile failed",
	"DVM failed",
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "logscanbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("logscanbench", flag.ContinueOnError)
	size := fs.String("size", "1GiB", "size of the generated log set")
	dir := fs.String("dir", "", "directory for the log set (default: a new temp dir)")
	keep := fs.Bool("keep", false, "keep the generated logs")
	scanOnly := fs.String("scan", "", "internal: scan the logs in this directory and print the result")
	maxRatio := fs.Float64("max-ratio", 2, "fail when logscan's wall time exceeds grep's by more than this factor")
	maxRSS := fs.Int64("max-rss-mib", 100, "fail when logscan's peak memory exceeds this many MiB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scanOnly != "" {
		return scanDir(ctx, *scanOnly, w)
	}
	n, err := parseSize(*size)
	if err != nil {
		return err
	}
	d := *dir
	if d == "" {
		if d, err = os.MkdirTemp("", "logscanbench-"); err != nil {
			return err
		}
	}
	if !*keep {
		defer os.RemoveAll(d)
	}
	files, err := generate(filepath.Join(d, "logs"), n)
	if err != nil {
		return err
	}
	patFile := filepath.Join(d, "patterns.txt")
	if err := os.WriteFile(patFile, []byte(strings.Join(patterns, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	// Warm the page cache so neither tool pays for the disk.
	if _, err := measure(ctx, "cat", append([]string{}, files...), io.Discard); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ours, err := measure(ctx, self, []string{"-scan", filepath.Join(d, "logs")}, nil)
	if err != nil {
		return err
	}
	grep, err := measure(ctx, "grep", append([]string{"-c", "-F", "-f", patFile}, files...), nil)
	if err != nil {
		return err
	}
	return report(w, n, len(files), ours, grep, *maxRatio, *maxRSS)
}

// result is one child process's cost and output.
type result struct {
	wall   time.Duration
	maxRSS int64 // bytes
	out    string
}

// measure runs a command and reads its peak RSS from the kernel.
func measure(ctx context.Context, name string, args []string, stdout io.Writer) (result, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out strings.Builder
	cmd.Stdout = &out
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	hwm := make(chan int64)
	stop := make(chan struct{})
	go pollHWM(cmd.Process.Pid, stop, hwm)
	err := cmd.Wait()
	wall := time.Since(start)
	close(stop)
	peak := <-hwm
	var ee *exec.ExitError
	grepNoMatch := errors.As(err, &ee) && name == "grep" && ee.ExitCode() == 1
	if err != nil && !grepNoMatch {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	r := result{wall: wall, out: out.String(), maxRSS: peak}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && peak == 0 {
		// Without /proc, fall back to getrusage (which may include the
		// parent's memory inherited across fork+exec).
		r.maxRSS = ru.Maxrss * 1024
	}
	return r, nil
}

// pollHWM follows the child's VmHWM (peak resident set of its own address
// space since exec) until stop, then sends the highest value seen.
func pollHWM(pid int, stop <-chan struct{}, out chan<- int64) {
	var peak int64
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		if v := readHWM(pid); v > peak {
			peak = v
		}
		select {
		case <-stop:
			out <- peak
			return
		case <-t.C:
		}
	}
}

func readHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// scanDir is the child side: one pass per file, all patterns at once.
func scanDir(ctx context.Context, dir string, w io.Writer) error {
	m, err := logscan.Compile(patterns)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var lines int64
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		res, err := m.Scan(ctx, f, logscan.Options{})
		f.Close()
		if err != nil {
			return err
		}
		lines += res.MatchedLines
	}
	_, err = fmt.Fprintln(w, lines)
	return err
}

// grepLines sums grep -c's per-file "path:count" output.
func grepLines(out string) int64 {
	var n int64
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if i := strings.LastIndexByte(l, ':'); i >= 0 {
			v, _ := strconv.ParseInt(l[i+1:], 10, 64)
			n += v
		}
	}
	return n
}

func report(w io.Writer, size int64, files int, ours, grep result, maxRatio float64, maxRSS int64) error {
	mb := float64(size) / 1e6
	ourLines, _ := strconv.ParseInt(strings.TrimSpace(ours.out), 10, 64)
	fmt.Fprintf(w, "log set: %.2f GiB in %d files, %d patterns\n", float64(size)/(1<<30), files, len(patterns))
	fmt.Fprintf(w, "%-24s %10s %10s %12s %15s\n", "tool", "wall", "MB/s", "peak RSS", "matching lines")
	row := func(name string, r result, lines int64) {
		fmt.Fprintf(w, "%-24s %10s %10.0f %9.1f MiB %15d\n", name, r.wall.Round(time.Millisecond), mb/r.wall.Seconds(), float64(r.maxRSS)/(1<<20), lines)
	}
	row("kubectl-mig logscan", ours, ourLines)
	row("grep -c -F -f", grep, grepLines(grep.out))
	ratio := ours.wall.Seconds() / grep.wall.Seconds()
	fmt.Fprintf(w, "logscan/grep wall-time ratio: %.2f (target <= %.1f); logscan peak RSS %.1f MiB (target < %d MiB)\n",
		ratio, maxRatio, float64(ours.maxRSS)/(1<<20), maxRSS)
	if ourLines != grepLines(grep.out) {
		return fmt.Errorf("logscan found %d matching lines, grep %d", ourLines, grepLines(grep.out))
	}
	if ratio > maxRatio || ours.maxRSS > maxRSS<<20 {
		return errors.New("target missed")
	}
	return nil
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"", 1}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(n * float64(u.mult)), nil
		}
	}
	return 0, fmt.Errorf("bad size %q", s)
}
