// Command krew renders kubectl-mig's krew manifest from built archives and
// checks it the way krew's validate-krew-manifest does, including a replay of
// `kubectl krew install` for every platform (krew itself cannot be fetched
// here). It is run by hack/dist.sh; it is not shipped.
//
//	go run ./hack/krew render --version v0.1.0 --dist dist --base-url URL
//	go run ./hack/krew check --manifest dist/mig.yaml --dist dist [--kubectl kubectl]
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kubectl-mig/kubectl-mig/krew"
)

// Platforms we release for (krew's usual set).
var platforms = []krew.OSArch{
	{OS: "linux", Arch: "amd64"}, {OS: "linux", Arch: "arm64"},
	{OS: "darwin", Arch: "amd64"}, {OS: "darwin", Arch: "arm64"},
	{OS: "windows", Arch: "amd64"}, {OS: "windows", Arch: "arm64"},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: krew render|check [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "render":
		err = render(os.Args[2:])
	case "check":
		err = check(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "krew:", err)
		os.Exit(1)
	}
}

// ArchiveName is the archive of one platform.
func archiveName(version string, p krew.OSArch) string {
	return fmt.Sprintf("kubectl-mig_%s_%s_%s.tar.gz", version, p.OS, p.Arch)
}

func render(args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	version := fs.String("version", "", "release version (vX.Y.Z)")
	dist := fs.String("dist", "dist", "directory holding the archives")
	base := fs.String("base-url", "https://github.com/kubectl-mig/kubectl-mig/releases/download", "release download URL prefix")
	out := fs.String("out", "", "manifest to write (default <dist>/mig.yaml)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rel []krew.Release
	for _, p := range platforms {
		name := archiveName(*version, p)
		sum, err := sha256File(filepath.Join(*dist, name))
		if err != nil {
			return err
		}
		bin := "kubectl-mig"
		if p.OS == "windows" {
			bin += ".exe"
		}
		rel = append(rel, krew.Release{OS: p.OS, Arch: p.Arch, SHA256: sum, Bin: bin,
			URI: strings.TrimSuffix(*base, "/") + "/" + *version + "/" + name})
	}
	data, err := krew.Render(*version, rel)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(*dist, "mig.yaml")
	}
	return os.WriteFile(*out, data, 0o644)
}

func check(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	manifest := fs.String("manifest", "dist/mig.yaml", "manifest to check")
	dist := fs.String("dist", "dist", "directory holding the archives the manifest's URIs name")
	kubectl := fs.String("kubectl", "kubectl", "kubectl to run the installed plugin with (skipped when absent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*manifest)
	if err != nil {
		return err
	}
	m, err := krew.ValidateFile(*manifest, data)
	if err != nil {
		return err
	}
	fmt.Printf("manifest %s: valid (%d platforms, version %s)\n", *manifest, len(m.Spec.Platforms), m.Spec.Version)
	work, err := os.MkdirTemp("", "krew-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var native string
	for i, p := range m.Spec.Platforms {
		pl := krew.Matches(p.Selector)[0]
		dir, err := krew.Install(p, filepath.Join(*dist, path.Base(p.URI)), filepath.Join(work, fmt.Sprint(i)))
		if err != nil {
			return fmt.Errorf("install %s: %w", pl, err)
		}
		fmt.Printf("install %s: ok (sha256 matches, %s and LICENSE installed)\n", pl, p.Bin)
		if pl.OS == runtime.GOOS && pl.Arch == runtime.GOARCH {
			native = dir
		}
	}
	return runAsPlugin(*kubectl, native)
}

// runAsPlugin runs `kubectl mig version` with only the installed directory
// (and kubectl's own) on PATH, as a user who unpacked the archive would.
func runAsPlugin(kubectl, dir string) error {
	if dir == "" {
		fmt.Println("kubectl mig version: skipped (no archive for this machine's platform)")
		return nil
	}
	kpath, err := exec.LookPath(kubectl)
	if err != nil {
		fmt.Printf("kubectl mig version: skipped (%s not found on PATH)\n", kubectl)
		return nil //nolint:nilerr // without kubectl this one step says so; the rest of the check still counts
	}
	cmd := exec.Command(kpath, "mig", "version")
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+filepath.Dir(kpath))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl mig version with the installed plugin: %w\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "kubectl-mig ") {
		return errors.New("kubectl mig version printed something unexpected: " + string(out))
	}
	fmt.Printf("kubectl mig version: %s", out)
	return checkCompletion(dir, kpath)
}

// checkCompletion runs the shipped kubectl_complete-mig the way kubectl does
// when the user presses TAB after `kubectl mig plan `.
func checkCompletion(dir, kpath string) error {
	cmd := exec.Command(filepath.Join(dir, "kubectl_complete-mig"), "plan", "")
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+filepath.Dir(kpath)+string(os.PathListSeparator)+"/usr/bin:/bin")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl_complete-mig plan '': %w\n%s", err, out)
	}
	if !strings.Contains(string(out), "create") || !strings.Contains(string(out), "list") {
		return errors.New("kubectl_complete-mig did not offer the plan subcommands: " + string(out))
	}
	fmt.Println("kubectl_complete-mig: offers the plan subcommands")
	return nil
}

func sha256File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
