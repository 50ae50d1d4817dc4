package cli

import (
	"archive/tar"
	"context"
	"io"
	"path"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// exportNative writes a session's raw records back as its source held
// them: the file's bytes; for a session of several files, a tar archive
// of them under their names; for one of database rows, the rows as JSON
// lines (each row's record is one).
func exportNative(ctx context.Context, store reel.Store, sess reel.Session, w io.Writer) error {
	var tw *tar.Writer
	first := true
	mtime := sess.EndedAt
	if mtime.IsZero() {
		mtime = time.Unix(0, 0)
	}
	err := store.RawRecords(ctx, sess.ID, func(r reel.RawRecord) error {
		// A line too long to keep is stored without its bytes (stores
		// may give back nil or empty): no other invalid record is empty.
		if len(r.Data) == 0 && r.Status == reel.RecordInvalid {
			return reel.Errorf(reel.ECORRUPT, "%s:%d was too long to keep (%s); the export would not be exact", sess.Path, r.Line(), r.Reason)
		}
		if first {
			first = false
			if isFileRecord(r) {
				tw = tar.NewWriter(w)
			}
		}
		if tw == nil {
			_, err := w.Write(r.Data)
			return err
		}
		name, err := archiveName(r)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(r.Data)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(r.Data)
		return err
	})
	if err != nil {
		return err
	}
	if tw != nil {
		return tw.Close()
	}
	return nil
}

// isFileRecord reports whether a record is one file of a session kept as
// several: it is named by a relative path, not by a table and key.
func isFileRecord(r reel.RawRecord) bool {
	return r.Name != "" && !strings.Contains(r.Name, ":")
}

// archiveName checks that a record's name is a relative path that stays
// inside the archive: a store can be filled from an imported document,
// and an archive entry must never climb out of where it is unpacked.
func archiveName(r reel.RawRecord) (string, error) {
	clean := path.Clean(r.Name)
	if !isFileRecord(r) || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || clean == "." {
		return "", reel.Errorf(reel.ECORRUPT, "raw record %d is named %q, which is not a relative file path; the export stopped", r.Index, r.Name)
	}
	return clean, nil
}
