package kubelet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// fileWakeInterval bounds how long a follower waits before looking at the
// file again when content was written behind the stand-in's back.
const fileWakeInterval = 200 * time.Millisecond

func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	ns, pod, ctr := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := parseLogOptions(r.URL.Query(), time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	follow := opts.follow && !opts.previous
	path := k.LogPath(ns, pod, ctr, opts.previous)
	f, err := k.openLog(r.Context(), path, ns, pod, ctr, opts.previous, follow)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if f == nil { // running container that has written nothing
		w.Header().Set("Content-Type", "text/plain")
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	if k.serveVerbatim(w, f, path, st.Size(), opts, follow) {
		return
	}
	off, err := tailOffset(f, st.Size(), opts.tailLines)
	if err == nil {
		_, err = f.Seek(off, io.SeekStart)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	s := &stream{k: k, key: logKey{ns, pod, ctr}, em: &lineEmitter{w: w, opts: opts}}
	if fl, ok := w.(http.Flusher); ok {
		s.flush = fl.Flush
	}
	if follow {
		s.podUID = k.podUID(r.Context(), ns, pod)
	}
	_ = s.copy(r.Context(), f, follow)
}

// writeError answers like the kubelet: a plain-text message, which the
// apiserver turns into a Status with that message.
func writeError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, err.Error())
}

// openLog opens the stored log. A missing current log of a running container
// is an empty log (created empty when following, so appends are seen).
func (k *Kubelet) openLog(ctx context.Context, path, ns, pod, ctr string, previous, follow bool) (*os.File, error) {
	f, err := os.Open(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return f, err
	}
	if previous {
		return nil, fmt.Errorf("previous terminated container %q in pod %q not found", ctr, pod)
	}
	if reason := k.waitingReason(ctx, ns, pod, ctr); reason != "" {
		return nil, fmt.Errorf("container %q in pod %q is waiting to start: %s", ctr, pod, reason)
	}
	if !follow {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600)
}

// waitingReason returns why a container has not started, from pod status.
func (k *Kubelet) waitingReason(ctx context.Context, ns, pod, ctr string) string {
	p, err := k.cfg.Client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if cs.Name == ctr {
			if cs.State.Waiting != nil {
				return cs.State.Waiting.Reason
			}
			return ""
		}
	}
	if p.Status.Phase == corev1.PodPending || p.Status.Phase == "" {
		return "ContainerCreating"
	}
	return ""
}

func (k *Kubelet) podUID(ctx context.Context, ns, pod string) types.UID {
	p, err := k.cfg.Client.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	return p.UID
}

// stream copies one log to one client.
type stream struct {
	k      *Kubelet
	key    logKey
	em     *lineEmitter
	flush  func()
	podUID types.UID
}

// copy emits complete lines; when following it waits at end of file for
// appends until the client goes away, the stand-in closes, the log is ended,
// or the pod is deleted, replaced, or its container has terminated.
func (s *stream) copy(ctx context.Context, f *os.File, follow bool) error {
	br := bufio.NewReaderSize(f, 64<<10)
	state := s.k.state(s.key)
	var partial []byte
	var lastPodCheck time.Time
	for {
		var wake <-chan struct{}
		var ended bool
		if follow {
			wake, ended = state.wait() // taken before reading: no append is missed
		}
		line, err := br.ReadSlice('\n')
		if err == nil {
			if len(partial) > 0 {
				line = append(partial, line...)
				partial = partial[:0]
			}
			more, werr := s.em.emit(line[:len(line)-1])
			if werr != nil || !more {
				return werr
			}
			continue
		}
		partial = append(partial, line...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // a line longer than the buffer: keep collecting it
		}
		if !errors.Is(err, io.EOF) {
			return err
		}
		if !follow || ended {
			return s.finish(partial)
		}
		if err := s.em.flush(); err != nil {
			return err
		}
		if s.flush != nil {
			s.flush()
		}
		if time.Since(lastPodCheck) >= s.k.cfg.PodCheckInterval {
			lastPodCheck = time.Now()
			if s.containerGone(ctx) {
				follow = false // drain what is left, then stop
				continue
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.k.closed:
			return nil
		case <-wake:
		case <-time.After(fileWakeInterval):
		}
	}
}

func (s *stream) finish(partial []byte) error {
	if len(partial) > 0 {
		if _, err := s.em.emit(partial); err != nil {
			return err
		}
	}
	if err := s.em.flush(); err != nil {
		return err
	}
	if s.flush != nil {
		s.flush()
	}
	return nil
}

// containerGone reports whether the pod was deleted or replaced, or the
// container terminated. API errors other than NotFound keep the stream open.
func (s *stream) containerGone(ctx context.Context) bool {
	p, err := s.k.cfg.Client.CoreV1().Pods(s.key.namespace).Get(ctx, s.key.pod, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true
	}
	if err != nil {
		return false
	}
	if s.podUID != "" && p.UID != s.podUID || p.DeletionTimestamp != nil {
		return true
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name == s.key.container {
			return cs.State.Terminated != nil
		}
	}
	return false
}
