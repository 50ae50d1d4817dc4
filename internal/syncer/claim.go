package syncer

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/reel-sh/reel"
)

// claims decides which file each session is read from. A session is the
// contents of one file: its raw records are that file's lines, and its
// cursor's offsets point into it. Two files can name the same session,
// though (a backup copy of a rollout kept beside it, or an older snapshot
// of the session under another name), and if both wrote into one session
// each would replace the other's records with its own, leaving a mix of
// both. So the first file to claim a session keeps it, and any other file
// is stored as a session of its own (see nativeIDs).
//
// The claims of one sync are held here, so that workers reading two such
// files at once agree; the store tells which files earlier syncs read.
type claims struct {
	mu   sync.Mutex
	byID map[string]string // session id -> path of the file that holds it
}

func newClaims() *claims { return &claims{byID: map[string]string{}} }

// nativeIDs returns the native ids a file's session may be stored under,
// best first: the id the parser read, then the one the file's path gives,
// then the parser's qualified by the path, which no other file shares.
func nativeIDs(parsed string, f reel.SourceFile) []string {
	ids := []string{parsed}
	if f.NativeID != "" && f.NativeID != parsed {
		ids = append(ids, f.NativeID)
	}
	return append(ids, parsed+"@"+f.CursorPath())
}

// claim returns the native id under which the file f stores its session,
// given the id its parser read: the first of nativeIDs that no other file
// holds. It fails only when the store does.
func (c *claims) claim(ctx context.Context, store reel.Store, parsed string, f reel.SourceFile) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := nativeIDs(parsed, f)
	for _, nid := range ids[:len(ids)-1] {
		ok, err := c.try(ctx, store, reel.SessionID(f.Source, nid), f.CursorPath())
		if err != nil || ok {
			return nid, err
		}
	}
	last := ids[len(ids)-1]
	c.byID[reel.SessionID(f.Source, last)] = f.CursorPath()
	return last, nil
}

// try claims the session id for the file at path, unless another file
// holds it.
func (c *claims) try(ctx context.Context, store reel.Store, id, path string) (bool, error) {
	if holder, ok := c.byID[id]; ok {
		return holder == path, nil
	}
	s, err := store.Session(ctx, id)
	switch {
	case reel.ErrorCode(err) == reel.ENOTFOUND:
	case err != nil:
		return false, &storeError{fmt.Errorf("read session %s: %w", id, err)}
	case s.Path != "" && s.Path != path:
		held, err := holds(ctx, store, s.Path, id, path)
		if err != nil {
			return false, err
		}
		if held {
			c.byID[id] = s.Path
			return false, nil
		}
	}
	c.byID[id] = path
	return true, nil
}

// holds reports whether the file at holder still holds the session id
// against the file at path: it exists, is not path under another name,
// and its cursor names the session. A session whose file is gone passes
// to the new one, as when a rollout is replaced by its compressed copy.
func holds(ctx context.Context, store reel.Store, holder, id, path string) (bool, error) {
	hf, pf := fileOf(holder), fileOf(path)
	hi, err := os.Stat(hf)
	if err != nil {
		return false, nil
	}
	// The same file (and the same part of it) under another name.
	if pi, err := os.Stat(pf); err == nil && os.SameFile(hi, pi) && holder[len(hf):] == path[len(pf):] {
		return false, nil
	}
	cur, err := store.Cursor(ctx, holder)
	switch {
	case reel.ErrorCode(err) == reel.ENOTFOUND:
		return false, nil
	case err != nil:
		return false, &storeError{fmt.Errorf("read cursor of %s: %w", holder, err)}
	}
	return cur.SessionID == id, nil
}

// sessionNativeID returns the native id under which a file whose session
// id is already known (from its cursor) stores its session, so that the
// session's native id keeps matching its id.
func sessionNativeID(id, parsed string, f reel.SourceFile) string {
	for _, nid := range nativeIDs(parsed, f) {
		if reel.SessionID(f.Source, nid) == id {
			return nid
		}
	}
	// A rewrite that changed the id the file names keeps the session it
	// had: the file is what the session is read from.
	return parsed
}

// fileOf returns the file a cursor path names: the path itself, or for a
// session that is a slice or a part of a file (path#key), the file, when
// the path itself does not exist.
func fileOf(cursorPath string) string {
	if _, err := os.Stat(cursorPath); err == nil {
		return cursorPath
	}
	if i := strings.LastIndexByte(cursorPath, '#'); i > 0 {
		return cursorPath[:i]
	}
	return cursorPath
}
