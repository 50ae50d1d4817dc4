package embed

import (
	"reflect"
	"testing"
)

func TestWordsSplitsIdentifiers(t *testing.T) {
	for in, want := range map[string][]string{
		"parseHTTPServerConfig":         {"parse", "http", "server", "config"},
		"snake_case_name":               {"snake", "case", "name"},
		"internal/sqlite/store_test.go": {"internal", "sqlite", "store", "test", "go"},
		"utf8Decode --dry-run":          {"utf", "decode", "dry", "run"},
		"TestFlakyRetry: FAIL (0.3s)":   {"test", "flaky", "retry", "fail"},
		"Ünïcode Wörds":                 {"ünïcode", "wörds"},
		"ID URLs x":                     {"id", "urls"},
	} {
		var got []string
		Words(in, func(w string) { got = append(got, w) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}
