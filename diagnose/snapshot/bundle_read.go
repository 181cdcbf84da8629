package snapshot

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits protect the reader from hostile or broken archives.
type Limits struct {
	// MaxObjectFile is the largest YAML/JSON file parsed (it is held in
	// memory while decoding). Logs are streamed and have no such limit.
	MaxObjectFile int64
	// MaxTotal caps the bytes an archive may expand to (decompression bombs).
	MaxTotal int64
	// MaxEntries caps the number of files.
	MaxEntries int
}

// DefaultLimits fit the largest real must-gathers with a wide margin.
var DefaultLimits = Limits{MaxObjectFile: 512 << 20, MaxTotal: 200 << 30, MaxEntries: 2_000_000}

// entry is one regular file of a bundle.
type entry struct {
	name string // slash path relative to the bundle root
	size int64
	open func() (io.ReadCloser, error) // nil inside a sequential archive pass
}

// walker visits the regular files of a bundle. Archives are read
// sequentially: r is valid only during fn.
type walker interface {
	walk(ctx context.Context, fn func(e entry, r io.Reader) error) error
}

// openWalker picks the reader for path: a directory, a .tar.gz or a .tar.
func openWalker(p string, lim Limits) (walker, string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, "", fmt.Errorf("open bundle: %w", err)
	}
	if fi.IsDir() {
		return dirWalker{root: p, lim: lim}, "directory", nil
	}
	kind, err := sniffArchive(p)
	if err != nil {
		return nil, "", err
	}
	return archiveWalker{file: p, gz: kind == "tar.gz", lim: lim}, kind, nil
}

func sniffArchive(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "tar.gz", nil
	case n >= 262 && string(head[257:262]) == "ustar":
		return "tar", nil
	}
	return "", fmt.Errorf("bundle %s: not a directory, a .tar.gz or a .tar archive (pass the must-gather directory or its must-gather.tar.gz)", p)
}

// dirWalker walks a directory without following symbolic links, so a link
// cannot lead the reader outside the bundle.
type dirWalker struct {
	root string
	lim  Limits
}

func (d dirWalker) walk(ctx context.Context, fn func(entry, io.Reader) error) error {
	count := 0
	return filepath.WalkDir(d.root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read bundle %s: %w", d.root, err)
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if !de.Type().IsRegular() {
			return nil
		}
		if count++; count > d.lim.MaxEntries {
			return fmt.Errorf("bundle %s: more than %d files; refusing to read it", d.root, d.lim.MaxEntries)
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		info, err := de.Info()
		if err != nil {
			return fmt.Errorf("read bundle %s: %w", d.root, err)
		}
		full := p
		e := entry{name: filepath.ToSlash(rel), size: info.Size(), open: func() (io.ReadCloser, error) { return os.Open(full) }}
		return fn(e, nil)
	})
}

// archiveWalker reads a tar or tar.gz in one sequential pass.
type archiveWalker struct {
	file   string
	gz     bool
	lim    Limits
	prefix string // name of this archive inside an outer bundle, for paths
	// reader, when set, is used instead of opening file (nested archive).
	reader func() (io.ReadCloser, error)
}

func (a archiveWalker) walk(ctx context.Context, fn func(entry, io.Reader) error) error {
	var rc io.ReadCloser
	var err error
	if a.reader != nil {
		rc, err = a.reader()
	} else {
		rc, err = os.Open(a.file)
	}
	if err != nil {
		return fmt.Errorf("open bundle: %w", err)
	}
	defer rc.Close()
	var r io.Reader = bufio.NewReaderSize(rc, 1<<20)
	if a.gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("bundle %s: not a valid gzip archive: %w", a.display(), err)
		}
		defer zr.Close()
		r = zr
	}
	budget := &limitedCounter{r: r, left: a.lim.MaxTotal}
	tr := tar.NewReader(budget)
	count := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return a.readErr(budget, err)
		}
		if count++; count > a.lim.MaxEntries {
			return fmt.Errorf("bundle %s: more than %d entries; refusing to read it", a.display(), a.lim.MaxEntries)
		}
		if h.Typeflag != tar.TypeReg {
			continue // directories, links and devices are never followed
		}
		name, err := cleanEntry(h.Name)
		if err != nil {
			return fmt.Errorf("bundle %s: %w; refusing to read a hostile archive", a.display(), err)
		}
		if h.Size < 0 || h.Size > a.lim.MaxTotal {
			return fmt.Errorf("bundle %s: entry %q claims %d bytes, more than the %d-byte limit; refusing to read it", a.display(), name, h.Size, a.lim.MaxTotal)
		}
		if a.prefix != "" {
			name = a.prefix + "!/" + name
		}
		if err := fn(entry{name: name, size: h.Size}, tr); err != nil {
			return a.readErr(budget, err)
		}
	}
}

func (a archiveWalker) display() string {
	if a.prefix != "" {
		return a.prefix
	}
	return a.file
}

func (a archiveWalker) readErr(b *limitedCounter, err error) error {
	switch {
	case b.exceeded:
		return fmt.Errorf("bundle %s: expands to more than %d bytes; refusing to read it (decompression bomb?)", a.display(), a.lim.MaxTotal)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("bundle %s: archive is truncated or corrupt: %w", a.display(), err)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return fmt.Errorf("bundle %s: broken gzip data: %w", a.display(), err)
	case errors.Is(err, tar.ErrHeader):
		return fmt.Errorf("bundle %s: not a valid tar archive: %w", a.display(), err)
	}
	return fmt.Errorf("bundle %s: %w", a.display(), err)
}

// limitedCounter fails reads past a byte budget.
type limitedCounter struct {
	r        io.Reader
	left     int64
	exceeded bool
}

var errTooBig = errors.New("archive too large")

func (l *limitedCounter) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errTooBig
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// cleanEntry validates an archive entry name: relative, inside the root.
func cleanEntry(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return "", fmt.Errorf("entry %q is an absolute path", name)
	}
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." {
			return "", fmt.Errorf("entry %q leaves the archive root (path traversal)", name)
		}
	}
	n = path.Clean(n)
	if n == "." || n == "" {
		return "", fmt.Errorf("entry %q has no name", name)
	}
	return n, nil
}

// openFile opens a bundle-relative slash path below the directory root.
func (d dirWalker) openFile(name string) (io.ReadCloser, error) {
	clean, err := cleanEntry(name)
	if err != nil {
		return nil, err
	}
	return os.Open(filepath.Join(d.root, filepath.FromSlash(clean)))
}
