package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// The file tree opencode kept before its database (storage.ts): every
// object is one JSON file named by its id, written whole (pretty-printed)
// each time it changes.
//
//	storage/session/<projectID>/<sessionID>.json  the session's info
//	storage/message/<sessionID>/<messageID>.json  one message's info
//	storage/part/<messageID>/<partID>.json        one part of a message
//
// ids are ascending (a time then a counter), so opencode lists messages and
// parts in name order; reel orders messages by their time.created, then
// id, which is the same for real ids and also holds for hand-made ones.

// opencodeFile is one file of a session's tree.
type opencodeFile struct {
	name string // relative to the Discover root, slash-separated
	path string
	size int64
	mod  time.Time
}

// opencodeJSONFile reports whether name is an object file, not a
// temporary or hidden one.
func opencodeJSONFile(name string) bool {
	return strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".")
}

// opencodeDiscoverFiles lists the sessions of the file tree under root, by
// id: every session with an info file or a message folder.
func opencodeDiscoverFiles(ctx context.Context, root string) ([]reel.SourceFile, error) {
	storage, ok := opencodeStorage(root)
	if !ok {
		return nil, nil
	}
	parents := map[string]string{}
	projects, err := opencodeReadDir(filepath.Join(storage, "session"))
	if err != nil {
		return nil, err
	}
	for _, proj := range projects {
		if !proj.IsDir() {
			continue
		}
		infos, err := opencodeReadDir(filepath.Join(storage, "session", proj.Name()))
		if err != nil {
			return nil, err
		}
		for _, info := range infos {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if !info.Type().IsRegular() || !opencodeJSONFile(info.Name()) {
				continue
			}
			id := strings.TrimSuffix(info.Name(), ".json")
			if _, dup := parents[id]; dup {
				continue
			}
			parents[id] = opencodeInfoParent(filepath.Join(storage, "session", proj.Name(), info.Name()))
		}
	}
	sessions, err := opencodeReadDir(filepath.Join(storage, "message"))
	if err != nil {
		return nil, err
	}
	for _, s := range sessions {
		if _, known := parents[s.Name()]; s.IsDir() && !known {
			parents[s.Name()] = ""
		}
	}
	files := make([]reel.SourceFile, 0, len(parents))
	for id, parent := range parents {
		files = append(files, reel.SourceFile{
			Path:           root,
			Source:         reel.SourceOpencode,
			NativeID:       id,
			ParentNativeID: parent,
			Layout:         reel.LayoutCustom,
			Key:            id,
		})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Key < files[j].Key })
	return files, nil
}

// opencodeInfoParent returns the parentID a session info file names, or ""
// when it names none or cannot be read (the parser reads it again).
func opencodeInfoParent(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var info struct {
		ParentID string `json:"parentID"`
	}
	if json.Unmarshal(data, &info) != nil {
		return ""
	}
	return info.ParentID
}

// opencodeReadDir lists a folder; a missing one is empty.
func opencodeReadDir(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}

// opencodeTree lists the files of session id under root, unordered: its
// info file, its message files and their parts' files.
func opencodeTree(root, id string) (info *opencodeFile, messages []opencodeFile, parts map[string][]opencodeFile, err error) {
	storage, ok := opencodeStorage(root)
	if !ok {
		return nil, nil, nil, reel.Errorf(reel.ENOTFOUND, "no opencode storage under %s", root)
	}
	prefix, err := filepath.Rel(root, storage)
	if err != nil {
		return nil, nil, nil, err
	}
	file := func(dir, name string) (opencodeFile, bool, error) {
		path := filepath.Join(storage, dir, name)
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return opencodeFile{}, false, nil
		}
		if err != nil || !fi.Mode().IsRegular() {
			return opencodeFile{}, false, err
		}
		rel := filepath.ToSlash(filepath.Join(prefix, dir, name))
		return opencodeFile{name: rel, path: path, size: fi.Size(), mod: fi.ModTime()}, true, nil
	}
	list := func(dir string) ([]opencodeFile, error) {
		entries, err := opencodeReadDir(filepath.Join(storage, dir))
		if err != nil {
			return nil, err
		}
		var out []opencodeFile
		for _, e := range entries {
			if !opencodeJSONFile(e.Name()) {
				continue
			}
			f, ok, err := file(dir, e.Name())
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, f)
			}
		}
		return out, nil
	}
	projects, err := opencodeReadDir(filepath.Join(storage, "session"))
	if err != nil {
		return nil, nil, nil, err
	}
	for _, proj := range projects {
		if !proj.IsDir() {
			continue
		}
		f, ok, err := file(filepath.Join("session", proj.Name()), id+".json")
		if err != nil {
			return nil, nil, nil, err
		}
		if ok {
			info = &f
			break
		}
	}
	if messages, err = list(filepath.Join("message", id)); err != nil {
		return nil, nil, nil, err
	}
	parts = map[string][]opencodeFile{}
	for _, m := range messages {
		msgID := strings.TrimSuffix(filepath.Base(m.path), ".json")
		if parts[msgID], err = list(filepath.Join("part", msgID)); err != nil {
			return nil, nil, nil, err
		}
	}
	return info, messages, parts, nil
}

