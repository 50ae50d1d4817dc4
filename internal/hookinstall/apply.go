package hookinstall

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// Edit is one of Install, Uninstall bound to its client and binary: it
// turns a file's bytes into new bytes and says what changed.
type Edit func(data []byte) ([]byte, Change, error)

// Applied is what Apply did to one file.
type Applied struct {
	Change
	// Backup is the copy of the file as it was, when it was written.
	Backup string
	// Before and After are the file's bytes before and after the edit
	// (equal when nothing changed).
	Before, After []byte
}

// BackupSuffix starts the name of the copy Apply keeps beside a file it
// changes: settings.json.reel-backup-20260102T030405Z.
const BackupSuffix = ".reel-backup-"

// Apply reads path (a missing file reads as empty), runs edit on it and,
// unless dryRun or nothing changed, first copies the file to
// path.reel-backup-<now> (same mode) and then replaces it atomically,
// keeping its mode (0600 for a new file, in a folder made 0700). A file
// edit refuses is left as it was. A symbolic link (settings kept in a
// dotfiles repository) is followed: its target is edited, and the link
// stays.
func Apply(path string, edit Edit, dryRun bool, now time.Time) (Applied, error) {
	var a Applied
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return a, &reel.Error{Code: reel.EINVALID, Message: "read " + path, Err: err}
	}
	existed := err == nil
	out, ch, err := edit(data)
	if err != nil {
		return a, err
	}
	a.Change, a.Before, a.After = ch, data, out
	if dryRun || ch.Empty() || bytes.Equal(out, data) {
		return a, nil
	}
	mode := fileMode(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return a, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if existed {
		a.Backup = path + BackupSuffix + now.UTC().Format("20060102T150405.000000000Z")
		if err := atomicfile.WriteFile(a.Backup, data, mode); err != nil {
			return a, fmt.Errorf("back up %s: %w", path, err)
		}
	}
	if err := atomicfile.WriteFile(path, out, mode); err != nil {
		return a, fmt.Errorf("write %s: %w", path, err)
	}
	return a, nil
}
