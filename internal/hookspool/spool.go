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
	"time"

	"github.com/gofrs/flock"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// File names inside the spool folder.
const (
	SpoolFile    = "spool.ndjson"
	RejectedFile = "rejected.ndjson"
	ErrorLogFile = "errors.log"
	spoolLock    = "spool.lock"
	drainLock    = "drain.lock"
	drainPrefix  = "draining-"
)

// lockWait bounds how long Append waits for spool.lock: a drain holds it
// only for a rename, so waiting longer means something is wrong.
const lockWait = 500 * time.Millisecond

// Marshal encodes e as one NDJSON line, with HTML characters left alone
// so that the payload's strings stay as the client wrote them.
func Marshal(e reel.HookEvent) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("encode hook event: %w", err)
	}
	return b.Bytes(), nil
}

// Append adds e at the end of the spool in dir, creating the folder (0700)
// and the file (0600) if needed. The line is written with one write while
// spool.lock is held and fsynced before Append returns.
//
// When spool.lock cannot be had within lockWait (its holder is stopped,
// say), the event is not given up: it is written whole to a file of its
// own, draining-<nanoseconds>-<id>.ndjson, through a temporary file and a
// rename, which the next Drain delivers with the rest (possibly before
// events spooled earlier: its file can sort before the spool moved aside;
// each event carries its time).
func Append(dir string, e reel.HookEvent) error {
	line, err := Marshal(e)
	if err != nil {
		return err
	}
	err = appendLine(dir, SpoolFile, line)
	if reel.ErrorCode(err) != reel.EBUSY {
		return err
	}
	alone := filepath.Join(dir, fmt.Sprintf("%s%020d-%s.ndjson", drainPrefix, time.Now().UnixNano(), e.ID))
	if werr := atomicfile.WriteFile(alone, line, 0o600); werr != nil {
		return errors.Join(err, werr)
	}
	return nil
}

// appendLine writes line at the end of dir/name under spool.lock.
func appendLine(dir, name string, line []byte) error {
	unlock, err := lock(dir, spoolLock)
	if err != nil {
		return err
	}
	defer unlock()
	return writeLine(dir, name, line)
}

// writeLine appends one line with one write and fsyncs it; a file it
// creates is made durable by fsyncing the folder too. A file whose last
// line is torn (a writer killed part way) gets a newline first, in the
// same write, so that the torn bytes stay a line of their own and the new
// line is whole.
func writeLine(dir, name string, line []byte) error {
	path := filepath.Join(dir, name)
	created := true
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		created = false
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if !created && tornTail(f) {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if created {
		return atomicfile.SyncDir(dir)
	}
	return nil
}

// tornTail reports whether f's last byte is something other than a
// newline. A file that cannot be read is taken as whole.
func tornTail(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false
	}
	r, err := os.Open(f.Name())
	if err != nil {
		return false
	}
	defer r.Close()
	var b [1]byte
	if _, err := r.ReadAt(b[:], fi.Size()-1); err != nil {
		return false
	}
	return b[0] != '\n'
}

// lock takes the flock dir/name, creating the folder private to the user,
// and waits for it at most lockWait.
func lock(dir, name string) (func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create hook spool: %w", err)
	}
	fl := flock.New(filepath.Join(dir, name), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, time.Millisecond)
	if err != nil || !ok {
		fl.Close()
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			return nil, reel.Errorf(reel.EBUSY, "hook spool %s: %s held for over %s", dir, name, lockWait)
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() { fl.Unlock() }, nil
}
