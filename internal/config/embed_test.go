package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSetEmbedModelKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	orig := "# my config\n[store]\nurl = \"x.db\"\n\n[embed]\n# chosen by hand\nprovider = \"openai\"\nurl = \"http://127.0.0.1:11434/v1\"\nmodel = \"nomic\"\n\n[mcp]\ncontrol = true\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetEmbedModel(path, EmbedModel2Vec, "potion-base-8M"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# my config\n[store]\nurl = \"x.db\"\n\n[embed]\nprovider = \"model2vec\"\nmodel = \"potion-base-8M\"\n# chosen by hand\nurl = \"http://127.0.0.1:11434/v1\"\n\n[mcp]\ncontrol = true\n"
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	c, err := Load(func(k string) string { return map[string]string{"REEL_HOME": dir, "HOME": dir}[k] })
	if err != nil || c.Embed.Provider != EmbedModel2Vec || c.Embed.Model != "potion-base-8M" || c.Embed.URL == "" {
		t.Fatalf("Load: %+v %v", c.Embed, err)
	}
	// No file yet: created with the table alone.
	fresh := filepath.Join(dir, "new", "config.toml")
	if err := SetEmbedModel(fresh, EmbedBuiltin, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fresh); string(b) != "[embed]\nprovider = \"builtin\"\nmodel = \"\"\n" {
		t.Fatalf("fresh: %q", b)
	}
}
