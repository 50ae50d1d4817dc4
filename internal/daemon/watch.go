package daemon

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// watcher watches source roots for changes with fsnotify. A root that is a
// folder is watched with every folder under it, and folders created later
// are added as they appear; a root that is a file is watched through its
// folder; a root that does not exist yet is watched through its nearest
// existing parent, until it appears. Its state is owned by run's
// goroutine; rearm and count may be called from any goroutine.
type watcher struct {
	fs       *fsnotify.Watcher
	log      *slog.Logger
	onChange func()
	rearmCh  chan []string

	// Owned by run.
	roots   []string        // absolute, symlinks resolved where they exist
	watched map[string]bool // folders added to fs

	mu sync.Mutex
	n  int // len(watched), for count
	// warned is set once adding a watch failed (too many watches, say).
	warned bool
}

func newWatcher(log *slog.Logger, onChange func()) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	return &watcher{fs: fw, log: log, onChange: onChange, rearmCh: make(chan []string, 1), watched: map[string]bool{}}, nil
}

// rearm replaces the roots and rescans them (later calls win over pending
// ones).
func (w *watcher) rearm(roots []string) {
	for {
		select {
		case w.rearmCh <- roots:
			return
		default:
		}
		select {
		case <-w.rearmCh:
		default:
		}
	}
}

// count returns how many folders are watched.
func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

func (w *watcher) close() error { return w.fs.Close() }

// arm replaces the roots and scans them; it reports whether folders were
// added inside a root folder. The daemon calls it once before run starts,
// so that the start sync follows the watches and no change falls between;
// run calls it for every rearm.
func (w *watcher) arm(roots []string) bool {
	w.roots = w.roots[:0]
	for _, r := range roots {
		if r = filepath.Clean(r); filepath.IsAbs(r) {
			w.roots = append(w.roots, r)
		}
	}
	return w.scan()
}

func (w *watcher) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case roots := <-w.rearmCh:
			if w.arm(roots) {
				w.onChange()
			}
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			w.event(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			// An overflowed queue lost events: sync to be sure.
			w.log.Warn("watch source folders", "err", err)
			w.onChange()
		}
	}
}

// event handles one fsnotify event.
func (w *watcher) event(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return
	}
	rescan := false
	if ev.Has(fsnotify.Create) {
		// A new folder inside a root, or a root (or a parent of one)
		// appearing.
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			rescan = true
		}
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		// The kernel drops the watch of a removed folder; a root gone (or
		// a parent of it) is watched through its parent again.
		w.forget(ev.Name)
		for _, r := range w.roots {
			if ev.Name == r || within(r, ev.Name) {
				rescan = true
			}
		}
	}
	added := rescan && w.scan()
	if added || w.relevant(ev.Name) {
		w.onChange()
	}
}

// relevant reports whether a change at path concerns a root: a path
// inside a root folder, or a root file (or its -wal and -journal
// companions).
func (w *watcher) relevant(path string) bool {
	for _, r := range w.roots {
		if path == r || within(path, r) || strings.HasPrefix(path, r+"-") {
			return true
		}
	}
	return false
}

// within reports whether path is inside folder dir.
func within(path, dir string) bool {
	return strings.HasPrefix(path, dir+string(filepath.Separator)) || (dir == "/" && path != "/")
}

// scan resolves every root, adds the folders it needs and drops those it
// no longer needs, until that adds nothing: a folder made just before its
// parent's watch was added was seen by no watch. It reports whether it
// added folders inside a root folder (files may have been written there
// unseen).
func (w *watcher) scan() bool {
	added := false
	for range 16 {
		inside, any := w.scanOnce()
		added = added || inside
		if !any {
			break
		}
	}
	return added
}

// scanOnce is one pass of scan; it reports whether it added folders
// inside a root folder, and whether it added any.
func (w *watcher) scanOnce() (bool, bool) {
	want := map[string]bool{}
	inside := map[string]bool{}
	for i, r := range w.roots {
		if real, err := filepath.EvalSymlinks(r); err == nil {
			r = real
			w.roots[i] = r
		}
		fi, err := os.Stat(r)
		switch {
		case err == nil && fi.IsDir():
			filepath.WalkDir(r, func(p string, de fs.DirEntry, err error) error {
				if err != nil {
					if p == r {
						return err
					}
					return nil
				}
				if de.IsDir() {
					want[p], inside[p] = true, true
				}
				return nil
			})
		case err == nil:
			want[filepath.Dir(r)] = true
		default:
			if p := nearestParent(r); p != "" {
				want[p] = true
			}
		}
	}
	for p := range w.watched {
		if !want[p] {
			w.fs.Remove(p)
			delete(w.watched, p)
		}
	}
	added, any := false, false
	for p := range want {
		if w.watched[p] {
			continue
		}
		if err := w.fs.Add(p); err != nil {
			if !w.warned {
				w.log.Warn("cannot watch a folder; its changes sync at the next interval", "path", p, "err", err)
				w.warned = true
			}
			continue
		}
		w.watched[p] = true
		added, any = added || inside[p], true
	}
	w.mu.Lock()
	w.n = len(w.watched)
	w.mu.Unlock()
	return added, any
}

// forget drops path, and every folder under it, from the watched set.
func (w *watcher) forget(path string) {
	for p := range w.watched {
		if p == path || within(p, path) {
			w.fs.Remove(p)
			delete(w.watched, p)
		}
	}
	w.mu.Lock()
	w.n = len(w.watched)
	w.mu.Unlock()
}

// nearestParent returns the closest existing folder above path, or "".
func nearestParent(path string) string {
	for p := filepath.Dir(path); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil && fi.IsDir() {
			return p
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			return ""
		}
		if p == filepath.Dir(p) {
			return ""
		}
	}
}
