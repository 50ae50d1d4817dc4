package migration

import (
	"testing"
	"testing/fstest"
)

func TestList(t *testing.T) {
	t.Run("OKOrdered", func(t *testing.T) {
		ms, err := List(fstest.MapFS{
			"migrations/0010_b.sql": {Data: []byte("B")},
			"migrations/0002_a.sql": {Data: []byte("A")},
			"migrations/notes.txt":  {Data: []byte("ignored")},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].Version != 2 || ms[1].Version != 10 || ms[0].SQL != "A" || ms[1].Name != "0010_b.sql" {
			t.Errorf("got %+v, want 0002_a then 0010_b", ms)
		}
	})
	for name, fsys := range map[string]fstest.MapFS{
		"ErrBadName":    {"migrations/first.sql": {}},
		"ErrZero":       {"migrations/0000_x.sql": {}},
		"ErrSameNumber": {"migrations/0001_a.sql": {}, "migrations/1_b.sql": {}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := List(fsys); err == nil {
				t.Error("no error")
			}
		})
	}
}
