package syncer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/reel-sh/reel"
)

// headBytes is how much of a file's start is hashed to tell an append from
// a rewrite.
const headBytes = 4096

type change int

const (
	changeNone change = iota
	changeNew
	changeAppend
	changeRewrite
	changeSkipped
)

type fileResult struct {
	path    string
	source  string
	change  change
	records int64
	bytes   int64
	events  int64
	issues  []Issue
	err     error // fatal for the whole sync (the store failed)
}

// syncFile brings one file's new records into the store. Problems with the
// file itself are issues; only store failures are errors.
func syncFile(ctx context.Context, opt Options, imp reel.Importer, f reel.SourceFile) (res fileResult) {
	if imp != nil && f.Layout != reel.LayoutLines {
		return syncWhole(ctx, opt, imp, f)
	}
	res = fileResult{path: f.Path, source: f.Source, change: changeSkipped}
	skipFile := func(reason string) fileResult {
		res.change = changeSkipped
		res.issues = append(res.issues, Issue{Path: f.Path, Reason: reason, Action: "skipped"})
		return res
	}
	if imp == nil {
		return skipFile("no importer for source " + f.Source)
	}
	fi, err := os.Stat(f.Path)
	if err != nil {
		return skipFile(describeOSError(err))
	}
	// Only a regular file can be read to its end: opening a named pipe
	// would block the sync, and a folder reads as an error mid-way.
	if !fi.Mode().IsRegular() {
		return skipFile("not a regular file (" + describeMode(fi.Mode()) + ")")
	}
	cur, err := opt.Store.Cursor(ctx, f.Path)
	fresh := reel.ErrorCode(err) == reel.ENOTFOUND
	if err != nil && !fresh {
		res.err = fmt.Errorf("read cursor of %s: %w", f.Path, err)
		return res
	}
	if !fresh && cur.Size == fi.Size() && cur.ModTime.Equal(fi.ModTime().UTC()) {
		res.change = changeNone
		return res
	}

	file, err := os.Open(f.Path)
	if err != nil {
		return skipFile(describeOSError(err))
	}
	defer file.Close()

	size := fi.Size()

	// Decide where to start: a fresh file and a rewritten one from the top,
	// an appended one from the cursor. Compressed files are never appended
	// to in place, so any change reads them whole.
	start := reel.Cursor{Path: f.Path, Source: f.Source}
	res.change = changeNew
	if !fresh {
		res.change = changeRewrite
		start.SessionID = cur.SessionID
		if !f.Compressed && size >= cur.Offset {
			h, err := headHash(file, cur.Offset)
			if err != nil {
				return skipFile("read head: " + describeOSError(err))
			}
			if h == cur.HeadHash {
				res.change = changeAppend
				start = cur
			}
		}
	}

	p, err := imp.NewParser(f, start.State)
	if err != nil {
		if start.State == nil {
			return skipFile("start parser: " + err.Error())
		}
		// State from an older reel: read the file again from the top.
		res.change = changeRewrite
		start = reel.Cursor{Path: f.Path, Source: f.Source, SessionID: cur.SessionID}
		if p, err = imp.NewParser(f, nil); err != nil {
			return skipFile("start parser: " + err.Error())
		}
	}
	var r io.Reader = file
	if f.Compressed {
		zr, err := zstd.NewReader(file, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return skipFile("open zstd stream: " + err.Error())
		}
		defer zr.Close()
		r = zr
		// A compressed file is read whole; skip what was consumed.
		if _, err := io.CopyN(io.Discard, zr, start.Offset); err != nil {
			return skipFile("read zstd stream: " + err.Error())
		}
	} else if _, err := file.Seek(start.Offset, io.SeekStart); err != nil {
		return skipFile("seek: " + describeOSError(err))
	}

	w := &fileWriter{
		opt: opt, file: f, fh: file, compressed: f.Compressed, parser: p, res: &res,
		pos:   start,
		batch: &reel.Batch{FromRaw: start.NextRaw, FromSeq: start.NextSeq},
	}
	readErr := w.readLines(ctx, newLineReader(r, opt.MaxLineBytes))
	if readErr == nil {
		end := w.pos
		end.Size, end.ModTime = size, fi.ModTime().UTC()
		readErr = w.flush(ctx, end, true)
	}
	if readErr != nil {
		// The store failing, or the sync being stopped (cancelled, or past
		// its deadline), ends the whole sync; neither is the file's fault.
		var se *storeError
		if errors.As(readErr, &se) || ctx.Err() != nil {
			res.err = readErr
			return res
		}
		// The file broke mid-read (vanished, I/O error): what was committed
		// stays, and the next sync resumes from there.
		res.issues = append(res.issues, Issue{Path: f.Path, Reason: readErr.Error(), Action: "skipped"})
		if res.change == changeNew {
			res.change = changeSkipped
		}
	}
	return res
}

