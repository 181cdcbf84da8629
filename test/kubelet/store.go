package kubelet

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SetLog replaces the current log of a container with the content of r.
func (k *Kubelet) SetLog(namespace, pod, container string, r io.Reader) error {
	return k.writeLog(namespace, pod, container, false, r)
}

// SetPreviousLog replaces the log of the container's previous instance (what
// `kubectl logs --previous` shows).
func (k *Kubelet) SetPreviousLog(namespace, pod, container string, r io.Reader) error {
	return k.writeLog(namespace, pod, container, true, r)
}

func (k *Kubelet) writeLog(namespace, pod, container string, previous bool, r io.Reader) error {
	path := k.LogPath(namespace, pod, container, previous)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("log dir for %s/%s/%s: %w", namespace, pod, container, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create log for %s/%s/%s: %w", namespace, pod, container, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("write log for %s/%s/%s: %w", namespace, pod, container, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	k.checkVerbatim(path)
	if !previous {
		k.state(logKey{namespace, pod, container}).notify(false)
	}
	return nil
}

// AppendLog appends lines to the current log of a container and wakes up
// followers. Lines that do not start with an RFC3339Nano timestamp are
// stamped with the current time, as a container runtime would.
func (k *Kubelet) AppendLog(namespace, pod, container string, lines ...string) error {
	path := k.LogPath(namespace, pod, container, false)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("log dir for %s/%s/%s: %w", namespace, pod, container, err)
	}
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimSuffix(l, "\n")
		if !HasTimestamp(l) {
			b.WriteString(time.Now().UTC().Format(time.RFC3339Nano))
			b.WriteByte(' ')
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	k.forgetVerbatim(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log for %s/%s/%s: %w", namespace, pod, container, err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("append log for %s/%s/%s: %w", namespace, pod, container, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	k.state(logKey{namespace, pod, container}).notify(false)
	return nil
}

// EndLog marks the container as terminated: follow streams finish once they
// have sent what is in the file, and new follow requests do not wait.
func (k *Kubelet) EndLog(namespace, pod, container string) {
	k.state(logKey{namespace, pod, container}).notify(true)
}