// opencodeFilesStamp sums up session id's files: Size is their total size,
// ModTime the newest, and Hash a digest of every name, size and time, so
// that a file replaced by another of the same size is seen too.
func opencodeFilesStamp(root, id string) (reel.Stamp, error) {
	info, messages, parts, err := opencodeTree(root, id)
	if err != nil {
		return reel.Stamp{}, fmt.Errorf("stamp opencode session %s: %w", id, err)
	}
	var all []opencodeFile
	if info != nil {
		all = append(all, *info)
	}
	all = append(all, messages...)
	for _, p := range parts {
		all = append(all, p...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	var st reel.Stamp
	h := sha256.New()
	for _, f := range all {
		st.Size += f.size
		if f.mod.After(st.ModTime) {
			st.ModTime = f.mod
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", f.name, f.size, f.mod.UnixNano())
	}
	st.Hash = fmt.Sprintf("files:%d:%s", len(all), hex.EncodeToString(h.Sum(nil))[:16])
	return st, nil
}

// opencodeReadFiles calls fn with session id's files as records: the info
// file, then each message followed by its parts.
func opencodeReadFiles(ctx context.Context, root, id string, fn func(reel.RawRecord) error) error {
	info, messages, parts, err := opencodeTree(root, id)
	if err != nil {
		return fmt.Errorf("read opencode session %s: %w", id, err)
	}
	emit := func(f opencodeFile, data []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(reel.RawRecord{Name: f.name, Data: data})
	}
	read := func(f opencodeFile) error {
		data, err := os.ReadFile(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed since it was listed
		}
		if err != nil {
			return fmt.Errorf("read opencode session %s: %w", id, err)
		}
		return emit(f, data)
	}
	if info != nil {
		if err := read(*info); err != nil {
			return err
		}
	}
	// Messages are small: all are read first, to be ordered by time.
	type message struct {
		f       opencodeFile
		data    []byte
		created float64
	}
	msgs := make([]message, 0, len(messages))
	for _, f := range messages {
		data, err := os.ReadFile(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read opencode session %s: %w", id, err)
		}
		msgs = append(msgs, message{f: f, data: data, created: opencodeCreated(data)})
	}
	sort.Slice(msgs, func(i, j int) bool {
		if msgs[i].created != msgs[j].created {
			return msgs[i].created < msgs[j].created
		}
		return msgs[i].f.name < msgs[j].f.name
	})
	for _, m := range msgs {
		if err := emit(m.f, m.data); err != nil {
			return err
		}
		ps := parts[strings.TrimSuffix(filepath.Base(m.f.path), ".json")]
		sort.Slice(ps, func(i, j int) bool { return ps[i].name < ps[j].name })
		for _, p := range ps {
			if err := read(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// opencodeCreated returns a message file's time.created, or +Inf when it
// has none, so that such a message sorts last.
func opencodeCreated(data []byte) float64 {
	var m struct {
		Time struct {
			Created *float64 `json:"created"`
		} `json:"time"`
	}
	if json.Unmarshal(data, &m) != nil || m.Time.Created == nil {
		return math.Inf(1)
	}
	return *m.Time.Created
}
