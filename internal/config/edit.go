package config

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strconv"

	"github.com/BurntSushi/toml"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// SetSourceEnabled sets enabled = on for source in the config file at
// path, creating the file or the [sources.NAME] table as needed. The rest
// of the file, comments included, is kept as it was: a person's config is
// edited, never regenerated.
func SetSourceEnabled(path, source string, on bool) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &reel.Error{Code: reel.EINVALID, Message: "read config " + path, Err: err}
	}
	out := setSourceEnabled(data, source, on)
	var probe Config
	if _, err := toml.Decode(string(out), &probe); err != nil {
		return &reel.Error{Code: reel.EINVALID, Message: "config " + path + " would not parse after the edit; left unchanged", Err: err}
	}
	return atomicfile.WriteFile(path, out, 0o600)
}

var (
	tableLine   = regexp.MustCompile(`^\s*\[`)
	enabledLine = regexp.MustCompile(`^\s*(enabled|disabled)\s*=`)
)

// setSourceEnabled returns data with source's table saying enabled = on,
// and any older disabled key in it removed.
func setSourceEnabled(data []byte, source string, on bool) []byte {
	setting := "enabled = " + strconv.FormatBool(on) + "\n"
	header := regexp.MustCompile(`^\s*\[\s*sources\s*\.\s*("` + regexp.QuoteMeta(source) + `"|` + regexp.QuoteMeta(source) + `)\s*\]\s*(#.*)?$`)
	return setInTable(data, header, "[sources."+source+"]", enabledLine, []byte(setting))
}

// setInTable returns data with settings written first under the table
// whose header line matches header (appended as newHeader when there is
// none), and the table's lines that match drop removed. Every other line
// is kept as it was.
func setInTable(data []byte, header *regexp.Regexp, newHeader string, drop *regexp.Regexp, settings []byte) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	var out [][]byte
	in, done := false, false
	for _, l := range lines {
		trimmed := bytes.TrimRight(l, "\r\n")
		switch {
		case header.Match(trimmed):
			in = true
			out = append(out, l)
			if !bytes.HasSuffix(l, []byte("\n")) {
				out = append(out, []byte("\n"))
			}
			if !done {
				out = append(out, settings)
				done = true
			}
			continue
		case tableLine.Match(trimmed):
			in = false
		case in && drop.Match(trimmed):
			continue // replaced by the lines written under the header
		}
		out = append(out, l)
	}
	if !done {
		if n := len(out); n > 0 && !bytes.HasSuffix(out[n-1], []byte("\n")) {
			out = append(out, []byte("\n"))
		}
		if len(data) > 0 {
			out = append(out, []byte("\n"))
		}
		out = append(out, []byte(newHeader+"\n"), settings)
	}
	return bytes.Join(out, nil)
}