// storeError marks a failure of the store, which stops the whole sync.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// fileWriter turns one file's lines into batches.
type fileWriter struct {
	opt        Options
	file       reel.SourceFile
	fh         *os.File
	compressed bool
	parser     reel.Parser
	res        *fileResult
	// pos is the cursor after the last terminated line.
	pos   reel.Cursor
	batch *reel.Batch
	// batchBytes bounds the raw bytes held before a flush.
	batchBytes int64
	// tailSeq is the first seq of the events of a last line that is not
	// final (see last), or -1; tailEvents counts them.
	tailSeq, tailEvents int64
	// sessionID and nativeID are the session's, once known: from the
	// cursor, or claimed at the first flush.
	sessionID, nativeID string
	// cpLine maps the id of each checkpoint in the batch to its line.
	cpLine map[string]int64
	// whole is set for a session read whole (see syncWhole): it has no
	// file handle, and its cursor holds the stamp instead of a head hash.
	whole bool
}

func (w *fileWriter) readLines(ctx context.Context, lr *lineReader) error {
	w.tailSeq = -1
	w.sessionID = w.pos.SessionID
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !l.terminated || lr.atEOF() {
			return w.last(l)
		}
		w.line(l)
		if len(w.batch.Events) >= w.opt.BatchEvents || w.batchBytes >= 16<<20 {
			if err := w.flush(ctx, w.pos, false); err != nil {
				return err
			}
		}
	}
}

// line parses one terminated line and advances pos past it.
func (w *fileWriter) line(l line) {
	_, next, _ := w.record(l, w.pos.NextRaw, w.pos.Offset, w.pos.NextSeq, false)
	w.advance(l, next)
}

// advance moves pos past the line l, whose events end before seq next.
func (w *fileWriter) advance(l line, next int64) {
	w.pos.Offset += l.size
	w.pos.NextRaw++
	w.pos.NextSeq = next
}

// last handles the file's last line, which may not be final: one with no
// terminator is still being written, and one that does not parse was torn
// (by a crash, or a copy cut short) and may yet be rewritten in place. Such
// a line is written so that search and export see it, but the cursor stays
// before it, with the parser state from before it: the next sync that
// finds the file changed reads it again, whole. A terminated last line that
// parses is final like any other.
func (w *fileWriter) last(l line) error {
	state, err := w.parser.State()
	if err != nil {
		return fmt.Errorf("save parser state: %w", err)
	}
	base, next, torn := w.record(l, w.pos.NextRaw, w.pos.Offset, w.pos.NextSeq, true)
	if l.terminated && !torn {
		w.advance(l, next)
		return nil
	}
	w.pos.State = state
	w.tailSeq, w.tailEvents = base, next-base
	return nil
}

