package runbook

import (
	"strings"
	"testing"
)

func TestNameFor(t *testing.T) {
	for v, want := range map[string]string{
		"10.0.0.12": "HOST", "db.internal": "HOST", "https://x.io/a": "URL", "v1.4.2": "VERSION", "2.0.0-rc1": "VERSION",
		"deploy@web1": "REMOTE", "nginx:1.25": "IMAGE", "ghcr.io/acme/api:1.4.2": "IMAGE", "/srv/app/releases/": "RELEASES_PATH",
		"config.yaml": "CONFIG_FILE", "8080": "PORT", "123456": "NUMBER", "my-app_2": "MY_APP_2", "9lives-x": "V_9LIVES_X",
	} {
		if got := nameFor(v); got != want {
			t.Errorf("nameFor(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestPlan_Parameterize(t *testing.T) {
	rb := Runbook{Steps: []Step{
		{N: 1, Command: `docker run -p 8080:80 --name=web-1 "nginx:1.25"`, Cwd: "/a"},
		{N: 2, Command: `docker logs web-1 && echo 'nginx:1.25 is single-quoted'`, Cwd: "/a"},
		{N: 3, Command: `curl localhost:8080 && PATH=/x/bin:/usr/bin docker stop "web-1"`, Cwd: "/a"},
		{N: 4, Command: `git push origin main && git push origin main`, Cwd: "/a"},
	}}
	p := prepare(rb, Options{Parameterize: true})
	var names []string
	for _, v := range p.vars {
		names = append(names, v.Name+"="+v.Value)
	}
	if got := strings.Join(names, " "); got != "WEB_1=web-1" {
		t.Errorf("variables = %q", got)
	}
	want := []string{
		`docker run -p 8080:80 --name="${WEB_1}" "nginx:1.25"`,
		`docker logs "${WEB_1}" && echo 'nginx:1.25 is single-quoted'`,
		`curl localhost:8080 && PATH=/x/bin:/usr/bin docker stop "${WEB_1}"`,
		`git push origin main && git push origin main`,
	}
	for i, st := range p.steps {
		if got := st.text(same, shellRef); got != want[i] {
			t.Errorf("step %d = %s\nwant       %s", st.N, got, want[i])
		}
	}
}

func TestLex(t *testing.T) {
	ws := lex(`FOO=1 sudo make -C "a b" x=$(echo 'y z') | tee out.log # comment`)
	var got []string
	for _, w := range ws {
		mark := ""
		if w.cmdPos {
			mark = "*"
		}
		got = append(got, mark+w.text)
	}
	want := `*FOO=1 *sudo *make -C "a b" x=$(echo 'y z') | *tee out.log`
	if strings.Join(got, " ") != want {
		t.Errorf("lex = %s\nwant  %s", strings.Join(got, " "), want)
	}
}
