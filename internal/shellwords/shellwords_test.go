package shellwords

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		line string
		want [][]string
	}{
		{"ls -la", [][]string{{"ls", "-la"}}},
		{"a && b || c; d | e & f", [][]string{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}, {"f"}}},
		{`rm 'a b' "c \"d\"" e\ f`, [][]string{{"rm", "a b", `c "d"`, "e f"}}},
		{"(cd x && make)\nmake test", [][]string{{"cd", "x"}, {"make"}, {"make", "test"}}},
		{"go test 2>&1 >log", [][]string{{"go", "test", "2", ">&", "1", ">", "log"}}},
		{"echo $(rm -rf x)", [][]string{{"echo", "$(rm -rf x)"}, {"rm", "-rf", "x"}}},
		{"bash -lc 'rm y'", [][]string{{"bash", "-lc", "rm y"}, {"rm", "y"}}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			if got := Split(tt.line); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestUnwrap(t *testing.T) {
	tests := []struct {
		argv, want []string
	}{
		{[]string{"sudo", "-u", "root", "rm", "x"}, []string{"rm", "x"}},
		{[]string{"FOO=1", "env", "BAR=2", "make"}, []string{"make"}},
		{[]string{"timeout", "5s", "curl", "u"}, []string{"curl", "u"}},
		{[]string{"ls"}, []string{"ls"}},
	}
	for _, tt := range tests {
		if got := Unwrap(tt.argv); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Unwrap(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}
