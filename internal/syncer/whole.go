package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/reel-sh/reel"
)

// syncWhole brings in a session that is read whole whenever it changes: a
// JSON document (reel.LayoutDocument), or records the importer reads
// itself (reel.LayoutCustom). Such a session has no offset to resume
// from, so its stamp (size, time and, for a custom layout, a hash) tells
// whether it changed, and a change reads it again from its first record.
func syncWhole(ctx context.Context, opt Options, imp reel.Importer, f reel.SourceFile) (res fileResult) {
	key := f.CursorPath()
	res = fileResult{path: key, source: f.Source, change: changeSkipped}
	skipFile := func(reason string) fileResult {
		res.change = changeSkipped
		res.issues = append(res.issues, Issue{Path: key, Reason: reason, Action: "skipped"})
		return res
	}
	var read func(fn func(line) error) error
	var stamp reel.Stamp
	switch f.Layout {
	case reel.LayoutDocument:
		fi, err := os.Stat(f.Path)
		if err != nil {
			return skipFile(describeOSError(err))
		}
		if !fi.Mode().IsRegular() {
			return skipFile("not a regular file (" + describeMode(fi.Mode()) + ")")
		}
		stamp = reel.Stamp{Size: fi.Size(), ModTime: fi.ModTime()}
		read = func(fn func(line) error) error { return readDocument(f.Path, opt.MaxLineBytes, fn) }
	case reel.LayoutCustom:
		rr, ok := imp.(reel.RecordReader)
		if !ok {
			return skipFile(fmt.Sprintf("source %s lists a session it cannot read (no record reader)", f.Source))
		}
		var err error
		if stamp, err = rr.Stamp(ctx, f); err != nil {
			if ctx.Err() != nil {
				res.err = ctx.Err()
				return res
			}
			if reel.ErrorCode(err) == reel.ENOTFOUND {
				// Discover listed a session that is gone by now (a
				// history file rewritten meanwhile): nothing to read.
				res.change = changeNone
				return res
			}
			return skipFile("read stamp: " + err.Error())
		}
		read = func(fn func(line) error) error {
			return rr.ReadRecords(ctx, f, func(r reel.RawRecord) error {
				size := int64(len(r.Data))
				return fn(line{data: r.Data, size: size, terminated: true, tooLong: size > opt.MaxLineBytes, name: r.Name, offset: r.Offset})
			})
		}
	default:
		return skipFile(fmt.Sprintf("unknown layout %d", f.Layout))
	}
	stamp.ModTime = stamp.ModTime.UTC()

	cur, err := opt.Store.Cursor(ctx, key)
	fresh := reel.ErrorCode(err) == reel.ENOTFOUND
	if err != nil && !fresh {
		res.err = fmt.Errorf("read cursor of %s: %w", key, err)
		return res
	}
	if !fresh && cur.Size == stamp.Size && cur.ModTime.Equal(stamp.ModTime) && cur.HeadHash == stamp.Hash {
		res.change = changeNone
		return res
	}
	start := reel.Cursor{Path: key, Source: f.Source}
	res.change = changeNew
	if !fresh {
		res.change, start.SessionID = changeRewrite, cur.SessionID
	}
	p, err := imp.NewParser(f, nil)
	if err != nil {
		return skipFile("start parser: " + err.Error())
	}
	w := &fileWriter{opt: opt, file: f, parser: p, res: &res, pos: start, whole: true,
		batch: &reel.Batch{}}
	w.tailSeq = -1
	w.sessionID = start.SessionID
	readErr := read(func(l line) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		off := w.pos.Offset
		if f.Layout == reel.LayoutCustom {
			off = l.offset
		}
		_, next, _ := w.record(l, w.pos.NextRaw, off, w.pos.NextSeq, false)
		w.advance(l, next)
		if len(w.batch.Events) >= opt.BatchEvents || w.batchBytes >= 16<<20 {
			return w.flush(ctx, w.pos, false)
		}
		return nil
	})
	if readErr == nil {
		end := w.pos
		end.Size, end.ModTime, end.HeadHash = stamp.Size, stamp.ModTime, stamp.Hash
		readErr = w.flush(ctx, end, true)
	}
	if readErr != nil {
		var se *storeError
		if errors.As(readErr, &se) || ctx.Err() != nil {
			res.err = readErr
			return res
		}
		// What was committed stays; its cursor does not match the stamp,
		// so the next sync reads the session again.
		res.issues = append(res.issues, Issue{Path: key, Reason: readErr.Error(), Action: "skipped"})
		if res.change == changeNew {
			res.change = changeSkipped
		}
	}
	return res
}

// readDocument reads the file at path as one record, within the limits
// that apply to a line.
func readDocument(path string, maxParse int64, fn func(line) error) error {
	fh, err := os.Open(path)
	if err != nil {
		return errors.New(describeOSError(err))
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxRawBytes+1))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	size := int64(len(data))
	l := line{data: data, size: size, terminated: true, tooLong: size > maxParse}
	if size > maxRawBytes {
		fi, err := fh.Stat()
		if err != nil {
			return fmt.Errorf("stat: %w", err)
		}
		l = line{size: fi.Size(), terminated: true, tooLong: true}
	}
	if size == 0 {
		return nil
	}
	return fn(l)
}