// record parses one line into the batch. Its events get seqs from base,
// which is seq unless the line took earlier events back (see
// reel.Rewinder), up to next. torn reports that the line failed to parse,
// as a torn one does. A line that may be read again (see last) is reported
// for retry rather than skipped.
func (w *fileWriter) record(l line, idx, off, seq int64, mayRetry bool) (base, next int64, torn bool) {
	w.res.records++
	w.res.bytes += l.size
	rec := reel.RawRecord{Index: idx, Offset: off, Data: l.data, Name: l.name}
	issue := func(reason, action string) {
		if l.name != "" {
			reason = l.name + ": " + reason
		}
		w.res.issues = append(w.res.issues, Issue{Path: w.file.CursorPath(), Line: idx + 1, Reason: reason, Action: action})
	}
	// unreadable reports a record kept raw without events. Only a line
	// that failed to parse may be torn; one over a size limit is as long
	// as it will get once it is terminated.
	unreadable := func(reason string, parsed bool) {
		switch {
		case mayRetry && !l.terminated:
			issue("incomplete last line: "+reason+"; read again when the file grows", "retry")
		case mayRetry && parsed:
			issue("torn last line: "+reason+"; read again when the file changes", "retry")
		default:
			issue(reason, "skipped")
		}
	}
	var evs []reel.Event
	switch {
	case l.data == nil:
		rec.Status, rec.Reason = reel.RecordInvalid, fmt.Sprintf("line of %d bytes exceeds %d bytes; not stored", l.size, maxRawBytes)
		unreadable(rec.Reason, false)
	case l.tooLong:
		rec.Status, rec.Reason = reel.RecordInvalid, fmt.Sprintf("line of %d bytes exceeds the %d-byte parse limit (sync.max_line_bytes); kept raw", l.size, w.opt.MaxLineBytes)
		unreadable(rec.Reason, false)
	case len(bytes.TrimSpace(l.data)) == 0:
		rec.Status, rec.Type = reel.RecordOK, "blank"
	default:
		var err error
		evs, err = w.parser.Parse(&rec)
		switch {
		case err != nil:
			evs, torn = nil, true
			rec.Status, rec.Reason = reel.RecordInvalid, err.Error()
			unreadable(err.Error(), true)
		case !utf8.Valid(l.data):
			// Only a line that was read was repaired; one that was not is
			// reported as skipped, once.
			issue("invalid UTF-8; read with U+FFFD in its place", "repaired")
		}
		if rec.Status == "" {
			rec.Status = reel.RecordOK
		}
		if err == nil {
			seq = w.rewind(seq, idx)
		}
	}
	base = seq
	w.checkpoints(idx, seq+int64(len(evs)), rec.Status != reel.RecordInvalid, issue)
	for i := range evs {
		e := &evs[i]
		e.Seq = seq + int64(i)
		e.RawIndex = idx
		if !reel.StorableTime(e.Time) {
			issue(fmt.Sprintf("timestamp %s out of range; stored without a time", e.Time.Format(time.RFC3339)), "repaired")
			e.Time = time.Time{}
		}
	}
	w.batch.Raw = append(w.batch.Raw, rec)
	w.batch.Events = append(w.batch.Events, evs...)
	w.batchBytes += int64(len(l.data))
	w.res.events += int64(len(evs))
	return base, base + int64(len(evs)), torn
}

// rewind applies a take-back by the record just parsed, if the parser
// reported one, and returns the seq its events start at: the events from
// the count that stands on are dropped from the batch, and the batch
// discards those already committed.
func (w *fileWriter) rewind(seq, idx int64) int64 {
	rw, ok := w.parser.(reel.Rewinder)
	if !ok {
		return seq
	}
	keep, ok := rw.Rewound()
	if !ok {
		return seq
	}
	if keep < 0 || keep > seq {
		w.res.issues = append(w.res.issues, Issue{Path: w.file.CursorPath(), Line: idx + 1,
			Reason: fmt.Sprintf("rewind to event %d of %d ignored: out of range", keep, seq), Action: "skipped"})
		return seq
	}
	b := w.batch
	if keep < b.FromSeq {
		b.FromSeq = keep
		b.Events = b.Events[:0]
	} else {
		b.Events = b.Events[:keep-b.FromSeq]
	}
	// Checkpoints past the events that stand mark nothing any more.
	kept := b.Checkpoints[:0]
	for _, c := range b.Checkpoints {
		if c.Seq <= keep {
			kept = append(kept, c)
		}
	}
	b.Checkpoints = kept
	return keep
}

// checkpoints moves the checkpoints the parser found in the record just
// parsed into the batch, so they commit with the events before them. A
// record that failed to parse yields none. A checkpoint that the store
// would refuse, and with it the whole batch, is reported and skipped:
// one past next (the session's event count after the record), or one
// that reel.Checkpoint.Validate refuses.
func (w *fileWriter) checkpoints(idx, next int64, parsed bool, issue func(reason, action string)) {
	cp, ok := w.parser.(reel.CheckpointParser)
	if !ok {
		return
	}
	for _, c := range cp.TakeCheckpoints() {
		if !parsed {
			continue
		}
		check := c
		if check.SessionID == "" {
			check.SessionID = "-" // set at the flush
		}
		err := check.Validate()
		if err == nil && (c.Seq < 0 || c.Seq > next) {
			err = fmt.Errorf("checkpoint %q: seq %d is beyond the session's %d events", c.ID, c.Seq, next)
		}
		if err != nil {
			issue(err.Error(), "skipped")
			continue
		}
		w.batch.Checkpoints = append(w.batch.Checkpoints, c)
		if w.cpLine == nil {
			w.cpLine = map[string]int64{}
		}
		w.cpLine[c.ID] = idx + 1
	}
}

