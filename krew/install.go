package krew

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxArchiveEntry bounds one unpacked file: a bigger one is not ours.
const maxArchiveEntry = 512 << 20

// Install replays what `kubectl krew install --manifest --archive` does for
// one platform: check the archive's sha256, unpack it, apply the files
// rules, and require the bin and a licence file. It returns the directory
// holding the installed files.
func Install(p Platform, archive, workDir string) (string, error) {
	if err := checkSHA256(archive, p.SHA256); err != nil {
		return "", err
	}
	unpacked := filepath.Join(workDir, "unpacked")
	if err := unpack(archive, unpacked); err != nil {
		return "", fmt.Errorf("unpack %s: %w", filepath.Base(archive), err)
	}
	installed := filepath.Join(workDir, "installed")
	if err := applyFiles(p.Files, unpacked, installed); err != nil {
		return "", err
	}
	if fi, err := os.Stat(filepath.Join(installed, filepath.FromSlash(p.Bin))); err != nil || fi.IsDir() {
		return "", fmt.Errorf("bin %q is not among the installed files", p.Bin)
	}
	if !hasLicense(installed) {
		return "", errors.New("no LICENSE file among the installed files (krew requires one)")
	}
	return installed, nil
}

func checkSHA256(file, want string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("sha256 of %s is %s, the manifest says %s", filepath.Base(file), got, want)
	}
	return nil
}

func unpack(archive, dest string) error {
	switch {
	case strings.HasSuffix(archive, ".tar.gz"), strings.HasSuffix(archive, ".tgz"):
		return untar(archive, dest)
	case strings.HasSuffix(archive, ".zip"):
		return unzip(archive, dest)
	}
	return fmt.Errorf("unsupported archive type (krew takes .tar.gz and .zip)")
}

// safeJoin refuses entries that would land outside dest.
func safeJoin(dest, name string) (string, error) {
	clean := path.Clean("/" + strings.ReplaceAll(name, `\`, "/"))
	if clean == "/" {
		return "", fmt.Errorf("archive entry %q has no name", name)
	}
	return filepath.Join(dest, filepath.FromSlash(clean)), nil
}

func untar(archive, dest string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := writeEntry(dest, h.Name, os.FileMode(h.Mode), tr); err != nil {
			return err
		}
	}
}

func unzip(archive, dest string) error {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		err = writeEntry(dest, zf.Name, zf.Mode(), rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func writeEntry(dest, name string, mode os.FileMode, r io.Reader) error {
	target, err := safeJoin(dest, name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm()|0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, io.LimitReader(r, maxArchiveEntry+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxArchiveEntry {
		err = fmt.Errorf("archive entry %q is larger than %d bytes", name, maxArchiveEntry)
	}
	return err
}

// applyFiles moves what each rule's From glob matches into its To
// directory, as krew does; without rules everything is installed.
func applyFiles(rules []FileRule, from, to string) error {
	if len(rules) == 0 {
		rules = []FileRule{{From: "*", To: "."}}
	}
	for _, r := range rules {
		matches, err := filepath.Glob(filepath.Join(from, filepath.FromSlash(r.From)))
		if err != nil {
			return fmt.Errorf("files rule from %q: %w", r.From, err)
		}
		if len(matches) == 0 {
			return fmt.Errorf("files rule from %q matches nothing in the archive", r.From)
		}
		// A leading "/" keeps the rule's target inside the install directory.
		dir := filepath.Join(to, filepath.FromSlash(path.Clean("/"+r.To)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, m := range matches {
			if err := os.Rename(m, filepath.Join(dir, filepath.Base(m))); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasLicense looks for the file names krew accepts as a licence.
func hasLicense(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil //nolint:nilerr // an unreadable entry is simply not a licence file; keep looking
		}
		n := strings.ToLower(d.Name())
		if n == "license" || n == "license.txt" || n == "license.md" || strings.HasPrefix(n, "licenses") ||
			n == "copying" || n == "copying.txt" {
			found = true
		}
		return nil
	})
	return found
}
