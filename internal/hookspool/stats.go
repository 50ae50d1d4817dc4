package hookspool

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Stats says what the spool in a folder holds, for reel hooks status.
type Stats struct {
	Dir string `json:"dir"`
	// Pending counts the lines waiting for the daemon: in spool.ndjson
	// and in files a drain moved aside and has not finished.
	Pending int `json:"pending"`
	// Rejected counts the records of rejected.ndjson.
	Rejected int `json:"rejected"`
	// ErrorLog is errors.log's path when it exists, and ErrorLogBytes its
	// size.
	ErrorLog      string `json:"error_log,omitempty"`
	ErrorLogBytes int64  `json:"error_log_bytes"`
}

// Stat counts what the spool in dir holds; a missing folder holds nothing.
func Stat(dir string) (Stats, error) {
	st := Stats{Dir: dir}
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return st, nil
	}
	names, err := drainingFiles(dir)
	if err != nil {
		return st, err
	}
	for _, name := range append(names, SpoolFile) {
		n, err := countLines(filepath.Join(dir, name))
		if err != nil {
			return st, err
		}
		st.Pending += n
	}
	if st.Rejected, err = countLines(filepath.Join(dir, RejectedFile)); err != nil {
		return st, err
	}
	if fi, err := os.Stat(filepath.Join(dir, ErrorLogFile)); err == nil {
		st.ErrorLog, st.ErrorLogBytes = filepath.Join(dir, ErrorLogFile), fi.Size()
	}
	return st, nil
}

// countLines counts the non-blank lines of a file, a torn last one too.
func countLines(path string) (int, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	n := 0
	for _, l := range splitLines(data) {
		if len(bytes.TrimSpace(l.text)) > 0 {
			n++
		}
	}
	return n, nil
}