// dropTakenLabels drops from the batch, reporting each, the checkpoints
// whose label another checkpoint of the session already has in the store
// (one put there with reel checkpoint --session): the store would refuse
// the whole batch, and every later sync with it. It asks the store only
// when the batch has a labelled checkpoint.
func (w *fileWriter) dropTakenLabels(ctx context.Context, sessionID string) error {
	b := w.batch
	labelled := false
	for _, c := range b.Checkpoints {
		labelled = labelled || c.Label != ""
	}
	if !labelled || w.opt.Store == nil {
		return nil
	}
	stored, err := w.opt.Store.Checkpoints(ctx, sessionID)
	if reel.ErrorCode(err) == reel.ENOTFOUND {
		return nil
	}
	if err != nil {
		return &storeError{fmt.Errorf("list checkpoints of %s: %w", sessionID, err)}
	}
	holder := map[string]string{}
	for _, c := range stored {
		if c.Label != "" {
			holder[c.Label] = c.ID
		}
	}
	kept := b.Checkpoints[:0]
	for _, c := range b.Checkpoints {
		if other, ok := holder[c.Label]; ok && c.Label != "" && other != c.ID {
			w.res.issues = append(w.res.issues, Issue{Path: w.file.CursorPath(), Line: w.cpLine[c.ID],
				Reason: fmt.Sprintf("checkpoint label %q already names checkpoint %s in the store", c.Label, reel.ShortID(other)),
				Action: "skipped"})
			continue
		}
		kept = append(kept, c)
	}
	b.Checkpoints = kept
	return nil
}

// flush commits the batch with cur as the file's cursor.
func (w *fileWriter) flush(ctx context.Context, cur reel.Cursor, last bool) error {
	if !last {
		st, err := w.parser.State()
		if err != nil {
			return fmt.Errorf("save parser state: %w", err)
		}
		cur.State = st
		// A mid-file cursor must not look complete: the size stays unset
		// until the last batch, so a crash here means a resume from Offset.
		cur.Size, cur.ModTime = -1, time.Time{}
	} else if w.tailSeq < 0 {
		st, err := w.parser.State()
		if err != nil {
			return fmt.Errorf("save parser state: %w", err)
		}
		cur.State = st
	}
	if !w.compressed && !w.whole {
		// The head hash covers the bytes consumed, so the next sync can tell
		// an append (same head) from a rewrite.
		h, err := headHash(w.fh, cur.Offset)
		if err != nil {
			return fmt.Errorf("read head: %w", err)
		}
		cur.HeadHash = h
	}
	s := w.parser.Session()
	if s.NativeID == "" {
		s.NativeID = w.file.NativeID
	}
	if s.ParentID == "" && w.file.ParentNativeID != "" {
		s.ParentID = reel.SessionID(w.file.Source, w.file.ParentNativeID)
	}
	s.Source = w.file.Source
	if w.nativeID == "" {
		if w.sessionID == "" {
			nid, err := w.opt.claims.claim(ctx, w.opt.Store, s.NativeID, w.file)
			if err != nil {
				return err
			}
			w.nativeID, w.sessionID = nid, reel.SessionID(s.Source, nid)
		} else {
			w.nativeID = sessionNativeID(w.sessionID, s.NativeID, w.file)
		}
	}
	s.ID, s.NativeID = w.sessionID, w.nativeID
	s.Path = w.file.CursorPath()
	s.EventCount = w.pos.NextSeq
	if w.tailSeq >= 0 {
		s.EventCount = w.tailSeq + w.tailEvents
	}
	if s.Host == "" {
		s.Host = w.opt.Host
	}
	if s.Status == "" {
		s.Status = reel.StatusCompleted
	}
	if !reel.StorableTime(s.StartedAt) {
		s.StartedAt = time.Time{}
	}
	if !reel.StorableTime(s.EndedAt) {
		s.EndedAt = time.Time{}
	}
	cur.SessionID = s.ID
	for i := range w.batch.Events {
		w.batch.Events[i].SessionID = s.ID
	}
	for i := range w.batch.Checkpoints {
		w.batch.Checkpoints[i].SessionID = s.ID
	}
	if err := w.dropTakenLabels(ctx, s.ID); err != nil {
		return err
	}
	b := w.batch
	b.Session, b.Cursor = s, cur
	if !w.opt.DryRun {
		if err := w.opt.writer.send(ctx, b); err != nil {
			return err
		}
	}
	w.batch = &reel.Batch{FromRaw: w.pos.NextRaw, FromSeq: w.pos.NextSeq}
	w.batchBytes, w.cpLine = 0, nil
	return nil
}

// headHash hashes the first min(headBytes, n) bytes of f.
func headHash(f *os.File, n int64) (string, error) {
	head := make([]byte, max(0, min(headBytes, n)))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	h := sha256.Sum256(head)
	return hex.EncodeToString(h[:16]), nil
}

// describeMode names the kind of a file that is not a regular one.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// describeOSError turns a file error into a short reason.
func describeOSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "file vanished before it could be read"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}
