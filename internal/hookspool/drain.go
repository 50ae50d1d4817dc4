package hookspool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// Drain delivers every spooled event in dir to sink, in the order they
// were spooled (but for an event Append had to write alone), and returns
// how many sink took. It moves spool.ndjson aside (a rename under
// spool.lock, so Appends go on into a new spool), then reads what was
// moved aside, this time or by an earlier drain that crashed, and removes
// each such file only once every event in it was taken. A crash at any
// point loses nothing: the next Drain delivers the rest again, some
// events a second time, which the sink drops by ID.
//
// An unreadable line (a torn last line, or one that is not a hook event)
// and an event the sink refuses with EINVALID are moved to
// rejected.ndjson, with their file and line; once everything else was
// delivered, Drain returns ECORRUPT naming them. Any other error from the
// sink, or ctx ending, stops the drain: the events not yet taken stay for
// the next one. A drain already running elsewhere is EBUSY. A missing
// spool folder is nothing to drain.
func Drain(ctx context.Context, dir string, sink reel.HookSink) (n int, err error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	fl := flock.New(filepath.Join(dir, drainLock), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return 0, fmt.Errorf("lock hook spool drain: %w", err)
	}
	if !ok {
		return 0, reel.Errorf(reel.EBUSY, "hook spool %s: another drain is running", dir)
	}
	defer fl.Unlock()
	if err := moveAside(dir); err != nil {
		return 0, err
	}
	files, err := drainingFiles(dir)
	if err != nil {
		return 0, err
	}
	var bad []string
	for _, name := range files {
		got, rejected, err := drainFile(ctx, dir, name, sink)
		n += got
		bad = append(bad, rejected...)
		if err != nil {
			return n, err
		}
	}
	if len(bad) > 0 {
		return n, reel.Errorf(reel.ECORRUPT, "hook spool: %d line(s) could not be delivered and were moved to %s: %s",
			len(bad), filepath.Join(dir, RejectedFile), strings.Join(bad, ", ")).
			WithHint("each record there says why; the rest of the spool was delivered")
	}
	return n, nil
}

// moveAside renames a non-empty spool.ndjson to draining-<nanoseconds>.ndjson
// under spool.lock, and removes an empty one.
func moveAside(dir string) error {
	unlock, err := lock(dir, spoolLock)
	if err != nil {
		return err
	}
	defer unlock()
	path := filepath.Join(dir, SpoolFile)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("stat hook spool: %w", err)
	case fi.Size() == 0:
		return os.Remove(path)
	}
	aside := filepath.Join(dir, fmt.Sprintf("%s%020d.ndjson", drainPrefix, time.Now().UnixNano()))
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("move hook spool aside: %w", err)
	}
	return atomicfile.SyncDir(dir)
}

// drainingFiles lists the files moved aside, oldest first (their names
// hold the time of the move, zero-padded).
func drainingFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list hook spool: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, drainPrefix) && strings.HasSuffix(n, ".ndjson") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// drainFile delivers the events of one file moved aside, and removes it
// once each was taken or rejected. When the sink fails, the file is
// rewritten to hold only the lines not yet taken.
func drainFile(ctx context.Context, dir, name string, sink reel.HookSink) (n int, bad []string, err error) {
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, fmt.Errorf("read hook spool: %w", err)
	}
	lines := splitLines(data)
	for i, l := range lines {
		where := fmt.Sprintf("%s:%d", name, i+1)
		if len(bytes.TrimSpace(l.text)) == 0 {
			continue
		}
		e, reason := decodeLine(l)
		if reason == "" {
			if err := ctx.Err(); err != nil {
				return n, bad, keepFrom(path, lines[i:], err)
			}
			err := sink.Hook(ctx, e)
			if err == nil {
				n++
				continue
			}
			if reel.ErrorCode(err) != reel.EINVALID {
				return n, bad, keepFrom(path, lines[i:], err)
			}
			reason = "refused: " + err.Error()
		}
		r := Rejected{Reason: reason, Where: where, Client: e.Client, Name: e.Name}
		if e.ID != "" {
			r.Event = &e
		} else {
			r.SetRaw(l.text)
		}
		if err := Reject(dir, r); err != nil {
			return n, bad, keepFrom(path, lines[i:], err)
		}
		bad = append(bad, where)
	}
	if err := os.Remove(path); err != nil {
		return n, bad, fmt.Errorf("remove drained hook spool: %w", err)
	}
	return n, bad, atomicfile.SyncDir(dir)
}

// decodeLine reads one spool line, or says why it cannot be delivered. A
// last line cut just before its newline is still a whole event, and is
// delivered.
func decodeLine(l line) (reel.HookEvent, string) {
	var e reel.HookEvent
	if err := json.Unmarshal(l.text, &e); err != nil {
		if !l.terminated || strings.Contains(err.Error(), "unexpected end of JSON input") {
			return reel.HookEvent{}, "torn line: the writer stopped part way (a crash); its bytes are kept here"
		}
		return reel.HookEvent{}, "not a hook event: " + err.Error()
	}
	if e.ID == "" {
		return e, "not a hook event: no id"
	}
	return e, ""
}

// keepFrom rewrites path to hold rest only, the lines not yet taken, and
// returns cause (or the rewrite's error). If the rewrite fails the whole
// file stays: events already taken come again, and are dropped by ID.
func keepFrom(path string, rest []line, cause error) error {
	var b bytes.Buffer
	for _, l := range rest {
		b.Write(l.text)
		if l.terminated {
			b.WriteByte('\n')
		}
	}
	if err := atomicfile.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// line is one line of a spool file, without its newline.
type line struct {
	text       []byte
	terminated bool
}

func splitLines(data []byte) []line {
	var out []line
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, line{text: data})
			break
		}
		out = append(out, line{text: data[:i], terminated: true})
		data = data[i+1:]
	}
	return out
}
